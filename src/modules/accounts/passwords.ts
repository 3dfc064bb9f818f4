import { fromBase64, toBase64 } from '../../lib/base64';
import { constantTimeEqualBytes } from '../../lib/constant-time';

/**
 * Password hashing with PBKDF2-SHA256 through WebCrypto. The deployed Workers runtime refuses more than
 * 100,000 iterations (local workerd does not), so the cost is pinned at that cap and stored beside each hash:
 * a future change of cost can re-hash on the next successful login.
 */
export const PBKDF2_ALGORITHM = 'pbkdf2-sha256';
export const PBKDF2_MAX_ITERATIONS = 100_000;
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;

export interface PasswordRecord {
  algorithm: string;
  iterations: number;
  salt: string;
  hash: string;
}

const encoder = new TextEncoder();

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be between 1 and ${PBKDF2_MAX_ITERATIONS}`);
  }
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<PasswordRecord> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return { algorithm: PBKDF2_ALGORITHM, iterations, salt: toBase64(salt), hash: toBase64(hash) };
}

export async function verifyPassword(password: string, record: PasswordRecord): Promise<boolean> {
  if (record.algorithm !== PBKDF2_ALGORITHM) return false;
  const actual = await derive(password, fromBase64(record.salt), record.iterations);
  return constantTimeEqualBytes(actual, fromBase64(record.hash));
}

/** A record no password matches, verified on unknown emails so both failures cost the same time. */
export const DECOY_PASSWORD_RECORD: PasswordRecord = {
  algorithm: PBKDF2_ALGORITHM,
  iterations: PBKDF2_ITERATIONS,
  salt: 'AAAAAAAAAAAAAAAAAAAAAA==',
  hash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
};
