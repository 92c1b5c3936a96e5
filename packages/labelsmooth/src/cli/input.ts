// Reading the logits and targets of `labelsmooth loss` from JSON or CSV (a file or stdin).
import { RuntimeFailure } from './args';

export interface LossInput {
  /** N×K, row-major. */
  logits: Float32Array;
  rows: number;
  numClasses: number;
  /** From the data; undefined when the data has none (then --target gives them). */
  target?: number[];
}

const TARGET_KEYS = ['target', 'targets', 'labels', 'label', 'y'];

export const INPUT_HELP = `Input (a file, or stdin when FILE is - or absent):
  JSON  {"logits": [[…K numbers…], …], "target": [2, 1, 0]}   (also "targets"/"labels";
        flat "logits" with "numClasses": K; or just the array of logit rows with --target)
  CSV   one row per line: the target class, then the K logits   (2,0,0.2,0.7,0.1,0)
        with a header line, the column named target (or label, y) holds the targets;
        with --target, every column is a logit. Blank lines and lines starting with # are skipped.
  The format is --format's, else the file name's (.json, .csv), else the content's.`;

function fail(source: string, message: string): never {
  throw new RuntimeFailure(`${source}: ${message}`);
}

function logitValue(source: string, where: string, v: unknown): number {
  if (typeof v === 'number') return v;
  // JSON has no NaN or Infinity: accept them as strings.
  if (typeof v === 'string' && /^[+-]?(inf|infinity|nan)$/i.test(v.trim())) return Number(v.trim().replace(/^([+-]?)inf(inity)?$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN'));
  return fail(source, `${where} must be a number, found ${JSON.stringify(v)}`);
}

function classIndex(source: string, where: string, v: unknown): number {
  const n = typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) fail(source, `${where} must be an integer class index, found ${JSON.stringify(v)}`);
  return n;
}

export function parseJson(source: string, text: string): LossInput {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail(source, `not valid JSON (${(e as Error).message})`);
  }
  let logitsValue: unknown;
  let target: number[] | undefined;
  let declaredK: unknown;
  if (Array.isArray(data)) {
    logitsValue = data;
  } else if (data !== null && typeof data === 'object') {
    const obj = data as Record<string, unknown>;
    if (!('logits' in obj)) fail(source, `the JSON object needs a "logits" key (found ${Object.keys(obj).map((k) => JSON.stringify(k)).join(', ') || 'no keys'})`);
    logitsValue = obj.logits;
    declaredK = obj.numClasses ?? obj.num_classes;
    const key = TARGET_KEYS.find((k) => k in obj);
    if (key !== undefined) {
      const t = obj[key];
      if (!Array.isArray(t)) fail(source, `"${key}" must be an array of class indices`);
      target = t.map((v, i) => classIndex(source, `"${key}"[${i}]`, v));
    }
  } else {
    fail(source, 'the JSON must be an object with "logits" (and "target"), or an array of logit rows');
  }
  if (!Array.isArray(logitsValue)) fail(source, '"logits" must be an array');
  const arr = logitsValue as unknown[];
  if (arr.length > 0 && Array.isArray(arr[0])) {
    const k = (arr[0] as unknown[]).length;
    if (k === 0) fail(source, 'logits rows must not be empty');
    const logits = new Float32Array(arr.length * k);
    arr.forEach((row, i) => {
      if (!Array.isArray(row)) fail(source, `logits[${i}] must be an array like logits[0]`);
      if (row.length !== k) fail(source, `logits[${i}] has ${row.length} values, logits[0] has ${k}: every row needs K values`);
      row.forEach((v, j) => (logits[i * k + j] = logitValue(source, `logits[${i}][${j}]`, v)));
    });
    if (declaredK !== undefined && declaredK !== k) fail(source, `"numClasses" (${JSON.stringify(declaredK)}) disagrees with the rows' length (${k})`);
    return { logits, rows: arr.length, numClasses: k, target };
  }
  if (declaredK === undefined) {
    if (arr.length === 0) fail(source, '"logits" is empty');
    fail(source, 'flat "logits" need "numClasses" (K); or give the logits as an array of rows');
  }
  if (typeof declaredK !== 'number' || !Number.isInteger(declaredK) || declaredK < 1) fail(source, `"numClasses" must be a positive integer, found ${JSON.stringify(declaredK)}`);
  if (arr.length % declaredK !== 0) fail(source, `"logits" has ${arr.length} values, not a multiple of "numClasses" (${declaredK})`);
  const logits = Float32Array.from(arr, (v, i) => logitValue(source, `logits[${i}]`, v));
  return { logits, rows: arr.length / declaredK, numClasses: declaredK, target };
}

export function parseCsv(source: string, text: string, targetsGiven: boolean): LossInput {
  const lines = text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) fail(source, 'no data lines');
  const split = (line: string): string[] => line.split(/\s*[,;\t]\s*/);
  let targetColumn = targetsGiven ? -1 : 0;
  const first = split(lines[0].line);
  if (first.some((cell) => cell !== '' && !Number.isFinite(Number(cell)) && !/^[+-]?(inf|infinity|nan)$/i.test(cell))) {
    // A header line.
    const names = first.map((c) => c.toLowerCase().replace(/^"|"$/g, ''));
    const named = names.findIndex((c) => TARGET_KEYS.includes(c));
    if (!targetsGiven) {
      if (named < 0) fail(source, `line ${lines[0].number} is a header without a target column (name one "target", or pass --target)`);
      targetColumn = named;
    } else if (named >= 0) {
      fail(source, `the CSV has a "${names[named]}" column and --target was given: give the targets once`);
    }
    lines.shift();
    if (lines.length === 0) fail(source, 'no data lines after the header');
  }
  const rows = lines.map(({ line, number }) => ({ cells: split(line), number }));
  const width = rows[0].cells.length;
  const k = width - (targetColumn >= 0 ? 1 : 0);
  if (k < 1) fail(source, `line ${rows[0].number} has no logits (only ${width} column${width === 1 ? '' : 's'})`);
  const logits = new Float32Array(rows.length * k);
  const target: number[] = [];
  rows.forEach(({ cells, number }, i) => {
    if (cells.length !== width) fail(source, `line ${number} has ${cells.length} columns, the first data line has ${width}`);
    let j = 0;
    cells.forEach((cell, c) => {
      if (c === targetColumn) {
        target.push(classIndex(source, `line ${number}, the target column`, cell));
      } else {
        const v = /^[+-]?(inf|infinity|nan)$/i.test(cell) ? logitValue(source, '', cell) : cell === '' ? NaN : Number(cell);
        if (Number.isNaN(v) && !/nan/i.test(cell)) fail(source, `line ${number}, column ${c + 1}: '${cell}' is not a number`);
        logits[i * k + j++] = v;
      }
    });
  });
  return { logits, rows: rows.length, numClasses: k, target: targetColumn >= 0 ? target : undefined };
}

/** Parses `text` as JSON or CSV: by `format`, else the file's extension, else the first character. */
export function parseInput(source: string, text: string, format: 'json' | 'csv' | undefined, targetsGiven: boolean): LossInput {
  let f = format;
  if (f === undefined) {
    if (/\.json$/i.test(source)) f = 'json';
    else if (/\.(csv|tsv|txt)$/i.test(source)) f = 'csv';
    else f = /^\s*[[{]/.test(text) ? 'json' : 'csv';
  }
  if (text.trim() === '') fail(source, 'the input is empty');
  return f === 'json' ? parseJson(source, text) : parseCsv(source, text, targetsGiven);
}
