import { ValueError } from '../errors.js';
import type { ConfusionMatrix } from './confusion-matrix.js';
import { blues, escapeXml, svgOpen, textWidth } from './svg-util.js';

/** Options of {@link confusionMatrixSvg}. */
export interface ConfusionMatrixSvgOptions {
  /** Chart title (default 'Confusion matrix'). */
  title?: string;
  /**
   * Colour by the fraction of each true class (`'true'`, default: a 10-flow class and a
   * 100,000-flow class are equally readable) or by raw count (`'none'`, log scale).
   */
  normalize?: 'true' | 'none';
  /** Cell size in pixels (default: 44, smaller for many classes). */
  cellSize?: number;
}

/**
 * A confusion-matrix heat map as a standalone SVG string: rows are true classes, columns
 * predictions; each cell shows its count and its share of the true class; the diagonal is
 * outlined; a colour bar explains the scale.
 */
export function confusionMatrixSvg(cm: ConfusionMatrix, options: ConfusionMatrixSvgOptions = {}): string {
  const k = cm.labels.length;
  if (k === 0 || cm.matrix.length !== k) throw new ValueError('cm', 'a confusionMatrix() result', cm);
  const normalize = options.normalize ?? 'true';
  if (normalize !== 'true' && normalize !== 'none') throw new ValueError('normalize', "'true' or 'none'", normalize);
  const title = options.title ?? 'Confusion matrix';
  const size = options.cellSize ?? (k <= 8 ? 56 : k <= 16 ? 44 : 30);
  const names = cm.labels.map(String);
  const font = size >= 40 ? 12 : 10;
  const labelW = Math.max(...names.map((n) => textWidth(n, font))) + 12;
  const left = labelW + 28;
  const top = 48;
  const gridW = size * k;
  const bottom = labelW * 0.72 + 40;
  const width = left + gridW + 90;
  const height = top + gridW + bottom;
  const rowSums = cm.matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const maxCount = Math.max(1, ...cm.matrix.flat());
  const shade = (i: number, v: number) =>
    normalize === 'true' ? ((rowSums[i] as number) > 0 ? v / (rowSums[i] as number) : 0) : Math.log1p(v) / Math.log1p(maxCount);
  const parts: string[] = [svgOpen(width, height, title)];
  parts.push(`<text x="${left + gridW / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600" fill="#222">${escapeXml(title)}</text>`);
  for (let i = 0; i < k; i++) {
    const row = cm.matrix[i] as number[];
    for (let j = 0; j < k; j++) {
      const v = row[j] as number;
      const t = shade(i, v);
      const x = left + j * size;
      const y = top + i * size;
      const pct = (rowSums[i] as number) > 0 ? (100 * v) / (rowSums[i] as number) : 0;
      parts.push(`<rect class="cell" x="${x}" y="${y}" width="${size}" height="${size}" fill="${blues(t)}" stroke="#ffffff" stroke-width="1"><title>true ${escapeXml(names[i] as string)}, predicted ${escapeXml(names[j] as string)}: ${v} (${pct.toFixed(1)}% of the class)</title></rect>`);
      // Empty cells stay blank so that the errors stand out.
      if (v > 0) {
        const ink = t > 0.55 ? '#ffffff' : '#1a1a1a';
        const cy = y + size / 2;
        parts.push(`<text x="${x + size / 2}" y="${size >= 40 ? cy - 2 : cy + 4}" text-anchor="middle" font-size="${font}" fill="${ink}">${v}</text>`);
        if (size >= 40) parts.push(`<text x="${x + size / 2}" y="${cy + 12}" text-anchor="middle" font-size="${font - 3}" fill="${ink}" opacity="0.85">${pct.toFixed(pct >= 10 || pct === 0 ? 0 : 1)}%</text>`);
      }
    }
    parts.push(`<rect x="${left + i * size + 1}" y="${top + i * size + 1}" width="${size - 2}" height="${size - 2}" fill="none" stroke="#d55e00" stroke-width="1.5" opacity="0.7"/>`);
    parts.push(`<text x="${left - 8}" y="${top + i * size + size / 2 + 4}" text-anchor="end" font-size="${font}" fill="#222">${escapeXml(names[i] as string)}</text>`);
    const cx = left + i * size + size / 2;
    const cy = top + gridW + 10;
    parts.push(`<text x="${cx}" y="${cy}" text-anchor="end" font-size="${font}" fill="#222" transform="rotate(-45 ${cx} ${cy})">${escapeXml(names[i] as string)}</text>`);
  }
  parts.push(`<text x="14" y="${top + gridW / 2}" text-anchor="middle" font-size="13" fill="#444" transform="rotate(-90 14 ${top + gridW / 2})">True class</text>`);
  parts.push(`<text x="${left + gridW / 2}" y="${height - 10}" text-anchor="middle" font-size="13" fill="#444">Predicted class</text>`);
  // Colour bar.
  const barX = left + gridW + 24;
  const steps = 20;
  for (let s = 0; s < steps; s++) {
    const t = 1 - s / (steps - 1);
    parts.push(`<rect x="${barX}" y="${top + (s * gridW) / steps}" width="14" height="${gridW / steps + 0.5}" fill="${blues(t)}"/>`);
  }
  parts.push(`<rect x="${barX}" y="${top}" width="14" height="${gridW}" fill="none" stroke="#999" stroke-width="0.5"/>`);
  const [hiLabel, loLabel] = normalize === 'true' ? ['100%', '0%'] : [String(maxCount), '0'];
  parts.push(`<text x="${barX + 18}" y="${top + 9}" font-size="10" fill="#444">${hiLabel}</text>`);
  parts.push(`<text x="${barX + 18}" y="${top + gridW}" font-size="10" fill="#444">${loLabel}</text>`);
  parts.push(`<text x="${barX + 7}" y="${top + gridW + 16}" text-anchor="middle" font-size="9" fill="#666">${normalize === 'true' ? 'of class' : 'log count'}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
