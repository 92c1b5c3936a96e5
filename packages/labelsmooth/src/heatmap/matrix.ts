// The matrix a heatmap shows: a flat row-major array with its column count, or an array of rows.
// Shared by the SVG and PNG renderers.
import { describe, finiteNumber, optional, positiveInteger, rowCount } from '../validate';

/** A matrix: an array of rows, or a flat row-major array (then `numClasses` gives the columns). */
export type HeatmapData = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

export interface Matrix {
  rows: number;
  cols: number;
  /** Row-major, `rows × cols` values. */
  values: Float64Array;
}

/** The largest matrix a heatmap draws (one SVG element per cell). */
export const MAX_CELLS = 250_000;

function isRowArray(data: HeatmapData): data is ArrayLike<ArrayLike<number>> {
  return data.length > 0 && typeof data[0] === 'object' && data[0] !== null;
}

/** Validates `data` and returns it as a row-major matrix. */
export function toMatrix(where: string, data: unknown, numClasses: unknown): Matrix {
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError(`${where}: data must be an array of numbers (with options.numClasses) or an array of rows, received ${describe(data)}`);
  }
  const input = data as HeatmapData;
  const k = optional<number | undefined>(where, 'options.numClasses', numClasses, undefined, positiveInteger);
  let rows: number;
  let cols: number;
  let values: Float64Array;
  if (isRowArray(input)) {
    rows = input.length;
    cols = input[0].length;
    if (k !== undefined && k !== cols) {
      throw new RangeError(`${where}: options.numClasses (${k}) disagrees with the length of data[0] (${cols})`);
    }
    values = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = input[i];
      if (row === null || typeof row !== 'object' || row.length !== cols) {
        throw new RangeError(`${where}: every row must have ${cols} values like data[0], data[${i}] has ${row === null || typeof row !== 'object' ? describe(row) : row.length}`);
      }
      for (let k = 0; k < cols; k++) values[i * cols + k] = number(where, `data[${i}][${k}]`, row[k]);
    }
  } else {
    if (k === undefined) {
      throw new TypeError(`${where}: a flat array needs options.numClasses (the number of columns), received undefined`);
    }
    cols = k;
    rows = rowCount(where, 'data', input.length, cols);
    values = new Float64Array(input.length);
    for (let i = 0; i < input.length; i++) values[i] = number(where, `data[${i}]`, (input as ArrayLike<number>)[i]);
  }
  if (rows === 0 || cols === 0) throw new RangeError(`${where}: data is empty (${rows}×${cols}); a heatmap needs at least one cell`);
  if (rows * cols > MAX_CELLS) {
    throw new RangeError(`${where}: data has ${rows}×${cols} = ${rows * cols} cells, more than the ${MAX_CELLS} a heatmap draws; plot a slice`);
  }
  return { rows, cols, values };
}

function number(where: string, what: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${what} must be a number, received ${describe(v)}`);
  return v;
}

/** The colour scale's range: the options' min/max, else the finite values' extremes. */
export function valueRange(where: string, m: Matrix, min: unknown, max: unknown): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of m.values) {
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) [lo, hi] = [0, 0]; // no finite value
  const a = optional(where, 'options.min', min, lo, finiteNumber);
  const b = optional(where, 'options.max', max, hi, finiteNumber);
  if (a > b) throw new RangeError(`${where}: options.min (${a}) must not exceed options.max (${b})`);
  return [a, b];
}

/** Where `v` falls in [lo, hi], clipped to [0, 1] (0 when lo = hi, like matplotlib; NaN stays NaN). */
export function normalise(v: number, lo: number, hi: number): number {
  if (Number.isNaN(v)) return NaN;
  if (v === Infinity) return 1;
  if (v === -Infinity) return 0;
  if (hi <= lo) return 0;
  return Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
}
