// A heatmap of an N×K matrix as a standalone SVG string, the picture the Annotated Transformer
// draws with `plt.imshow(crit.true_dist)`: viridis cells (row 0 at the top), a colour bar with values, row
// and class labels, the values printed in the cells when the matrix is small, and a title.
// Pure string building: no DOM, so it runs the same in Node, browsers, Deno, Bun and workers.
import { describe, flag, numberAtLeast, optional, options, text } from '../validate';
import { normalise, toMatrix, valueRange, type HeatmapData, type Matrix } from './matrix';
import { viridis, viridisRgb } from './viridis';

export type { HeatmapData } from './matrix';

export interface HeatmapOptions {
  /** The number of columns K, for a flat row-major array (arrays of rows know their shape). */
  numClasses?: number;
  /** Drawn above the cells (escaped); also the SVG's accessible `<title>`. */
  title?: string;
  /** The horizontal axis' label; default `'class'`. `''` for none. */
  xLabel?: string;
  /** The vertical axis' label; default `'row'`. `''` for none. */
  yLabel?: string;
  /** One label per row; default `0, 1, …`. */
  rowLabels?: ArrayLike<string | number>;
  /** One label per column; default `0, 1, …`. */
  colLabels?: ArrayLike<string | number>;
  /** The value drawn as viridis' dark end; default the smallest finite value. */
  min?: number;
  /** The value drawn as viridis' bright end; default the largest finite value. */
  max?: number;
  /** Print each cell's value in it: `'auto'` (default) does when there are at most 400 cells and 30 columns. */
  values?: boolean | 'auto';
  /** Decimals of the printed cell values; default 4. */
  decimals?: number;
  /** The side of a cell in px; default 40–60 when values are printed, else what fits `maxWidth`/`maxHeight`. */
  cellSize?: number;
  /** The widest/tallest the cells may get without `cellSize`; default 720 × 720 px. */
  maxWidth?: number;
  maxHeight?: number;
  /** Draw the colour bar; default true. */
  colorBar?: boolean;
  /** Roughly how many values the colour bar labels; default 6. */
  ticks?: number;
  /** Default `'DejaVu Sans, Helvetica, Arial, sans-serif'`. */
  fontFamily?: string;
}

/** How the heatmap was laid out (what `renderHeatmap` drew), for callers that place it. */
export interface HeatmapLayout {
  width: number;
  height: number;
  rows: number;
  cols: number;
  min: number;
  max: number;
  cellWidth: number;
  cellHeight: number;
  /** The printed colour-bar values, bottom to top. */
  ticks: number[];
  valuesShown: boolean;
}

const FONT = 12;
const TITLE_FONT = 14;
const PAD = 10;
const NAN_FILL = '#c8c8c8';

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Rough width of `s` in px at `size`: DejaVu/Helvetica digits are 0.55–0.64 em wide. */
function textWidth(s: string, size = FONT): number {
  return s.length * size * 0.62;
}

const px = (n: number): string => String(Math.round(n * 100) / 100);

/** A cell's printed value. */
export function formatValue(v: number, decimals: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  if (Math.abs(v) >= 1e5) return v.toPrecision(3).replace('-', '−');
  const s = v.toFixed(decimals);
  // −0.0000 reads as a sign error: print 0.0000.
  return (Number(s) === 0 ? s.replace('-', '') : s).replace('-', '−');
}

/** Round colour-bar values (1, 2, 2.5 or 5 × 10^k apart) inside [lo, hi], about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 6): { ticks: number[]; decimals: number } {
  if (!(hi > lo)) return { ticks: [lo], decimals: decimalsOf(lo) };
  const raw = (hi - lo) / Math.max(1, target - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * 0.999) ?? 10 * magnitude;
  const quarter = Math.round((step / magnitude) * 10) === 25; // 2.5 × 10^k needs one more decimal
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (quarter ? 1 : 0));
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let i = first; i * step <= hi + step * 1e-9; i++) ticks.push(Number((i * step).toFixed(Math.min(20, decimals + 2))));
  return { ticks, decimals };
}

/** The smallest of 1, 2, 5, 10, 20, 50, … that is at least `n`: every n-th label is drawn. */
function niceStep(n: number): number {
  for (let m = 1; ; m *= 10) for (const f of [1, 2, 5]) if (f * m >= n) return f * m;
}

