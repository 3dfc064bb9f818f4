import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrSvg } from '../../src/modules/attendance/qr';

/**
 * Reads the SVG the API serves the way a scanner sees it: the path of dark modules (closed rectilinear polygons in
 * module units, filled with the nonzero rule) is rasterised at 8 px per module and handed to jsQR, an independent
 * QR decoder.
 */
function rasterise(svg: string) {
  const viewBox = /viewBox="(-?\d+) (-?\d+) (\d+) (\d+)"/.exec(svg);
  const d = /<path d="([^"]+)"/.exec(svg);
  if (!viewBox || !d) throw new Error('not the SVG shape we serve');
  const [minX, minY, width, height] = viewBox.slice(1).map(Number) as [number, number, number, number];
  // Vertical edges of every polygon, with their direction, for a winding count along each row.
  const edges: Array<{ x: number; y0: number; y1: number; dir: number }> = [];
  for (const polygon of d[1]!.split('Z').filter(Boolean)) {
    const points = polygon
      .replace(/^M/, '')
      .split('L')
      .map((p) => p.trim().split(/\s+/).map(Number) as [number, number]);
    points.forEach(([x0, y0], i) => {
      const [x1, y1] = points[(i + 1) % points.length]!;
      if (x0 === x1 && y0 !== y1) edges.push({ x: x0, y0: Math.min(y0, y1), y1: Math.max(y0, y1), dir: y1 > y0 ? 1 : -1 });
    });
  }
  const scale = 8;
  const data = new Uint8ClampedArray(width * scale * height * scale * 4).fill(255);
  for (let my = 0; my < height; my++) {
    for (let mx = 0; mx < width; mx++) {
      const cx = minX + mx + 0.5;
      const cy = minY + my + 0.5;
      const winding = edges.filter((e) => e.x > cx && e.y0 < cy && cy < e.y1).reduce((sum, e) => sum + e.dir, 0);
      if (winding === 0) continue;
      for (let py = my * scale; py < (my + 1) * scale; py++) {
        for (let px = mx * scale; px < (mx + 1) * scale; px++) {
          const at = (py * width * scale + px) * 4;
          data[at] = data[at + 1] = data[at + 2] = 0;
        }
      }
    }
  }
  return { data, width: width * scale, height: height * scale };
}

describe('the check-in QR code', () => {
  it.each([
    ['a check-in code', '0123456789abcdef0123456789abcdef'],
    ['another', 'f00dfacecafebabe1234567890abcdef'],
  ])('%s decodes back to the code', (_, code) => {
    const image = rasterise(qrSvg(code));
    const decoded = jsQR(image.data, image.width, image.height);
    expect(decoded?.data).toBe(code);
  });

  it('a different code gives a different image', () => {
    expect(qrSvg('0123456789abcdef0123456789abcdef')).not.toBe(qrSvg('0123456789abcdef0123456789abcdee'));
  });
});
