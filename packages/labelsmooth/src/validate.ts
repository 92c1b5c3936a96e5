// Argument checks shared by every public function. Each error names the function, the argument,
// what was expected and what came, so that a wrong call is fixed from the message alone.
//
// Typed arrays are checked for what a plain `instanceof` misses (docs/validation.md):
//  * a DETACHED buffer (transferred with postMessage/structuredClone, or a `WasmArray.view` taken
//    before wasm memory grew) reports length 0, which would silently read as an empty batch: it
//    is a TypeError. `ArrayBuffer.prototype.detached` is used where the engine has it (Node 22+,
//    recent browsers); elsewhere a view of byteLength 0 is probed by constructing a view of its
//    buffer, which throws only for a detached buffer.
//  * a SharedArrayBuffer-backed array is ACCEPTED: inputs are copied into wasm memory (a snapshot;
//    writes by other threads during the call may or may not be seen, as with any copy), outputs
//    are written with `set`.
//  * an array from another realm (an iframe, `vm`) is accepted: its kind is read from its
//    internal tag, not from this realm's constructor.
import { isWasmMemoryBuffer } from './memory';

/** A short, printable description of any received value. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'boolean' || typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const kind = typedArrayKind(value) ?? value.constructor?.name ?? 'ArrayBufferView';
    if (isDetached(value)) return `${article(kind)} whose buffer is detached`;
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    const shared = typeof SharedArrayBuffer !== 'undefined' && value.buffer instanceof SharedArrayBuffer;
    return `${kind}(${length})${shared ? ' on a SharedArrayBuffer' : ''}`;
  }
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** The internal kind of a typed array ('Float32Array', ...), from any realm; undefined otherwise. */
export function typedArrayKind(value: unknown): string | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  return tag === 'DataView' ? undefined : tag;
}

function article(noun: string): string {
  return /^[AEIOU]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** Whether `value` is a Float32Array of any realm. */
export function isFloat32Array(value: unknown): value is Float32Array {
  return value instanceof Float32Array || typedArrayKind(value) === 'Float32Array';
}

/** Whether `value` is an Int32Array of any realm. */
export function isInt32Array(value: unknown): value is Int32Array {
  return value instanceof Int32Array || typedArrayKind(value) === 'Int32Array';
}

/**
 * Whether a view's buffer is detached. A detached view reports byteLength 0, so only those are
 * probed (constructing a view of a detached buffer throws; of an empty one it does not).
 */
export function isDetached(view: ArrayBufferView): boolean {
  const buffer = view.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  if (view.byteLength !== 0 || buffer.byteLength !== 0) return false;
  if (typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer) return false;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Throws a TypeError when a typed-array argument's buffer is detached (it would read as empty). */
export function notDetached(where: string, what: string, view: ArrayBufferView): void {
  if (!isDetached(view)) return;
  const kind = typedArrayKind(view) ?? 'typed array';
  const cause = isWasmMemoryBuffer(view.buffer)
    ? "it was a view of labelsmooth's WebAssembly memory (WasmArray.view), which grew since: pass the WasmArray itself, or take a fresh .view after each call"
    : 'it was transferred (postMessage, structuredClone or ArrayBuffer.transfer): pass an array that this thread still owns';
  throw new TypeError(`${where}: ${what} must be ${article(kind)} with a live buffer, received ${article(kind)} whose buffer is detached (${cause})`);
}

/**
 * A typed array that stays readable while wasm memory grows: a view of labelsmooth's wasm
 * memory is copied out (the first allocation of a call may grow the memory and detach it);
 * anything else is returned as it is.
 */
export function stableView<T extends Float32Array | Int32Array>(view: T): T {
  return isWasmMemoryBuffer(view.buffer) ? (view.slice() as T) : view;
}

function fail(kind: 'type' | 'range', where: string, what: string, expected: string, received: unknown): never {
  const message = `${where}: ${what} must be ${expected}, received ${describe(received)}`;
  throw kind === 'type' ? new TypeError(message) : new RangeError(message);
}

/** A check of one argument: returns the value, or throws the TypeError/RangeError naming it. */
export type Check<T> = (where: string, what: string, value: unknown) => T;

/**
 * Reads an optional option, the one way every public function does: absent or `undefined` is
 * `fallback`; anything else, `null` included, goes to `check`. `null` is never "the default"
 * (docs/validation.md V45): every check refuses it as a value of the wrong kind (a TypeError
 * naming the option); the last line only guards against a check that would let it through.
 */
export function optional<T>(where: string, what: string, value: unknown, fallback: T, check: Check<T>): T {
  if (value === undefined) return fallback;
  const checked = check(where, what, value);
  if (value === null) throw new TypeError(`${where}: ${what} must not be null (leave it out for the default), received null`);
  return checked;
}

/** `oneOf` with its allowed values bound, for `optional`. */
export function oneOfThese<T extends string>(allowed: readonly T[]): Check<T> {
  return (where, what, value) => oneOf(where, what, value, allowed);
}

/** An integer ≥ 1 (class counts). */
export function positiveInteger(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number') fail('type', where, what, 'a positive integer', value);
  if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) fail('range', where, what, 'a positive integer', value);
  return value;
}

/** Any 32-bit signed integer (ignore indices). */
export function int32(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number') fail('type', where, what, 'an integer', value);
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    fail('range', where, what, 'a 32-bit integer', value);
  }
  return value;
}

