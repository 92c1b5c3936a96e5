// Argument checks shared by every public function. Each error names the function, the argument,
// what was expected and what came, so that a wrong call is fixed from the message alone.

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
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${value.constructor.name}(${length})`;
  }
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

function fail(kind: 'type' | 'range', where: string, what: string, expected: string, received: unknown): never {
  const message = `${where}: ${what} must be ${expected}, received ${describe(received)}`;
  throw kind === 'type' ? new TypeError(message) : new RangeError(message);
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
  return value;
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

/** Integer class targets: an Int32Array, or an array of integers (checked, index by index). */
export function int32Targets(where: string, what: string, value: unknown): Int32Array | number[] {
  if (value instanceof Int32Array) return value;
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
