import { ShapeError, ValueError } from '../errors.js';
import type { DenseMatrix } from '../util/matrix.js';
import { colour, escapeXml, fmtTick, niceTicks, svgOpen, textWidth } from './svg-util.js';

interface Frame {
  x: (v: number) => number;
  y: (v: number) => number;
  svg: string[];
}

/** Axes with ticks and grid lines in the box (left, top, w, h). */
function axes(left: number, top: number, w: number, h: number, xr: [number, number], yr: [number, number], xLabel: string, yLabel: string, integerX = false): Frame {
  let xt = niceTicks(xr[0], xr[1], 6);
  if (integerX) xt = xt.filter((v) => Number.isInteger(v));
  const yt = niceTicks(yr[0], yr[1], 5);
  const x0 = Math.min(xt[0] as number, xr[0]);
  const x1 = Math.max(xt[xt.length - 1] as number, xr[1]);
  const y0 = yt[0] as number;
  const y1 = yt[yt.length - 1] as number;
  const x = (v: number) => left + ((v - x0) / (x1 - x0 || 1)) * w;
  const y = (v: number) => top + h - ((v - y0) / (y1 - y0 || 1)) * h;
  const svg: string[] = [];
  for (const v of yt) {
    svg.push(`<line x1="${left}" x2="${left + w}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e6e6e6"/>`);
    svg.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${fmtTick(v)}</text>`);
  }
  for (const v of xt) {
    if (v < x0 || v > x1) continue;
    svg.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${top + h}" y2="${top + h + 4}" stroke="#888"/>`);
    svg.push(`<text x="${x(v).toFixed(1)}" y="${top + h + 17}" text-anchor="middle" font-size="11" fill="#555">${fmtTick(v)}</text>`);
  }
  svg.push(`<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#bbb"/>`);
  svg.push(`<text x="${left + w / 2}" y="${top + h + 34}" text-anchor="middle" font-size="12" fill="#444">${escapeXml(xLabel)}</text>`);
  svg.push(`<text x="${left - 44}" y="${top + h / 2}" text-anchor="middle" font-size="12" fill="#444" transform="rotate(-90 ${left - 44} ${top + h / 2})">${escapeXml(yLabel)}</text>`);
  return { x, y, svg };
}

/** Options of {@link trainingCurvesSvg}. */
export interface TrainingCurvesSvgOptions {
  /** Chart title (default 'Training curves'). */
  title?: string;
  /** Width of one panel in pixels (default 420). */
  panelWidth?: number;
}

/**
 * Training curves from a Keras-style history (`{ loss: [...], val_loss: [...], accuracy: [...] }`)
 * as an SVG: losses in one panel, every other metric in a second; a `val_` series is dashed in
 * its training series' colour; NaN epochs leave a gap.
 */
