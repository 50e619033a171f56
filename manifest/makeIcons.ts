/**
 * Draws the Teams app icons: a white shield with a clock (Trygghetsjouren: safety, at night) on a
 * Göteborg blue. `npx tsx manifest/makeIcons.ts` rewrites manifest/color.png and manifest/outline.png;
 * the drawing is deterministic, so the committed files are exactly what this script produces.
 *
 * Teams' rules: color icon 192×192, full colour; outline icon 32×32, white on a transparent
 * background (no other colours). The outline is drawn with hard edges so that every pixel is either
 * opaque white or fully transparent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng, type RgbaImage } from './png';

/** The accent colour, also used as the manifest's accentColor. */
export const ACCENT_COLOR = '#005AA0';

const BLUE: [number, number, number] = [0x00, 0x5a, 0xa0];
const WHITE: [number, number, number] = [0xff, 0xff, 0xff];

type Region = 'background' | 'shield' | 'mark';

interface Geometry {
  /** Clock radius (to the middle of the ring), in icon widths. */
  clockRadius: number;
  /** Ring and hand thickness, in icon widths. */
  stroke: number;
  /** Height of the clock's centre, in icon heights (on a pixel boundary for the small icon). */
  centreY: number;
}

/** Which part of the picture the point (u, v) in [0,1]² falls in. */
function regionAt(u: number, v: number, g: Geometry): Region {
  const halfWidth = 0.3;
  const shoulder = 0.56;
  const tip = 0.88;
  const dx = (u - 0.5) / halfWidth;
  const top = 0.14 + 0.05 * dx * dx;
  if (v < top || v > tip || Math.abs(dx) > 1) {
    return 'background';
  }
  const t = v <= shoulder ? 0 : (v - shoulder) / (tip - shoulder);
  if (Math.abs(u - 0.5) > halfWidth * (1 - Math.pow(t, 1.6))) {
    return 'background';
  }
  const cx = 0.5;
  const cy = g.centreY;
  const r = Math.hypot(u - cx, v - cy);
  const half = g.stroke / 2;
  if (Math.abs(r - g.clockRadius) <= half) {
    return 'mark';
  }
  // Hands: minute hand up to 12, hour hand towards 3, and a hub.
  const minute = Math.abs(u - cx) <= half && v <= cy + half && v >= cy - g.clockRadius * 0.72;
  const hour = Math.abs(v - cy) <= half && u >= cx - half && u <= cx + g.clockRadius * 0.55;
  if (minute || hour || r <= g.stroke * 0.8) {
    return 'mark';
  }
  return 'shield';
}

/** Samples each pixel on an n×n grid and returns the share of samples in each region. */
function coverage(size: number, g: Geometry, x: number, y: number, n: number): Record<Region, number> {
  const share: Record<Region, number> = { background: 0, shield: 0, mark: 0 };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const u = (x + (i + 0.5) / n) / size;
      const v = (y + (j + 0.5) / n) / size;
      share[regionAt(u, v, g)] += 1 / (n * n);
    }
  }
  return share;
}

/** The 192×192 full-colour icon: white shield, blue clock, blue background (anti-aliased). */
export function drawColorIcon(): RgbaImage {
  const size = 192;
  const g: Geometry = { clockRadius: 0.15, stroke: 0.035, centreY: 0.45 };
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const share = coverage(size, g, x, y, 4);
      const white = share.shield;
      for (let c = 0; c < 3; c++) {
        data[(y * size + x) * 4 + c] = Math.round(WHITE[c] * white + BLUE[c] * (1 - white));
      }
      data[(y * size + x) * 4 + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

/** The 32×32 outline icon: white shield with the clock cut out, on transparent; hard edges. */
export function drawOutlineIcon(): RgbaImage {
  const size = 32;
  const g: Geometry = { clockRadius: 0.19, stroke: 0.0625, centreY: 15 / 32 };
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = coverage(size, g, x, y, 4).shield >= 0.5;
      data.set(on ? [255, 255, 255, 255] : [0, 0, 0, 0], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

/** Both icons as PNG files, keyed by the file names the manifest uses. */
export function makeIcons(): { 'color.png': Buffer; 'outline.png': Buffer } {
  return { 'color.png': encodePng(drawColorIcon()), 'outline.png': encodePng(drawOutlineIcon()) };
}

if (require.main === module) {
  for (const [name, png] of Object.entries(makeIcons())) {
    writeFileSync(join(__dirname, name), png);
    console.log(`wrote manifest/${name} (${png.length} bytes)`);
  }
}
