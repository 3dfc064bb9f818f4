import { generate } from 'lean-qr';
import { toSvgSource } from 'lean-qr/extras/svg';

/**
 * A QR code of `text` as a standalone SVG document: black modules on white with the standard 4-module quiet zone,
 * 8 px per module, error correction level M (lean-qr's default minimum; it raises the level when the size allows).
 */
export function qrSvg(text: string): string {
  const code = generate(text);
  return toSvgSource(code, { on: 'black', off: 'white', pad: 4, scale: 8, xmlDeclaration: true });
}