function decimalsOf(v: number): number {
  if (!Number.isFinite(v) || Number.isInteger(v)) return 0;
  return Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(Math.abs(v)))));
}

function textColourOn(fill: string): string {
  const rgb = fill.startsWith('#') && fill.length === 7 ? [1, 3, 5].map((i) => parseInt(fill.slice(i, i + 2), 16) / 255) : [0.8, 0.8, 0.8];
  const luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  return luminance > 0.5 ? '#000000' : '#ffffff';
}

/** One label per row or column: an array of strings or numbers; default 0, 1, …. */
function labels(where: string, what: string, given: unknown, count: number): string[] {
  const expected = `one label per ${what === 'rowLabels' ? 'row' : 'column'} (${count})`;
  const list = optional<ArrayLike<unknown> | undefined>(where, `options.${what}`, given, undefined, (w, n, v) => {
    if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<unknown>).length !== 'number') {
      throw new TypeError(`${w}: ${n} must be an array with ${expected}, received ${describe(v)}`);
    }
    return v as ArrayLike<unknown>;
  });
  if (list === undefined) return Array.from({ length: count }, (_, i) => String(i));
  if (list.length !== count) throw new RangeError(`${where}: options.${what} must have ${expected}, received ${list.length}`);
  return Array.from(list, (s) => String(s));
}

/** `true`, `false` or `'auto'`. */
function valuesChoice(where: string, what: string, v: unknown): boolean | 'auto' {
  if (v !== 'auto' && typeof v !== 'boolean') throw new TypeError(`${where}: ${what} must be true, false or 'auto', received ${describe(v)}`);
  return v;
}

interface Prepared {
  m: Matrix;
  o: HeatmapOptions;
  layout: HeatmapLayout;
  tickDecimals: number;
  rowLabels: string[];
  colLabels: string[];
  decimals: number;
}

function prepare(where: string, data: unknown, rawOptions: unknown): Prepared {
  const o: HeatmapOptions = options<HeatmapOptions>(where, rawOptions);
  const m = toMatrix(where, data, o.numClasses);
  const [min, max] = valueRange(where, m, o.min, o.max);
  const decimals = Math.round(optional(where, 'options.decimals', o.decimals, 4, numberAtLeast(0)));
  const values = optional(where, 'options.values', o.values, 'auto', valuesChoice);
  const valuesShown = values === 'auto' ? m.rows * m.cols <= 400 && m.cols <= 30 : values;
  const ticksWanted = Math.round(optional(where, 'options.ticks', o.ticks, 6, numberAtLeast(2)));
  const { ticks, decimals: tickDecimals } = niceTicks(min, max, ticksWanted);

  const cellSize = optional<number | undefined>(where, 'options.cellSize', o.cellSize, undefined, numberAtLeast(0.01));
  const maxWidth = optional(where, 'options.maxWidth', o.maxWidth, 720, numberAtLeast(1));
  const maxHeight = optional(where, 'options.maxHeight', o.maxHeight, 720, numberAtLeast(1));

  let cellWidth: number;
  let cellHeight: number;
  if (cellSize !== undefined) {
    cellWidth = cellHeight = cellSize;
  } else if (valuesShown) {
    let widest = 0;
    for (const v of m.values) widest = Math.max(widest, textWidth(formatValue(v, decimals)));
    cellWidth = cellHeight = Math.min(90, Math.max(40, Math.ceil(widest + 14)));
  } else {
    let w = Math.min(40, maxWidth / m.cols);
    let h = Math.min(40, maxHeight / m.rows);
    // Square cells, unless that would make the picture a sliver.
    if (h > w) h = Math.max(w, Math.min(h, 240 / m.rows));
    else if (w > h) w = Math.max(h, Math.min(w, 240 / m.cols));
    cellWidth = w;
    cellHeight = h;
  }
  const layout: HeatmapLayout = { width: 0, height: 0, rows: m.rows, cols: m.cols, min, max, cellWidth, cellHeight, ticks, valuesShown };
  return { m, o, layout, tickDecimals, rowLabels: labels(where, 'rowLabels', o.rowLabels, m.rows), colLabels: labels(where, 'colLabels', o.colLabels, m.cols), decimals };
}

