/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A colour-blind-friendly categorical palette (Okabe-Ito, then Tableau). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#8c564b', '#7f7f7f', '#bcbd22', '#17becf', '#9467bd', '#e377c2', '#aec7e8', '#ffbb78'];

/** Colour of series/class `i`. */
export function colour(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

/** Round-number axis ticks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) {
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceTicks(lo - d, hi + d, target);
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks[ticks.length - 1] as number) < hi) ticks.push(Number(((ticks[ticks.length - 1] as number) + step).toPrecision(12)));
  return ticks;
}

/** Short number format for tick labels. */
export function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** Linear interpolation between two hex colours. */
export function mix(from: string, to: string, t: number): string {
  const p = (h: string, i: number) => parseInt(h.slice(1 + 2 * i, 3 + 2 * i), 16);
  const c = [0, 1, 2].map((i) => Math.round(p(from, i) + (p(to, i) - p(from, i)) * Math.min(1, Math.max(0, t))));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** A sequential blue scale for fractions in [0, 1] (light to dark, through three stops). */
export function blues(t: number): string {
  return t < 0.5 ? mix('#f7fbff', '#6baed6', t * 2) : mix('#6baed6', '#08306b', (t - 0.5) * 2);
}

/** Approximate rendered width of `s` at `fontSize` in a sans-serif font. */
export function textWidth(s: string, fontSize: number): number {
  return s.length * fontSize * 0.58;
}

/** Opens an SVG document with a white background and a shared font. */
export function svgOpen(width: number, height: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" ` +
    `font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" role="img" aria-label="${escapeXml(title)}">` +
    `<title>${escapeXml(title)}</title><rect width="100%" height="100%" fill="#ffffff"/>`
  );
}
