// Shared helpers of the hostile-input suites (issue 7): comparisons with a float64 reference,
// wasm memory measurement, detached and shared arrays.
import { expect } from 'vitest';
import { allocFloat32, backend, initSync, type Backend } from 'labelsmooth';

/** The bytes of the active build's wasm memory (read through a WasmArray's view). */
export function wasmMemoryBytes(): number {
  const probe = allocFloat32(1);
  try {
    return probe.view.buffer.byteLength;
  } finally {
    probe.free();
  }
}

/**
 * Where the allocator puts a fresh block of `floats` floats: equal before and after a sequence of
 * calls means those calls freed everything they took (the allocator reuses the same hole).
 */
export function freshBlockAddress(floats = 4096): number {
  const probe = allocFloat32(floats);
  try {
    return probe.view.byteOffset;
  } finally {
    probe.free();
  }
}

export function detachedFloat32(length = 6): Float32Array {
  const a = new Float32Array(length);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

export function detachedInt32(length = 2): Int32Array {
  const a = new Int32Array(length);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

export function sharedFloat32(values: ArrayLike<number>): Float32Array {
  const a = new Float32Array(new SharedArrayBuffer(values.length * 4));
  a.set(values);
  return a;
}

/** Runs `body` with another build active, then restores the project's build. */
export function withBackend<T>(b: Backend, body: () => T): T {
  const before = backend();
  initSync({ backend: b });
  try {
    return body();
  } finally {
    initSync({ backend: before });
  }
}

export type Kind = 'finite' | 'nan' | '+inf' | '-inf';
export function kind(v: number): Kind {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? '+inf' : v === -Infinity ? '-inf' : 'finite';
}

/**
 * `got` agrees with the float64 `want`: the same kind (NaN, +∞, −∞, finite), and for finite values
 * |got − want| ≤ abs + rel·|want|. Returns a description of the disagreement, or undefined.
 */
export function disagreement(got: number, want: number, abs: number, rel = 1e-4): string | undefined {
  const kg = kind(got);
  const kw = kind(want);
  if (kg !== kw) return `kind ${kg} (${got}) vs reference ${kw} (${want})`;
  if (kg !== 'finite') return undefined;
  const tol = abs + rel * Math.abs(want);
  return Math.abs(got - want) <= tol ? undefined : `${got} vs reference ${want} (tolerance ${tol.toExponential(2)})`;
}

export function expectAgree(got: number, want: number, what: string, abs: number, rel = 1e-4): void {
  const d = disagreement(got, want, abs, rel);
  if (d) expect.fail(`${what}: ${d}`);
}

export function expectAllAgree(got: ArrayLike<number>, want: ArrayLike<number>, what: string, abs: number, rel = 1e-4): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const d = disagreement(got[i], want[i], abs, rel);
    if (d) expect.fail(`${what}[${i}]: ${d}`);
  }
}

/** Two results of the two builds agree: the same kind, finite values within float32 rounding. */
export function expectSameResult(a: number | ArrayLike<number>, b: number | ArrayLike<number>, what: string, abs = 1e-5, rel = 1e-5): void {
  if (typeof a === 'number' || typeof b === 'number') {
    expectAgree(a as number, b as number, what, abs, rel);
    return;
  }
  expectAllAgree(a, b, what, abs, rel);
}

/** Asserts that a call throws neither a wasm trap nor anything but the listed error classes. */
export function expectNoTrap(body: () => unknown, allowed: Array<new (...args: never[]) => Error> = [RangeError, TypeError]): unknown {
  try {
    return body();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) expect.fail(`wasm trap: ${e.message}`);
    if (!allowed.some((c) => e instanceof c)) throw e;
    return e;
  }
}

/** The largest |v| of the finite values (0 if none). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
  return m;
}
