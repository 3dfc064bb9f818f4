/** Lower-case hex of bytes: digests, signatures, ETags. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  let hex = '';
  for (const byte of bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
