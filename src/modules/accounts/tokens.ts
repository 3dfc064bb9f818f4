import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Role } from '../../env';
import { toBase64Url } from '../../lib/base64';
import { positiveInt } from '../../lib/settings';

export const ACCESS_TOKEN_ALGORITHM = 'HS256';

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessClaims {
  userId: number;
  role: Role;
  /** The account's token version when the token was issued (claim `ver`; tokens from before it existed count as 0). */
  version: number;
}

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/**
 * The HMAC key, imported once per secret and isolate: given raw bytes, jose imports a CryptoKey on every sign and
 * verify (~3% of a POST /book in the bench's CPU profile).
 */
function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (secret.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

export function tokenSettings(env: Env): TokenSettings {
  return {
    secret: env.JWT_SECRET,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    ttlSeconds: positiveInt(env.ACCESS_TOKEN_TTL_SECONDS, 3600),
  };
}

export async function signAccessToken(
  settings: TokenSettings,
  claims: Omit<AccessClaims, 'version'> & { version?: number },
): Promise<string> {
  return new SignJWT({ role: claims.role, ver: claims.version ?? 0 })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: 'JWT' })
    .setSubject(String(claims.userId))
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${settings.ttlSeconds}s`)
    .setJti(crypto.randomUUID())
    .sign(await keyFor(settings.secret));
}

/** Verifies with algorithm, issuer and audience pinned; returns null for any token that is not ours and valid. */
export async function verifyAccessToken(settings: TokenSettings, token: string): Promise<AccessClaims | null> {
  try {
    const { payload } = await jwtVerify(token, await keyFor(settings.secret), {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    });
    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || userId <= 0) return null;
    const version = payload.ver ?? 0;
    if (!Number.isSafeInteger(version)) return null;
    return { userId, role: payload.role as Role, version: version as number };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
}

/** An opaque refresh token: 32 random bytes, URL-safe. Only its SHA-256 is stored. */
export function newRefreshToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}
