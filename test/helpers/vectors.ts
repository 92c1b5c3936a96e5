// Reading the reference vectors (fixtures/vectors, copied from the framework runs; schema in
// fixtures/vectors/README.md) and comparing float32 results against them.
import { expect } from 'vitest';
// Imported as modules (not read with fs) so that the same suites run in Node and in a browser.
import annotated_transformer from '../fixtures/vectors/annotated_transformer.json';
import community_impls from '../fixtures/vectors/community_impls.json';
import tfjs_sigmoid_cross_entropy from '../fixtures/vectors/tfjs_sigmoid_cross_entropy.json';
import tfjs_softmax_cross_entropy from '../fixtures/vectors/tfjs_softmax_cross_entropy.json';
import torch_bce_with_logits from '../fixtures/vectors/torch_bce_with_logits.json';
import torch_cross_entropy from '../fixtures/vectors/torch_cross_entropy.json';
import torch_cross_entropy_soft from '../fixtures/vectors/torch_cross_entropy_soft.json';
import torch_kl_div from '../fixtures/vectors/torch_kl_div.json';

export type VectorNumber = number | 'NaN' | 'Infinity' | '-Infinity';
export type Nested = VectorNumber | Nested[];

export interface VectorCase {
  id: string;
  description: string;
  convention?: string;
  implementation?: string;
  params: Record<string, unknown>;
  inputs: Record<string, unknown>;
  outputs: Record<string, Nested> | null;
  outputs_f64?: Record<string, Nested>;
  error: { type: string; message: string } | null;
}

export interface VectorFile {
  schema: string;
  cases: VectorCase[];
}

const files: Record<string, unknown> = {
  annotated_transformer,
  community_impls,
  tfjs_sigmoid_cross_entropy,
  tfjs_softmax_cross_entropy,
  torch_bce_with_logits,
  torch_cross_entropy,
  torch_cross_entropy_soft,
  torch_kl_div,
};

export function loadVectors(name: string): VectorFile {
  const file = files[name] as VectorFile | undefined;
  if (!file) throw new Error(`no vector file named ${name}`);
  expect(file.schema).toBe('label-smoothing-vectors/1');
  // A deep copy, so that a test cannot change what another one reads.
  return structuredClone(file);
}

export function decode(value: VectorNumber): number {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value;
}

/** Flattens a (nested) vector value row-major into float64 numbers. */
export function flat(value: Nested): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [decode(value)];
}

/** The vectors' tolerance for small cases: |a-b| <= 2e-6 + 3e-5·|b|. */
export const SMALL = { abs: 2e-6, rel: 3e-5 };

/** Compares element by element; non-finite values must match in kind (NaN, +Inf, -Inf). */
export function expectClose(actual: ArrayLike<number> | number, expected: Nested | number, tol = SMALL, label = ''): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : flat(expected as Nested);
  expect(a.length, `${label} length`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const [x, y] = [a[i], e[i]];
    if (!Number.isFinite(y)) {
      expect(Number.isNaN(y) ? 'NaN' : String(y), `${label}[${i}] kind`).toBe(Number.isNaN(x) ? 'NaN' : String(x));
    } else if (!(Math.abs(x - y) <= tol.abs + tol.rel * Math.abs(y))) {
      expect.fail(`${label}[${i}]: ${x} is not within ${tol.abs} + ${tol.rel}·|b| of ${y}`);
    }
  }
}

/**
 * The first index at which two float32 arrays differ bit for bit (every NaN equal to every NaN),
 * or -1 when they are identical; the length when only the lengths differ. A tight loop: `toEqual`
 * on arrays of 10^5+ values costs seconds.
 */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const [ai, bi] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length)];
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (ai[i] !== bi[i] && !(a[i] !== a[i] && b[i] !== b[i])) return i;
  }
  return a.length === b.length ? -1 : n;
}

/** Like expectWithin against a vector value (flattened; non-finite as in the JSON), tol(i, expected_i). */
export function expectWithinVector(actual: ArrayLike<number> | number, expected: Nested, tol: (i: number, b: number) => number, label: string): void {
  const e = flat(expected);
  expectWithin(typeof actual === 'number' ? [actual] : actual, e, (i) => tol(i, e[i]), label);
}

/** Fails, naming the first index, unless the two float32 arrays are identical bit for bit. */
export function expectSameBits(actual: Float32Array, expected: Float32Array, label: string): void {
  const i = firstBitDifference(actual, expected);
  if (i !== -1) expect.fail(`${label}[${i}]: ${actual[i]} differs from ${expected[i]} (lengths ${actual.length}, ${expected.length})`);
}