/** The fill of a value: viridis, or grey for NaN. */
export function heatmapColour(v: number, min: number, max: number): string {
  return viridis(normalise(v, min, max)) ?? NAN_FILL;
}

/**
 * Renders an N×K matrix (the smoothed targets, a softmax, a gradient…) as a standalone SVG
 * document string. `data` is an array of rows, or a flat row-major array with
 * `options.numClasses`. Each cell is a `<rect class="cell">` with `data-row`, `data-col` and
 * `data-value` attributes.
 */
export function renderHeatmap(data: HeatmapData, options?: HeatmapOptions): string {
  return renderHeatmapWithLayout(data, options).svg;
}

/** `renderHeatmap`, with the layout it used. */
export function renderHeatmapWithLayout(data: HeatmapData, options?: HeatmapOptions): { svg: string; layout: HeatmapLayout } {
  const where = 'renderHeatmap';
  const p = prepare(where, data, options);
  const { m, o, layout } = p;
  const { rows, cols, cellWidth: cw, cellHeight: ch, min, max } = layout;
  const title = optional(where, 'options.title', o.title, '', text);
  const xLabel = optional(where, 'options.xLabel', o.xLabel, 'class', text);
  const yLabel = optional(where, 'options.yLabel', o.yLabel, 'row', text);
  const font = optional(where, 'options.fontFamily', o.fontFamily, 'DejaVu Sans, Helvetica, Arial, sans-serif', text);
  const colourBar = optional(where, 'options.colorBar', o.colorBar, true, flag);

  // Which row/column labels fit without overlapping.
  const widestCol = Math.max(...p.colLabels.map((s) => textWidth(s)));
  const colStep = niceStep(Math.ceil((widestCol + 6) / cw));
  const rowStep = niceStep(Math.ceil((FONT + 2) / ch));
  const widestRow = Math.max(...p.rowLabels.filter((_, i) => i % rowStep === 0).map((s) => textWidth(s)));

  const gridW = cols * cw;
  const gridH = rows * ch;
  const titleH = title ? TITLE_FONT + 14 : 0;
  const yLabelW = yLabel ? FONT + 10 : 0;
  const left = PAD + yLabelW + widestRow + 8;
  const top = PAD + titleH;
  const barH = colourBar ? Math.max(gridH, 120) : 0;
  const plotH = Math.max(gridH, barH);
  const barX = left + gridW + 18;
  const barW = 16;
  const tickLabels = p.layout.ticks.map((t) => formatValue(t, p.tickDecimals));
  const barLabelW = colourBar ? Math.max(...tickLabels.map((s) => textWidth(s))) : 0;
  const right = colourBar ? barX + barW + 6 + barLabelW + PAD : left + gridW + PAD;
  const colTickH = FONT + 8;
  const xLabelH = xLabel ? FONT + 10 : 0;
  const width = Math.ceil(Math.max(right, textWidth(title, TITLE_FONT) + 2 * PAD));
  const height = Math.ceil(top + plotH + colTickH + xLabelH + PAD);
  layout.width = width;
  layout.height = height;

  const out: string[] = [];
  const accessible = title || `heatmap of a ${rows}×${cols} matrix`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="${escapeXml(font)}" font-size="${FONT}" data-rows="${rows}" data-cols="${cols}" data-min="${min}" data-max="${max}">`,
    `<title>${escapeXml(accessible)}</title>`,
    `<rect class="background" width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  if (title) {
    out.push(`<text class="title" x="${px(width / 2)}" y="${px(PAD + TITLE_FONT)}" text-anchor="middle" font-size="${TITLE_FONT}" font-weight="bold" fill="#000000">${escapeXml(title)}</text>`);
  }

  // Cells, row 0 at the top (imshow's default origin).
  const tooltips = rows * cols <= 2500;
  out.push('<g class="cells" shape-rendering="crispEdges">');
  const fills: string[] = new Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < cols; k++) {
      const v = m.values[i * cols + k];
      const fill = heatmapColour(v, min, max);
      fills[i * cols + k] = fill;
      const tip = tooltips ? `<title>${escapeXml(`${yLabel || 'row'} ${p.rowLabels[i]}, ${xLabel || 'column'} ${p.colLabels[k]}: ${formatValue(v, Math.max(p.decimals, 4))}`)}</title>` : '';
      const attrs = `class="cell" x="${px(left + k * cw)}" y="${px(top + i * ch)}" width="${px(cw)}" height="${px(ch)}" fill="${fill}" data-row="${i}" data-col="${k}" data-value="${v}"`;
      out.push(tip ? `<rect ${attrs}>${tip}</rect>` : `<rect ${attrs}/>`);
    }
  }
  out.push('</g>');
  out.push(`<rect class="frame" x="${px(left)}" y="${px(top)}" width="${px(gridW)}" height="${px(gridH)}" fill="none" stroke="#000000" stroke-width="1"/>`);

  if (layout.valuesShown) {
    out.push(`<g class="values" text-anchor="middle" font-size="${cw < 46 ? 10 : 11}">`);
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < cols; k++) {
        const v = m.values[i * cols + k];
        const fill = fills[i * cols + k];
        out.push(`<text class="value" x="${px(left + (k + 0.5) * cw)}" y="${px(top + (i + 0.5) * ch)}" dy="0.35em" fill="${textColourOn(fill)}" data-row="${i}" data-col="${k}">${escapeXml(formatValue(v, p.decimals))}</text>`);
      }
    }
    out.push('</g>');
  }

  // Row labels (left of the cells) and class labels (below).
  out.push('<g class="row-ticks" text-anchor="end" fill="#000000">');
  for (let i = 0; i < rows; i += rowStep) {
    out.push(`<text class="row-tick" x="${px(left - 6)}" y="${px(top + (i + 0.5) * ch)}" dy="0.35em">${escapeXml(p.rowLabels[i])}</text>`);
  }
  out.push('</g>');
  out.push('<g class="col-ticks" text-anchor="middle" fill="#000000">');
  for (let k = 0; k < cols; k += colStep) {
    out.push(`<text class="col-tick" x="${px(left + (k + 0.5) * cw)}" y="${px(top + gridH + FONT + 4)}">${escapeXml(p.colLabels[k])}</text>`);
  }
  out.push('</g>');
  if (xLabel) {
    out.push(`<text class="x-label" x="${px(left + gridW / 2)}" y="${px(top + plotH + colTickH + FONT + 4)}" text-anchor="middle" fill="#000000">${escapeXml(xLabel)}</text>`);
  }
  if (yLabel) {
    const x = PAD + FONT;
    const y = top + gridH / 2;
    out.push(`<text class="y-label" x="${px(x)}" y="${px(y)}" text-anchor="middle" transform="rotate(-90 ${px(x)} ${px(y)})" fill="#000000">${escapeXml(yLabel)}</text>`);
  }

  if (colourBar) {
    // Bands of the colour map (no gradient ids, so several heatmaps can share a page), max on top.
    const bands = Math.max(2, Math.min(256, Math.round(barH)));
    out.push(`<g class="colorbar" data-min="${min}" data-max="${max}">`);
    out.push('<g class="colorbar-bands" shape-rendering="crispEdges">');
    for (let b = 0; b < bands; b++) {
      const t = b / (bands - 1);
      const y0 = top + barH * (1 - (b + 1) / bands);
      out.push(`<rect x="${px(barX)}" y="${px(y0)}" width="${barW}" height="${px(barH / bands + 0.5)}" fill="${viridis(t)}"/>`);
    }
    out.push('</g>');
    out.push(`<rect class="colorbar-frame" x="${px(barX)}" y="${px(top)}" width="${barW}" height="${px(barH)}" fill="none" stroke="#000000" stroke-width="1"/>`);
    out.push('<g class="colorbar-ticks" fill="#000000">');
    layout.ticks.forEach((t, j) => {
      const y = top + barH * (1 - normalise(t, min, max === min ? min + 1 : max));
      out.push(
        `<line x1="${px(barX + barW)}" y1="${px(y)}" x2="${px(barX + barW + 4)}" y2="${px(y)}" stroke="#000000" stroke-width="1"/>`,
        `<text class="colorbar-tick" x="${px(barX + barW + 6)}" y="${px(y)}" dy="0.35em" data-value="${t}">${escapeXml(tickLabels[j])}</text>`,
      );
    });
    out.push('</g></g>');
  }
  out.push('</svg>');
  return { svg: `${out.join('\n')}\n`, layout };
}

export { viridis, viridisRgb };