export function trainingCurvesSvg(history: Readonly<Record<string, readonly number[]>>, options: TrainingCurvesSvgOptions = {}): string {
  const keys = Object.keys(history);
  if (keys.length === 0) throw new ValueError('history', 'at least one series of per-epoch values', history);
  for (const key of keys) {
    const s = history[key];
    if (!Array.isArray(s) || s.length === 0) throw new ValueError(`history.${key}`, 'a non-empty array of numbers', s);
  }
  const title = options.title ?? 'Training curves';
  const base = (k: string) => k.replace(/^val_/, '');
  const bases = [...new Set(keys.map(base))];
  const isLoss = (k: string) => /loss/i.test(k);
  const panels = [keys.filter(isLoss), keys.filter((k) => !isLoss(k))].filter((p) => p.length > 0);
  const pw = options.panelWidth ?? 420;
  const ph = 260;
  const left = 64;
  const top = 44;
  const legendH = 22 * Math.ceil(keys.length / 3);
  const width = panels.length * (pw + left + 20) + 10;
  const height = top + ph + 48 + legendH;
  const parts: string[] = [svgOpen(width, height, title)];
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600" fill="#222">${escapeXml(title)}</text>`);
  panels.forEach((series, p) => {
    const values = series.flatMap((k) => (history[k] as number[]).filter(Number.isFinite));
    const epochs = Math.max(...series.map((k) => (history[k] as number[]).length));
    const lo = values.length ? Math.min(...values) : 0;
    const hi = values.length ? Math.max(...values) : 1;
    const ox = p * (pw + left + 20) + left;
    const f = axes(ox, top, pw, ph, [1, Math.max(epochs, 2)], [lo, hi], 'epoch', series.every(isLoss) ? 'loss' : 'metric', true);
    parts.push(...f.svg);
    for (const k of series) {
      const c = colour(bases.indexOf(base(k)));
      const dashed = k.startsWith('val_');
      let d = '';
      let pen = false;
      (history[k] as number[]).forEach((v, i) => {
        if (!Number.isFinite(v)) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${f.x(i + 1).toFixed(1)},${f.y(v).toFixed(1)}`;
        pen = true;
      });
      parts.push(`<path class="series" d="${d}" fill="none" stroke="${c}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeXml(k)}</title></path>`);
    }
  });
  let lx = left;
  let ly = top + ph + 56;
  keys.forEach((k, i) => {
    if (i > 0 && i % 3 === 0) {
      lx = left;
      ly += 22;
    }
    const c = colour(bases.indexOf(base(k)));
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${c}" stroke-width="2"${k.startsWith('val_') ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${lx + 30}" y="${ly}" font-size="12" fill="#333">${escapeXml(k)}</text>`);
    lx += 40 + textWidth(k, 12) + 20;
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Options of {@link scatterSvg}. */
export interface ScatterSvgOptions {
  /** Chart title (default '2-D projection'). */
  title?: string;
  /** Name of the horizontal axis. Default `'PC1'`. */
  xLabel?: string;
  /** Name of the vertical axis. Default `'PC2'`. */
  yLabel?: string;
  /**
   * Most points drawn (default 4000): large classes are thinned evenly, small classes are kept
   * whole, so rare attacks stay visible. The legend shows the full counts.
   */
  maxPoints?: number;
  /** Plot size in pixels (default 480). */
  size?: number;
}

/**
 * A 2-D scatter plot (e.g. of {@link data!pca} output) coloured by class, as an SVG: the largest
 * classes are drawn first so that rare classes sit on top, and the legend gives each class's count.
 */
export function scatterSvg(points: DenseMatrix | readonly (readonly number[])[], labels: readonly string[], options: ScatterSvgOptions = {}): string {
  const rows = Array.isArray(points) ? points.length : (points as DenseMatrix).rows;
  const cols = Array.isArray(points) ? ((points[0] as readonly number[] | undefined)?.length ?? 0) : (points as DenseMatrix).cols;
  if (cols < 2) throw new ShapeError('points', 'at least 2 columns', `${cols} columns`);
  if (labels.length !== rows) throw new ShapeError('labels', `${rows} labels (one per point)`, `${labels.length} labels`);
  const at = (i: number, j: number) => (Array.isArray(points) ? ((points[i] as number[])[j] as number) : ((points as DenseMatrix).data[i * cols + j] as number));
  const maxPoints = options.maxPoints ?? 4000;
  const size = options.size ?? 480;
  const title = options.title ?? '2-D projection';
  const byClass = new Map<string, number[]>();
  labels.forEach((l, i) => {
    if (!Number.isFinite(at(i, 0)) || !Number.isFinite(at(i, 1))) return;
    const g = byClass.get(l);
    if (g) g.push(i);
    else byClass.set(l, [i]);
  });
  const classes = [...byClass.entries()].sort((a, b) => b[1].length - a[1].length);
  // Per-class budget: small classes whole, the rest share what is left evenly.
  const budget = new Map<string, number>();
  let left = maxPoints;
  const ascending = [...classes].reverse();
  ascending.forEach(([name, idx], r) => {
    const share = Math.floor(left / (ascending.length - r));
    const take = Math.min(idx.length, Math.max(share, 1));
    budget.set(name, take);
    left -= take;
  });
  let xlo = Infinity;
  let xhi = -Infinity;
  let ylo = Infinity;
  let yhi = -Infinity;
  for (const [, idx] of classes) {
    for (const i of idx) {
      xlo = Math.min(xlo, at(i, 0));
      xhi = Math.max(xhi, at(i, 0));
      ylo = Math.min(ylo, at(i, 1));
      yhi = Math.max(yhi, at(i, 1));
    }
  }
  if (!Number.isFinite(xlo)) throw new ValueError('points', 'at least one finite point', points);
  const legendW = Math.max(...classes.map(([n, idx]) => textWidth(`${n} (${idx.length})`, 12))) + 40;
  const leftM = 64;
  const top = 44;
  const width = leftM + size + 20 + legendW;
  const height = top + size + 50;
  const parts: string[] = [svgOpen(width, height, title)];
  parts.push(`<text x="${leftM + size / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600" fill="#222">${escapeXml(title)}</text>`);
  const f = axes(leftM, top, size, size, [xlo, xhi], [ylo, yhi], options.xLabel ?? 'PC1', options.yLabel ?? 'PC2');
  parts.push(...f.svg);
  classes.forEach(([name, idx], c) => {
    const take = budget.get(name) as number;
    const stride = idx.length / take;
    const dots: string[] = [];
    for (let t = 0; t < take; t++) {
      const i = idx[Math.floor(t * stride)] as number;
      dots.push(`<circle cx="${f.x(at(i, 0)).toFixed(1)}" cy="${f.y(at(i, 1)).toFixed(1)}" r="${idx.length < 100 ? 3.5 : 2.5}"/>`);
    }
    parts.push(`<g class="class" fill="${colour(c)}" fill-opacity="${idx.length < 100 ? 0.95 : 0.55}" stroke="${idx.length < 100 ? '#222' : 'none'}" stroke-width="0.5"><title>${escapeXml(name)}</title>${dots.join('')}</g>`);
  });
  classes.forEach(([name, idx], c) => {
    const y = top + 10 + c * 20;
    const x = leftM + size + 24;
    parts.push(`<circle cx="${x}" cy="${y - 4}" r="5" fill="${colour(c)}"/>`);
    parts.push(`<text x="${x + 12}" y="${y}" font-size="12" fill="#333">${escapeXml(name)} (${idx.length})</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
