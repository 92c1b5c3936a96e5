// Printing and writing: tables, float32 numbers, plot files.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { deflateSync } from 'node:zlib';
import { renderHeatmap, renderHeatmapPng, type HeatmapOptions } from '../index';
import { RuntimeFailure, UsageError } from './args';

/** The shortest decimal that reads back as the same float32 (e.g. 0.16666667, not 0.1666666716…). */
export function float32String(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  if (f !== v) return String(v); // not a float32: a float64 total
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(v);
}

/** A number for JSON output: finite numbers as they are, NaN and ±Infinity as null. */
export function jsonNumber(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** A fixed-decimals number for tables. */
export function fixed(v: number, decimals: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const s = v.toFixed(decimals);
  return Number(s) === 0 ? s.replace('-', '') : s;
}

/** The matrix as aligned text: a header of class numbers, one line per row with its label and note. */
export function table(values: ArrayLike<number>, rows: number, cols: number, rowLabels: string[], notes: string[], decimals: number): string {
  const cells = Array.from({ length: rows * cols }, (_, i) => fixed(values[i], decimals));
  const width = Math.max(...cells.map((s) => s.length), ...Array.from({ length: cols }, (_, k) => `class ${k}`.length)) + 2;
  const labelWidth = Math.max(...rowLabels.map((s) => s.length));
  const lines = [`${' '.repeat(labelWidth)}  ${Array.from({ length: cols }, (_, k) => `class ${k}`.padStart(width)).join('')}`];
  for (let i = 0; i < rows; i++) {
    const row = cells.slice(i * cols, i * cols + cols).map((s) => s.padStart(width)).join('');
    lines.push(`${rowLabels[i].padEnd(labelWidth)}  ${row}${notes[i] ? `  ${notes[i]}` : ''}`);
  }
  return lines.join('\n');
}

/** Checks a --plot path: it must end in .svg or .png. */
export function plotKind(command: string, option: string, file: string): 'svg' | 'png' {
  const ext = extname(file).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.png') return 'png';
  throw new UsageError(`--${option} ${file}: the file name must end in .svg (a labelled heatmap) or .png (cells and colour bar, no text)`, command);
}

/** Writes the heatmap of a flat N×K matrix to `file` (SVG or PNG by its extension). */
export function writePlot(file: string, kind: 'svg' | 'png', values: ArrayLike<number>, cols: number, options: HeatmapOptions): void {
  let bytes: string | Uint8Array;
  try {
    bytes = kind === 'svg'
      ? renderHeatmap(values, { ...options, numClasses: cols })
      : renderHeatmapPng(values, { numClasses: cols, min: options.min, max: options.max, deflate: (b) => new Uint8Array(deflateSync(b)) });
  } catch (e) {
    throw new RuntimeFailure(`could not draw the heatmap: ${(e as Error).message}`);
  }
  writeFile(file, bytes);
}

export function writeFile(file: string, content: string | Uint8Array): void {
  try {
    writeFileSync(file, content);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new RuntimeFailure(`could not write ${file}: ${err.code === 'ENOENT' ? 'its directory does not exist' : err.message}`);
  }
}
