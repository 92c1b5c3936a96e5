// Property tests: labelsmooth's float32 losses and gradients against the float64 reference
// (helpers/reference.ts) on random shapes, logits, smoothing, weights, ignored rows, conventions,
// z-loss and reductions; gradients also against central finite differences; unaligned inputs;
// gradOut / inPlace. (simd128 vs scalar agreement comes from running this file in both projects.)
//
// Tolerances. labelsmooth computes in float32 (unit roundoff u = 6e-8) with the max subtracted
// first. Every cross-entropy term −w_k q_k ℓ_k and z-loss term is ≥ 0, so a sum has no
// cancellation and its relative error is bounded by a few u per term, times the K or N·K terms
// summed: ≤ 70·8·u ≈ 3e-5 in the very worst (sequential) case, and far less in practice
// (pairwise/SIMD lane sums). ℓ = (x − m) − log S has an absolute error ~u·(|x − m| + 1), which only
// matters when the loss itself is tiny (a confident row: ℓ_y ≈ −1e-7), hence an absolute floor.
// So losses: |a − b| ≤ 1e-5·scale + 2e-5·|b| where scale = 1 for mean-like reductions and the
// number of summed rows for 'sum'. The KL and the tfjs/sigmoid losses can cancel (q log q − q x,
// max(x,0) − x q), so their floor is relative to Σ|terms| instead.
// Gradients: s·(p·Σ_j w_j q_j − w_k q_k) + s·2z·lse·p. p = exp(ℓ) has relative error ≈ u·|ℓ|,
// which is ≤ 1e-6 wherever p is not negligible (|ℓ| < 17). The two terms can cancel (p ≈ q), so
// the error is relative to the size of the terms, not of the result:
// |a − b| ≤ 2e-6·S + 1e-4·|b|, with S = |s|·max_k w_k·max(1, Σ_k q_k) (+ |s|·2z·|lse|), the
// largest a term can be (s = the row's reduction factor: upstream, 1, 1/D, 1/N, tfjs weights…).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  crossEntropy,
  crossEntropyWithGrad,
  klDiv,
  klDivWithGrad,
  LabelSmoothing,
  Reduction,
  sigmoidCrossEntropy,
  sigmoidCrossEntropyWithGrad,
  softCrossEntropy,
  softCrossEntropyWithGrad,
  softmaxCrossEntropy,
  softmaxCrossEntropyWithGrad,
  type FloatArray,
} from 'labelsmooth';
import {
  annotatedRef,
  centralDifferences,
  computeWeightedLossRef,
  crossEntropyRef,
  klDivRef,
  logSoftmax,
  sigmoidCrossEntropyRef,
  softCrossEntropyRef,
  softmaxCrossEntropyRef,
  type Convention,
  type TfReduction,
} from './helpers/reference';
import { firstBitDifference } from './helpers/vectors';

const RUNS = 150;

// ---------------------------------------------------------------------------------------------
// Comparison helpers

function describeMismatch(label: string, i: number, a: number, b: number, tol: number): string {
  return `${label}[${i}]: got ${a}, reference ${b} (allowed ±${tol.toExponential(2)})`;
}

function sameKind(a: number, b: number): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (!Number.isFinite(b)) return a === b;
  return Number.isFinite(a);
}

/** |a − b| ≤ abs + rel·|b| elementwise; non-finite values must match in kind. */
function close(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, abs: number, rel: number, label: string): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const b = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length, `${label} length`).toBe(b.length);
  for (let i = 0; i < b.length; i++) {
    if (!sameKind(a[i], b[i])) expect.fail(`${label}[${i}]: got ${a[i]}, reference ${b[i]}`);
    if (!Number.isFinite(b[i])) continue;
    const tol = abs + rel * Math.abs(b[i]);
    if (!(Math.abs(a[i] - b[i]) <= tol)) expect.fail(describeMismatch(label, i, a[i], b[i], tol));
  }
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) m = Math.max(m, Math.abs(v[i]));
  return m;
}

const closeLoss = (a: number | Float32Array, b: number | Float64Array, rows: number, label = 'loss') =>
  close(a, b, 1e-5 * Math.max(1, rows), 2e-5, label);
/** A result array as a Float32Array (what the API returns for Float32Array inputs). */
function f32Out(v: FloatArray | Float32Array | number | null): Float32Array {
  expect(v).toBeInstanceOf(Float32Array);
  return v as Float32Array;
}

const closeGrad = (a: FloatArray, b: Float64Array, scale: number, label = 'grad') => close(f32Out(a), b, 2e-6 * scale + 1e-30, 1e-4, label);

