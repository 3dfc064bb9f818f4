/**
 * HMAC-SHA256 through WebCrypto, for every signature this API makes or checks: CRM webhook deliveries,
 * Razorpay payment and webhook signatures, Stripe webhook signatures. Imported keys are cached per secret.
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

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await keyFor(secret), encoder.encode(message));
  return [...new Uint8Array(signature)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Compares two strings in time that depends only on their length, never on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.length !== right.length) return false;
  let diff = 0;
  for (let i = 0; i < left.length; i++) diff |= left[i]! ^ right[i]!;
  return diff === 0;
}

/** True when `signature` (hex, any case) is the HMAC-SHA256 of `message` under `secret`. */
export async function verifyHmacSha256Hex(secret: string, message: string, signature: string): Promise<boolean> {
  return constantTimeEqual(await hmacSha256Hex(secret, message), signature.trim().toLowerCase());
}
