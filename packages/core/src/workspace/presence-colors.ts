// Presence colours: who is who in avatars, cursors and name labels. Twelve colours chosen so that every pair
// stays far apart in OKLab (ΔE ≥ 0.13, where 0.02 is barely noticeable) while white name labels on each keep
// WCAG AA contrast (≥ 4.5:1). They are in farthest-first order, so the first few people in a workspace get the
// most distinct ones. A member's seat is their place in the workspace's join order, so the first twelve
// members never share a colour (a hash of the user id would make two of three people collide now and then).

export const presencePalette = [
  '#0038f8',
  '#e80000',
  '#008800',
  '#c800e0',
  '#685070',
  '#a06800',
  '#7860d8',
  '#b00078',
  '#008088',
  '#a02818',
  '#585800',
  '#8800c0',
] as const;

/** The colour of the member at `seat` (0 for the first to join), wrapping after twelve. */
export function presenceColor(seat: number): string {
  const n = presencePalette.length;
  const index = Number.isInteger(seat) && seat >= 0 ? seat % n : 0;
  return presencePalette[index] ?? presencePalette[0];
}

export type Rgb = readonly [number, number, number];

/** `#rrggbb` to 0–255 channels; throws on anything else (palette entries are ours). */
export function hexToRgb(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1] ?? '0', 16), parseInt(m[2] ?? '0', 16), parseInt(m[3] ?? '0', 16)];
}

function linear(channel: number): number {
  const s = channel / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2 relative luminance. */
export function luminance([r, g, b]: Rgb): number {
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio, 1 to 21. */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Björn Ottosson's OKLab: a perceptual space where Euclidean distance tracks how different colours look. */
export function oklab([r, g, b]: Rgb): [number, number, number] {
  const [lr, lg, lb] = [linear(r), linear(g), linear(b)];
  const l = Math.cbrt(0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb);
  const m = Math.cbrt(0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb);
  const s = Math.cbrt(0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

/** ΔE in OKLab (0 = identical, about 0.02 = just noticeable). */
export function deltaEOK(a: Rgb, b: Rgb): number {
  const [x, y] = [oklab(a), oklab(b)];
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}