/** The largest factor tfjs's reduction puts on one element's gradient (d loss / d l_e). */
function tfScale(size: number, weights: number | number[] | undefined, reduction: TfReduction, upstream: number[] | undefined, perClass = false): number {
  return maxAbs(computeWeightedLossRef(new Float64Array(size), weights, reduction, upstream, perClass).dl);
}

/** The largest row sum of label / probability rows (≥ 1). */
function maxRowSum(values: ArrayLike<number>, k: number): number {
  let m = 1;
  for (let i = 0; i < values.length / k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.abs(values[i * k + j]);
    m = Math.max(m, s);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Generators

const f32 = (xs: number[]) => Float32Array.from(xs);

/** Mostly moderate logits, occasionally huge ones (|x| up to 1e4). */
const logit = fc.oneof(
  { weight: 12, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: -1e4, max: 1e4, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 50, -50) },
).map(Math.fround);

const dims = fc.record({
  n: fc.integer({ min: 0, max: 8 }),
  k: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 69)),
});

const epsilon = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(0, 1) },
  { weight: 4, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
);

const positiveWeights = (k: number) => fc.array(fc.double({ min: 0.05, max: 3, noNaN: true }).map(Math.fround), { minLength: k, maxLength: k });

const floats = (len: number, min: number, max: number) => fc.array(fc.double({ min, max, noNaN: true }).map(Math.fround), { minLength: len, maxLength: len });

interface CeCase {
  n: number;
  k: number;
  logits: number[];
  target: number[];
  convention: Convention;
  paddingIdx?: number;
  ignoreIndex: number;
  eps: number;
  weight: number[] | null;
  zLoss: number;
  reduction: 'none' | 'mean' | 'sum';
  upstream: number[] | null;
}

const ceCase: fc.Arbitrary<CeCase> = dims.chain(({ n, k }) => {
  const conventions: Convention[] = k >= 3 ? ['uniform', 'fairseq', 'annotated'] : k === 2 ? ['uniform', 'fairseq'] : ['uniform'];
  return fc
    .record({
      convention: fc.constantFrom(...conventions),
      paddingIdx: fc.integer({ min: 0, max: k - 1 }),
      ignoreIndex: fc.oneof(fc.constant(-100), fc.integer({ min: 0, max: k - 1 })),
    })
    .chain(({ convention, paddingIdx, ignoreIndex }) =>
      fc.record({
        n: fc.constant(n),
        k: fc.constant(k),
        logits: fc.array(logit, { minLength: n * k, maxLength: n * k }),
        target: fc.array(
          fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: k - 1 }) }, { weight: 1, arbitrary: fc.constant(ignoreIndex) }),
          { minLength: n, maxLength: n },
        ),
        convention: fc.constant(convention),
        paddingIdx: fc.constant(convention === 'annotated' ? paddingIdx : undefined),
        ignoreIndex: fc.constant(ignoreIndex),
        eps: epsilon,
        weight: fc.option(positiveWeights(k)),
        zLoss: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e-2, noNaN: true })),
        reduction: fc.constantFrom('none' as const, 'mean' as const, 'sum' as const),
        upstream: fc.option(floats(n, -2, 2)),
      }),
    );
});

function ceOptions(c: CeCase) {
  return {
    numClasses: c.k,
    labelSmoothing: c.eps,
    convention: c.convention,
    ...(c.paddingIdx !== undefined ? { paddingIdx: c.paddingIdx } : {}),
    ignoreIndex: c.ignoreIndex,
    ...(c.weight ? { weight: f32(c.weight) } : {}),
    zLoss: c.zLoss,
    reduction: c.reduction,
  };
}

/** Σ w_y over the rows that count (the 'mean' divisor). */
function ceDivisor(c: CeCase): number {
  let d = 0;
  c.target.forEach((t) => {
    if (t !== c.ignoreIndex && !(c.convention === 'annotated' && t === c.paddingIdx)) d += c.weight ? Math.fround(c.weight[t]) : 1;
  });
  return d;
}

function ceGradScale(c: CeCase): number {
  const s = c.reduction === 'none' ? (c.upstream ? maxAbs(c.upstream) : 1) : c.reduction === 'sum' ? 1 : 1 / Math.max(ceDivisor(c), 1e-30);
  const wmax = c.weight ? Math.max(...c.weight) : 1;
  return s * (wmax + 2 * c.zLoss * (maxAbs(c.logits) + Math.log(c.k) + 1));
}