/** An integer in [0, limit) (class indices given as options). */
export function classIndex(where: string, what: string, value: unknown, limit: number): number {
  if (typeof value !== 'number') fail('type', where, what, `an integer in [0, ${limit})`, value);
  if (!Number.isInteger(value) || value < 0 || value >= limit) fail('range', where, what, `an integer in [0, ${limit})`, value);
  return value;
}

/** A smoothing ε: a finite number in [0, 1]. */
export function smoothingEpsilon(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number') fail('type', where, what, 'a number in [0, 1]', value);
  if (!(value >= 0 && value <= 1)) fail('range', where, what, 'a number in [0, 1]', value);
  // -0 is 0: otherwise ε/K would put -0 in the smoothed targets.
  return value === 0 ? 0 : value;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(where: string, what: string, value: unknown, allowed: readonly T[]): T {
  const expected = `one of ${allowed.map((a) => `'${a}'`).join(', ')}`;
  if (typeof value !== 'string') fail('type', where, what, expected, value);
  if (!(allowed as readonly string[]).includes(value)) fail('range', where, what, expected, value);
  return value as T;
}

/** A plain options object (or nothing). */
export function options<T extends object>(where: string, value: unknown): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('type', where, 'options', 'an object', value);
  return value as Partial<T>;
}

/** N for a row-major N×K array of `length` values. */
export function rowCount(where: string, what: string, length: number, k: number): number {
  if (length % k !== 0) {
    throw new RangeError(`${where}: ${what} must hold N×numClasses values (a multiple of ${k}), received ${length} values`);
  }
  return length / k;
}

/** One integer target per row of `rowsOf` (N rows). */
export function oneTargetPerRow(where: string, targets: ArrayLike<number>, n: number, rowsOf: string): void {
  if (targets.length !== n) {
    throw new RangeError(`${where}: target must have one class index per row of ${rowsOf} (${n}), received ${targets.length}`);
  }
}

/** Integer class targets: an Int32Array, or an array of integers (checked, index by index). */
export function int32Targets(where: string, what: string, value: unknown): Int32Array | number[] {
  if (isInt32Array(value)) {
    notDetached(where, what, value);
    return stableView(value);
  }
  if (!Array.isArray(value)) fail('type', where, what, 'an Int32Array or an array of integers', value);
  for (let i = 0; i < value.length; i++) {
    const t = value[i];
    if (typeof t !== 'number' || !Number.isInteger(t) || t < -0x80000000 || t > 0x7fffffff) {
      fail('type', where, `${what}[${i}]`, 'a 32-bit integer', t);
    }
  }
  return value as number[];
}

/** A finite number ≥ 0 (coefficients such as zLoss). */
export function nonNegativeNumber(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number') fail('type', where, what, 'a finite number >= 0', value);
  if (!(value >= 0 && value < Infinity)) fail('range', where, what, 'a finite number >= 0', value);
  return value;
}

/** A finite number. */
export function finiteNumber(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number') fail('type', where, what, 'a finite number', value);
  if (!Number.isFinite(value)) fail('range', where, what, 'a finite number', value);
  return value;
}

/** A boolean flag. */
export function flag(where: string, what: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail('type', where, what, 'true or false', value);
  return value;
}

/** A string. */
export function text(where: string, what: string, value: unknown): string {
  if (typeof value !== 'string') fail('type', where, what, 'a string', value);
  return value;
}

/** A function. */
export function callback<T extends (...args: never[]) => unknown>(where: string, what: string, value: unknown): T {
  if (typeof value !== 'function') fail('type', where, what, 'a function', value);
  return value as T;
}

/** A finite number ≥ `min` (sizes and counts of a picture). */
export function numberAtLeast(min: number): Check<number> {
  return (where, what, value) => {
    if (typeof value !== 'number') fail('type', where, what, `a number >= ${min}`, value);
    if (!(value >= min && value < Infinity)) fail('range', where, what, `a number >= ${min}`, value);
    return value;
  };
}

/** An integer in [lo, hi]. */
export function integerIn(lo: number, hi: number): Check<number> {
  return (where, what, value) => {
    if (typeof value !== 'number') fail('type', where, what, `an integer in [${lo}, ${hi}]`, value);
    if (!Number.isInteger(value) || value < lo || value > hi) fail('range', where, what, `an integer in [${lo}, ${hi}]`, value);
    return value;
  };
}
