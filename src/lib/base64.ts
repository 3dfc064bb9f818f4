/** Standard base64 (password salts and hashes) and unpadded base64url (tokens, cursors), over bytes or UTF-8 text. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(value: string): Uint8Array<ArrayBuffer> {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toBase64Url(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return toBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The text a base64url string encodes; throws on anything that is not base64url. */
export function fromBase64UrlText(value: string): string {
  return new TextDecoder().decode(fromBase64(value.replaceAll('-', '+').replaceAll('_', '/')));
}