/**
 * |actual_i − expected_i| ≤ tol(i) for every i, in one loop that fails naming the first index
 * that is not; non-finite values must match in kind.
 */
export function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: (i: number) => number, label: string): void {
  if (actual.length !== expected.length) expect.fail(`${label}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const [x, y] = [actual[i], expected[i]];
    if (Number.isFinite(y)) {
      if (!(Math.abs(x - y) <= tol(i))) expect.fail(`${label}[${i}]: ${x} is not within ${tol(i).toExponential(2)} of ${y}`);
    } else if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) {
      expect.fail(`${label}[${i}]: ${x}, expected ${y}`);
    }
  }
}

/** Unit roundoffs: float32 (labelsmooth's arithmetic) and float64 (the references'). */
export const U32 = 2 ** -24;
export const U64 = 2 ** -53;

export interface SoftmaxLossTerms {
  /** K. */
  k: number;
  /** The target distribution q, N×K row-major (zero rows for skipped rows). */
  q: ArrayLike<number>;
  /** Class weights w (default ones). */
  weight?: ArrayLike<number> | null;
  /** Each row's factor in the reduced loss and its gradient (1/D for 'mean', 1 otherwise). */
  rowScale: ArrayLike<number>;
  /** The relative error of a K-term sum of one sign plus the roundings around it (see below). */
  sigma: number;
}

/**
 * Error bounds, per value, of a softmax cross-entropy (a row loss Σ_k w_k q_k (lse − x_k), its
 * gradient s·(p_k·c − w_k q_k) with c = Σ_k w_k q_k) computed in an arithmetic whose K-term sums
 * are within `sigma` of their value (σ = (K/4 + 8)·u for labelsmooth's float32 kernels, which sum
 * in partial sums of ≤ K/4 + 2 terms; (K + 8)·u for a sequential float64 sum), against an exact or
 * more accurate value b:
 * - a row loss, a sum of terms of one sign, is within σ·(|b| + c) (c·ln S: ln S is within σ);
 * - a reduced loss within σ·(|b| + Σ_i s_i c_i);
 * - a gradient entry, a difference of two terms, within σ·(T1 + T2): T2 = |s·w_k q_k| and
 *   T1 = |s·p_k c| = |b + s·w_k q_k|, so the bound is relative to the terms, not to their
 *   difference (which cancels where p ≈ q).
 * Plus, absolutely, what float32 products of subnormal size can lose.
 */
export function softmaxLossBounds(t: SoftmaxLossTerms) {
  const w = (j: number) => (t.weight ? t.weight[j] : 1);
  const n = t.rowScale.length;
  const c = Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < t.k; j++) s += w(j) * Math.abs(t.q[i * t.k + j]);
    return s;
  });
  // Float32 products of subnormal size (a tiny q or weight) are off by up to 2^-150 each, not
  // relatively: a row's K + 2 of them add up to (K + 2)·2^-149 at most.
  const floor = 2 ** -149;
  const rowFloor = (t.k + 2) * floor;
  let reduced = 0;
  for (let i = 0; i < n; i++) if (c[i] !== 0) reduced += Math.abs(t.rowScale[i]) * (t.sigma * c[i] + rowFloor);
  return {
    row: (i: number, b: number) => t.sigma * (Math.abs(b) + c[i]) + rowFloor,
    loss: (b: number) => t.sigma * Math.abs(b) + reduced,
    grad: (e: number, b: number) => {
      const i = Math.floor(e / t.k);
      const swq = t.q[e] === 0 ? 0 : t.rowScale[i] * w(e % t.k) * t.q[e]; // a skipped row's scale may be 1/0
      return t.sigma * (Math.abs(b + swq) + Math.abs(swq)) + floor;
    },
  };
}

/**
 * Where two results differ bit for bit (numbers by Object.is, except that every NaN equals every
 * NaN; float arrays by their bits; arrays and objects member by member), or undefined when they do
 * not. A loop, for results compared many times (`toEqual` is slow on typed arrays).
 */
export function bitDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || (a !== a && b !== b) ? undefined : `${at}: ${a} vs ${b}`;
  if (a instanceof Float32Array && b instanceof Float32Array) {
    const i = firstBitDifference(a, b);
    return i === -1 ? undefined : `${at}[${i}]: ${a[i]} vs ${b[i]} (lengths ${a.length}, ${b.length})`;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? undefined : `${at}: ${String(a)} vs ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${at}: different kinds of value`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const d = bitDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
    if (d) return d;
  }
  return undefined;
}
