import { constantTimeEqual } from './constant-time';
import { toHex } from './hex';

/**
 * SHA-256 and HMAC-SHA256 through WebCrypto, for every digest and signature this API makes or checks: refresh-token
 * and request hashes, CRM webhook deliveries, Razorpay and Stripe signatures. Imported keys are cached per secret.
 */
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  return key;
}

export async function sha256Hex(value: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(value)));
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  return toHex(await crypto.subtle.sign('HMAC', await keyFor(secret), encoder.encode(message)));
}

/** True when `signature` (hex, any case) is the HMAC-SHA256 of `message` under `secret`. */
export async function verifyHmacSha256Hex(secret: string, message: string, signature: string): Promise<boolean> {
  return constantTimeEqual(await hmacSha256Hex(secret, message), signature.trim().toLowerCase());
}