function ceReference(c: CeCase, logits: ArrayLike<number>) {
  return crossEntropyRef(logits, c.target, c.k, {
    labelSmoothing: c.eps,
    convention: c.convention,
    paddingIdx: c.paddingIdx,
    ignoreIndex: c.ignoreIndex,
    weight: c.weight ?? undefined,
    zLoss: c.zLoss,
    reduction: c.reduction,
    upstream: c.reduction === 'none' && c.upstream ? c.upstream : undefined,
  });
}

// ---------------------------------------------------------------------------------------------
describe('crossEntropy vs the float64 reference', () => {
  it('loss and gradient, every convention, weights, ignored rows, z-loss and reduction', () => {
    fc.assert(
      fc.property(ceCase, (c) => {
        const logits = f32(c.logits);
        const opts = ceOptions(c);
        const ref = ceReference(c, logits);
        const loss = crossEntropy(logits, c.target, opts);
        if (c.reduction === 'none') expect(loss).toBeInstanceOf(Float32Array);
        else expect(typeof loss).toBe('number');
        closeLoss(loss, ref.loss, c.reduction === 'sum' ? c.n : 1);
        const up = c.reduction === 'none' && c.upstream ? { upstream: f32(c.upstream) } : {};
        const r = crossEntropyWithGrad(logits, Int32Array.from(c.target), { ...opts, ...up });
        closeLoss(r.loss, ref.loss, c.reduction === 'sum' ? c.n : 1, 'loss (WithGrad)');
        expect(r.grad).toBeInstanceOf(Float32Array);
        closeGrad(r.grad, ref.grad, ceGradScale(c));
        expect(firstBitDifference(logits, f32(c.logits)), 'logits modified without inPlace at').toBe(-1);
      }),
      { numRuns: RUNS },
    );
    // 150 random cases, each through two wasm calls and the float64 reference: 0.7–1.1 s on a loaded 2-core machine.
  }, 10_000);

  it("'mean' equals the 'sum' divided by Σ w_y of the rows that count", () => {
    fc.assert(
      fc.property(ceCase, (c) => {
        const logits = f32(c.logits);
        const mean = crossEntropy(logits, c.target, { ...ceOptions(c), reduction: 'mean' });
        const sum = crossEntropy(logits, c.target, { ...ceOptions(c), reduction: 'sum' });
        const d = ceDivisor(c);
        if (d === 0) expect(mean).toBeNaN();
        else close(mean, sum / d, 1e-6, 2e-5, 'mean');
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('gradients vs central finite differences', () => {
  it('the reference gradient is the derivative of the reference loss (float64, h = 1e-6)', () => {
    const small = ceCase.filter((c) => c.n * c.k <= 60 && c.reduction !== 'none' && maxAbs(c.logits) <= 50);
    fc.assert(
      fc.property(small, (c) => {
        const ref = ceReference(c, c.logits);
        if (!Number.isFinite(ref.loss as number)) return;
        const numeric = centralDifferences((x) => ceReference(c, x).loss as number, c.logits);
        close(ref.grad, numeric, 1e-6 * Math.max(1, maxAbs(numeric)), 1e-5, 'reference grad vs FD');
      }),
      { numRuns: 40 },
    );
  });

  it("labelsmooth's gradient is the derivative of labelsmooth's own float32 loss", () => {
    // Differencing a float32 loss: each evaluation of a row loss L_i (≤ ~10 here) carries a
    // rounding error of a few ulp(L_i) ≈ 1e-6, so the quotient's error is ≈ 1e-6 / h, while the
    // truncation error is h²/6·|∂³L| ≲ h²/6. h = 2^-7 ≈ 0.0078 balances them (≈ 1e-4 each). The
    // perturbed logits are rounded to float32, and the quotient uses the step actually taken.
    // Each row is differenced through reduction 'none' (a logit only moves its own row's loss).
    const moderate = fc
      .record({ n: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 3, max: 24 }) })
      .chain(({ n, k }) =>
        fc.record({
          n: fc.constant(n),
          k: fc.constant(k),
          logits: floats(n * k, -4, 4),
          target: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
          convention: fc.constantFrom<Convention>('uniform', 'fairseq', 'annotated'),
          eps: fc.double({ min: 0, max: 1, noNaN: true }),
          weight: fc.option(positiveWeights(k)),
          zLoss: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.05, noNaN: true })),
        }),
      );
    fc.assert(
      fc.property(moderate, (c) => {
        const opts = {
          numClasses: c.k,
          labelSmoothing: c.eps,
          convention: c.convention,
          ...(c.convention === 'annotated' ? { paddingIdx: c.k - 1 } : {}),
          ...(c.weight ? { weight: f32(c.weight) } : {}),
          zLoss: c.zLoss,
          reduction: 'none' as const,
        };
        const grad = f32Out(crossEntropyWithGrad(f32(c.logits), c.target, opts).grad);
        const h = 2 ** -7;
        for (let e = 0; e < c.logits.length; e++) {
          const row = Math.floor(e / c.k);
          const plus = f32(c.logits);
          const minus = f32(c.logits);
          plus[e] = Math.fround(c.logits[e] + h);
          minus[e] = Math.fround(c.logits[e] - h);
          const lp = (crossEntropy(plus, c.target, opts) as Float32Array)[row];
          const lm = (crossEntropy(minus, c.target, opts) as Float32Array)[row];
          const fd = (lp - lm) / (plus[e] - minus[e]);
          const wmax = c.weight ? Math.max(...c.weight) : 1;
          if (!(Math.abs(grad[e] - fd) <= 1e-3 * wmax * (1 + 10 * c.zLoss))) {
            expect.fail(`∂L/∂x[${e}]: gradient ${grad[e]}, finite difference ${fd}`);
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('softCrossEntropy vs the float64 reference', () => {
  const softCase = dims.chain(({ n, k }) =>
    fc.record({
      n: fc.constant(n),
      k: fc.constant(k),
      logits: fc.array(logit, { minLength: n * k, maxLength: n * k }),
      // Probabilities with exact zeros, rows not necessarily summing to 1.
      probs: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }).map(Math.fround)), { minLength: n * k, maxLength: n * k }),
      eps: epsilon,
      weight: fc.option(positiveWeights(k)),
      reduction: fc.constantFrom('none' as const, 'mean' as const, 'sum' as const),
      upstream: fc.option(floats(n, -2, 2)),
    }),
  );
  it('loss and the true gradient p·Σ_j w_j q_j − w_k q_k', () => {
    fc.assert(
      fc.property(softCase, (c) => {
        const logits = f32(c.logits);
        const probs = f32(c.probs);
        const opts = { numClasses: c.k, labelSmoothing: c.eps, reduction: c.reduction, ...(c.weight ? { weight: f32(c.weight) } : {}) };
        const up = c.reduction === 'none' && c.upstream ? c.upstream : undefined;
        const ref = softCrossEntropyRef(logits, probs, c.k, { labelSmoothing: c.eps, weight: c.weight ?? undefined, reduction: c.reduction, upstream: up });
        closeLoss(softCrossEntropy(logits, probs, opts), ref.loss, c.reduction === 'sum' ? c.n : 1);
        const r = softCrossEntropyWithGrad(logits, probs, { ...opts, ...(up ? { upstream: f32(up) } : {}) });
        closeLoss(r.loss, ref.loss, c.reduction === 'sum' ? c.n : 1, 'loss (WithGrad)');
        const s = c.reduction === 'none' ? (up ? maxAbs(up) : 1) : c.reduction === 'sum' ? 1 : 1 / Math.max(c.n, 1);
        closeGrad(r.grad, ref.grad, s * (c.weight ? Math.max(...c.weight) : 1) * maxRowSum(c.probs, c.k));
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
const tfReductions = [
  [Reduction.NONE, 'none'],
  [Reduction.MEAN, 'mean'],
  [Reduction.SUM, 'sum'],
  [Reduction.SUM_BY_NONZERO_WEIGHTS, 'sum_by_nonzero_weights'],
] as const;

/** tfjs losses can cancel (negative labels are not allowed, but max(x,0) − x·q can); the
 * absolute floor is relative to the summed magnitude of the per-element terms. */
function tfTolerance(logits: Float32Array): number {
  let s = 0;
  for (const x of logits) s += Math.abs(x);
  return 1e-6 * (1 + s);
}

describe('softmaxCrossEntropy (tfjs) vs the float64 reference', () => {
  const labelRow = (k: number) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: k - 1 }).map((t) => Array.from({ length: k }, (_, j) => (j === t ? 1 : 0))) },
      { weight: 1, arbitrary: fc.constant(new Array<number>(k).fill(0)) }, // tf.oneHot of an out-of-range id
      { weight: 2, arbitrary: floats(k, 0, 1) }, // soft / unnormalised
    );
  const tfCase = dims.chain(({ n, k }) =>
    fc.record({
      n: fc.constant(n),
      k: fc.constant(k),
      logits: fc.array(logit, { minLength: n * k, maxLength: n * k }),
      labels: fc.array(labelRow(k), { minLength: n, maxLength: n }).map((rows) => rows.flat()),
      eps: epsilon,
      weights: fc.oneof(
        fc.constant(undefined),
        fc.double({ min: 0, max: 3, noNaN: true }).map(Math.fround),
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 3, noNaN: true }).map(Math.fround)), { minLength: n, maxLength: n }),
      ),
      reduction: fc.constantFrom(...tfReductions),
      upstream: fc.option(floats(n, -2, 2)),
    }),
  );
  it('loss and gradient for every Reduction, no / scalar / per-row weights, any label rows', () => {
    fc.assert(
      fc.property(tfCase, (c) => {
        const logits = f32(c.logits);
        const labels = f32(c.labels);
        const reduction = c.reduction[0];
        const refReduction = c.reduction[1];
        const weights = c.weights === undefined ? {} : { weights: typeof c.weights === 'number' ? c.weights : f32(c.weights) };
        const up = reduction === Reduction.NONE && c.upstream ? c.upstream : undefined;
        const opts = { numClasses: c.k, labelSmoothing: c.eps, reduction, ...weights };
        const ref = softmaxCrossEntropyRef(labels, logits, c.k, { labelSmoothing: c.eps, weights: c.weights, reduction: refReduction as TfReduction, upstream: up });
        const loss = softmaxCrossEntropy(labels, logits, opts);
        if (reduction === Reduction.NONE) expect(loss).toBeInstanceOf(Float32Array);
        else expect(typeof loss).toBe('number');
        const lossTol = tfTolerance(logits) + 1e-5;
        close(loss, ref.loss, lossTol, 2e-5, 'loss');
        const r = softmaxCrossEntropyWithGrad(labels, logits, { ...opts, ...(up ? { upstream: f32(up) } : {}) });
        close(r.loss, ref.loss, lossTol, 2e-5, 'loss (WithGrad)');
        closeGrad(r.grad, ref.grad, tfScale(c.n, c.weights, refReduction as TfReduction, up) * maxRowSum(c.labels, c.k));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('sigmoidCrossEntropy (tfjs) vs the float64 reference', () => {
  const sigCase = dims.chain(({ n, k }) =>
    fc.record({
      n: fc.constant(n),
      k: fc.constant(k),
      logits: fc.array(logit, { minLength: n * k, maxLength: n * k }),
      labels: fc.array(fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true }).map(Math.fround)), { minLength: n * k, maxLength: n * k }),
      eps: epsilon,
      weights: fc.oneof(
        fc.constant(undefined),
        fc.double({ min: 0, max: 3, noNaN: true }).map(Math.fround),
        ...(['row', 'class', 'element'] as const).map((per) => {
          const length = per === 'row' ? n : per === 'class' ? k : n * k;
          return fc.record({ per: fc.constant(per), values: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 3, noNaN: true }).map(Math.fround)), { minLength: length, maxLength: length }) });
        }),
      ),
      reduction: fc.constantFrom(...tfReductions),
      upstream: fc.option(floats(n * k, -2, 2)),
    }),
  );
  it('loss and gradient σ(x) − q for every Reduction, no / scalar / per-row / per-class / per-element weights', () => {
    fc.assert(
      fc.property(sigCase, (c) => {
        const logits = f32(c.logits);
        const labels = f32(c.labels);
        const reduction = c.reduction[0];
        const refReduction = c.reduction[1];
        const w = c.weights;
        // An array always says what it is per: with N = K, K = 1 or N = 1 its length alone cannot.
        const weights = w === undefined ? {} : typeof w === 'number' ? { weights: w } : { weights: f32(w.values), weightsPer: w.per };
        const refWeights = w === undefined || typeof w === 'number' ? { weights: w } : { weights: w.values, weightsPer: w.per };
        const up = reduction === Reduction.NONE && c.upstream ? c.upstream : undefined;
        const opts = { numClasses: c.k, labelSmoothing: c.eps, reduction, ...weights };
        const ref = sigmoidCrossEntropyRef(labels, logits, { labelSmoothing: c.eps, ...refWeights, reduction: refReduction as TfReduction, upstream: up });
        const loss = sigmoidCrossEntropy(labels, logits, opts);
        const lossTol = tfTolerance(logits) + 1e-5;
        close(loss, ref.loss, lossTol, 2e-5, 'loss');
        const r = sigmoidCrossEntropyWithGrad(labels, logits, { ...opts, ...(up ? { upstream: f32(up) } : {}) });
        close(r.loss, ref.loss, lossTol, 2e-5, 'loss (WithGrad)');
        closeGrad(r.grad, ref.grad, tfScale(c.n * c.k, refWeights.weights, refReduction as TfReduction, up, refWeights.weightsPer === 'class'));
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('klDiv vs the float64 reference', () => {
  const klCase = dims.chain(({ n, k }) =>
    fc.record({
      n: fc.constant(n),
      k: fc.constant(k),
      logits: fc.array(logit, { minLength: n * k, maxLength: n * k }),
      target: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1, noNaN: true }).map(Math.fround)), { minLength: n * k, maxLength: n * k }),
      logTarget: fc.boolean(),
      reduction: fc.constantFrom('none' as const, 'sum' as const, 'mean' as const, 'batchmean' as const),
    }),
  );
  it('loss and gradient (−q·scale), input = log_softmax of random logits, targets with zeros', () => {
    fc.assert(
      fc.property(klCase, (c) => {
        const input = Float32Array.from(logSoftmax(f32(c.logits), c.k));
        // With logTarget the target is given as log q (finite; q = 0 is left out there).
        const target = c.logTarget ? Float32Array.from(c.target.map((q) => Math.log(q || 0.5))) : f32(c.target);
        const opts = { numClasses: c.k, reduction: c.reduction, logTarget: c.logTarget };
        const ref = klDivRef(input, target, c.k, opts);
        // Cancellation between q·log q and q·x: the floor follows Σ q·(|log q| + |x|).
        let mag = 0;
        for (let e = 0; e < input.length; e++) {
          const q = c.logTarget ? Math.exp(target[e]) : target[e];
          if (q > 0) mag += q * (Math.abs(Math.log(q)) + Math.abs(input[e]));
        }
        const abs = 2e-6 * (1 + mag);
        const loss = klDiv(input, target, opts);
        close(loss, ref.loss, abs, 2e-5, 'loss');
        const r = klDivWithGrad(input, target, opts);
        close(r.loss, ref.loss, abs, 2e-5, 'loss (WithGrad)');
        closeGrad(r.grad, ref.grad, maxAbs(ref.grad));
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('LabelSmoothing (Annotated Transformer criterion) vs the float64 reference', () => {
  const atCase = fc
    .record({ n: fc.integer({ min: 0, max: 8 }), k: fc.integer({ min: 3, max: 70 }) })
    .chain(({ n, k }) =>
      fc.record({
        n: fc.constant(n),
        k: fc.constant(k),
        paddingIdx: fc.integer({ min: 0, max: k - 1 }),
        logits: fc.array(logit, { minLength: n * k, maxLength: n * k }),
        target: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
        smoothing: epsilon,
      }),
    );
  it('forward(log-probabilities), trueDist, backward(); and fromLogits', () => {
    fc.assert(
      fc.property(atCase, (c) => {
        const logits = f32(c.logits);
        const x = Float32Array.from(logSoftmax(logits, c.k));
        const ref = annotatedRef(x, c.target, c.k, c.paddingIdx, c.smoothing);
        let mag = 0;
        ref.trueDist.forEach((q, e) => {
          if (q > 0) mag += q * (Math.abs(Math.log(q)) + Math.abs(x[e]));
        });
        const crit = new LabelSmoothing({ size: c.k, paddingIdx: c.paddingIdx, smoothing: c.smoothing });
        close(crit.forward(x, c.target), ref.loss, 2e-6 * (1 + mag), 2e-5, 'loss');
        close(f32Out(crit.trueDist), ref.trueDist, 1e-7, 1e-6, 'trueDist');
        expect(crit.trueDistShape).toEqual([c.n, c.k]);
        close(crit.backward(), ref.gradX, 1e-7, 1e-6, 'backward');
        const fused = new LabelSmoothing({ size: c.k, paddingIdx: c.paddingIdx, smoothing: c.smoothing, fromLogits: true });
        const refL = annotatedRef(logits, c.target, c.k, c.paddingIdx, c.smoothing, true);
        close(fused.forward(logits, c.target), refL.loss, 2e-6 * (1 + mag), 2e-5, 'loss fromLogits');
        closeGrad(fused.backward(), refL.gradLogits!, 1, 'backward fromLogits');
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('unaligned inputs, gradOut and inPlace', () => {
  /** A copy of `values` inside a larger Float32Array, starting at an odd element offset. */
  function unaligned(values: ArrayLike<number>, offset: number): { view: Float32Array; backing: Float32Array } {
    const backing = new Float32Array(values.length + offset + 3).fill(-7.25);
    backing.set(values, offset);
    return { view: backing.subarray(offset, offset + values.length), backing };
  }
  const offsets = fc.constantFrom(1, 3, 5, 7);

  it('subarrays at odd offsets give exactly the aligned results (every loss)', () => {
    fc.assert(
      fc.property(ceCase, offsets, (c, offset) => {
        const opts = ceOptions(c);
        const aligned = crossEntropyWithGrad(f32(c.logits), c.target, opts);
        const { view } = unaligned(c.logits, offset);
        const targets = new Int32Array(c.n + offset);
        targets.set(c.target, offset);
        const weight = c.weight ? { weight: unaligned(c.weight, offset).view } : {};
        const moved = crossEntropyWithGrad(view, targets.subarray(offset), { ...opts, ...weight });
        expect(moved.loss).toEqual(aligned.loss);
        expect(moved.grad).toEqual(aligned.grad);
        // The same for the other losses, on the same data.
        const probs = c.logits.map((v) => Math.fround(Math.abs(Math.sin(v))));
        const soft = { numClasses: c.k, labelSmoothing: c.eps, reduction: c.reduction === 'none' ? ('sum' as const) : c.reduction };
        expect(softCrossEntropyWithGrad(unaligned(c.logits, offset).view, unaligned(probs, offset).view, soft)).toEqual(softCrossEntropyWithGrad(f32(c.logits), f32(probs), soft));
        const tf = { numClasses: c.k, labelSmoothing: c.eps, reduction: Reduction.MEAN, weights: unaligned(c.target.map((t) => t % 2), offset).view };
        expect(softmaxCrossEntropyWithGrad(unaligned(probs, offset).view, unaligned(c.logits, offset).view, tf)).toEqual(
          softmaxCrossEntropyWithGrad(f32(probs), f32(c.logits), { ...tf, weights: f32(c.target.map((t) => t % 2)) }),
        );
        const sig = { numClasses: c.k, labelSmoothing: c.eps, reduction: Reduction.SUM };
        expect(sigmoidCrossEntropyWithGrad(unaligned(probs, offset).view, unaligned(c.logits, offset).view, sig)).toEqual(sigmoidCrossEntropyWithGrad(f32(probs), f32(c.logits), sig));
        const kl = { numClasses: c.k, reduction: 'batchmean' as const };
        const lp = Float32Array.from(logSoftmax(f32(c.logits), c.k));
        expect(klDivWithGrad(unaligned(lp, offset).view, unaligned(probs, offset).view, kl)).toEqual(klDivWithGrad(lp, f32(probs), kl));
      }),
      { numRuns: 60 },
    );
  });

  it('gradOut receives the gradient (grad === gradOut); inPlace overwrites the logits with it (grad === logits)', () => {
    fc.assert(
      fc.property(ceCase, offsets, (c, offset) => {
        const opts = ceOptions(c);
        const expected = crossEntropyWithGrad(f32(c.logits), c.target, opts);

        const gradOut = new Float32Array(c.n * c.k).fill(123);
        const viaOut = crossEntropyWithGrad(f32(c.logits), c.target, { ...opts, gradOut });
        expect(viaOut.grad).toBe(gradOut);
        expect(gradOut).toEqual(expected.grad);
        expect(viaOut.loss).toEqual(expected.loss);

        const out = unaligned(new Float32Array(c.n * c.k), offset);
        crossEntropyWithGrad(f32(c.logits), c.target, { ...opts, gradOut: out.view });
        expect(out.view).toEqual(expected.grad);
        expect(Array.from(out.backing.subarray(0, offset))).toEqual(new Array(offset).fill(-7.25));
        expect(Array.from(out.backing.subarray(offset + c.n * c.k))).toEqual([-7.25, -7.25, -7.25]);

        const logits = f32(c.logits);
        const inPlace = crossEntropyWithGrad(logits, c.target, { ...opts, inPlace: true });
        expect(inPlace.grad).toBe(logits);
        expect(logits).toEqual(expected.grad);
        expect(inPlace.loss).toEqual(expected.loss);

        const moved = unaligned(c.logits, offset);
        const r = crossEntropyWithGrad(moved.view, c.target, { ...opts, inPlace: true });
        expect(r.grad).toBe(moved.view);
        expect(moved.view).toEqual(expected.grad);
        expect(Array.from(moved.backing.subarray(0, offset))).toEqual(new Array(offset).fill(-7.25));
        expect(Array.from(moved.backing.subarray(offset + c.n * c.k))).toEqual([-7.25, -7.25, -7.25]);
      }),
      { numRuns: 60 },
    );
  });

  it('gradOut and inPlace work the same for the soft, tfjs and KL losses', () => {
    fc.assert(
      fc.property(dims, fc.double({ min: 0, max: 1, noNaN: true }), (d, eps) => {
        const logits = Float32Array.from({ length: d.n * d.k }, (_, e) => Math.fround(Math.sin(e * 1.7) * 3));
        const probs = Float32Array.from({ length: d.n * d.k }, (_, e) => Math.fround((e % 3) / 2));
        const calls: Array<[string, (x: Float32Array, extra: object) => { loss: unknown; grad: FloatArray }]> = [
          ['softCrossEntropyWithGrad', (x, extra) => softCrossEntropyWithGrad(x, probs, { numClasses: d.k, labelSmoothing: eps, ...extra })],
          ['softmaxCrossEntropyWithGrad', (x, extra) => softmaxCrossEntropyWithGrad(probs, x, { numClasses: d.k, labelSmoothing: eps, ...extra })],
          ['sigmoidCrossEntropyWithGrad', (x, extra) => sigmoidCrossEntropyWithGrad(probs, x, { numClasses: d.k, labelSmoothing: eps, ...extra })],
          ['klDivWithGrad', (x, extra) => klDivWithGrad(x, probs, { numClasses: d.k, reduction: 'sum', ...extra })],
        ];
        for (const [name, call] of calls) {
          const expected = call(logits.slice(), {});
          const gradOut = new Float32Array(logits.length);
          const viaOut = call(logits.slice(), { gradOut });
          expect(viaOut.grad, name).toBe(gradOut);
          expect(gradOut, name).toEqual(expected.grad);
          expect(viaOut.loss, name).toEqual(expected.loss);
          const x = logits.slice();
          const inPlace = call(x, { inPlace: true });
          expect(inPlace.grad, name).toBe(x);
          expect(x, name).toEqual(expected.grad);
          expect(inPlace.loss, name).toEqual(expected.loss);
        }
      }),
      { numRuns: 40 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('ε close to 1: 1 − ε comes from the double ε, not from ε rounded to float32', () => {
  // Rounding ε to float32 first (|Δε| up to 3e-8) makes 1 − ε wrong by up to 3e-8/(1 − ε)
  // relative: 19% at ε = 1 − 1e-7. The target's weight 1 − ε ('fairseq', 'annotated') must be
  // computed from the given ε and only then rounded (as PyTorch does with its double ε).
  const eps = 1 - 1e-7;
  it("crossEntropy 'fairseq'", () => {
    const x = Float32Array.from([0, -1000]);
    const ref = crossEntropyRef(x, [1], 2, { labelSmoothing: eps, convention: 'fairseq', reduction: 'sum' });
    close(crossEntropy(x, [1], { numClasses: 2, labelSmoothing: eps, convention: 'fairseq', reduction: 'sum' }), ref.loss, 0, 1e-5, 'loss');
  });
  it("crossEntropy 'annotated'", () => {
    const x = Float32Array.from([0, 0, -1000]);
    const ref = crossEntropyRef(x, [2], 3, { labelSmoothing: eps, convention: 'annotated', paddingIdx: 0, reduction: 'sum' });
    close(crossEntropy(x, [2], { numClasses: 3, labelSmoothing: eps, convention: 'annotated', paddingIdx: 0, reduction: 'sum' }), ref.loss, 0, 1e-5, 'crossEntropy');
  });
  it('LabelSmoothing', () => {
    const x = Float32Array.from([0, 0, -1000]);
    const lp = Float32Array.from(logSoftmax(x, 3));
    const at = annotatedRef(lp, [2], 3, 0, eps);
    close(new LabelSmoothing({ size: 3, paddingIdx: 0, smoothing: eps }).forward(lp, [2]), at.loss, 1e-6, 1e-5, 'LabelSmoothing');
  });
  it('fast-check found it too: fairseq, ε = 0.9988…, a target logit of −1860.8', () => {
    const c: CeCase = {
      n: 2, k: 4, logits: [0, 0, 0, -1860.846923828125, 0, 0, 0, 0], target: [3, 2], convention: 'fairseq', ignoreIndex: 2,
      eps: 0.9988044717876807, weight: [0.05000000074505806, 0.05000000074505806, 0.05000000074505806, 0.9432944059371948], zLoss: 0, reduction: 'none', upstream: null,
    };
    closeLoss(crossEntropy(f32(c.logits), c.target, ceOptions(c)), ceReference(c, f32(c.logits)).loss, 1);
  });
});
