// labelsmooth/tfjs's ops (softmaxCrossEntropy, sigmoidCrossEntropy, sparseSoftmaxCrossEntropy) on
// tfjs's cpu and wasm backends: values and gradients through tf.valueAndGrad against tfjs's own losses on
// tfjs's own test cases (tfjs-core/src/ops/losses/*_test.ts) and on random ones, against the
// float64 reference where the labels do not sum to 1 (where tfjs's gradient is not the
// derivative; checked by central differences of the reference), the incoming gradient dy, no
// tensor left behind, and the typed errors.
//
// Tolerances. Both libraries compute in float32; each result is compared with the float64
// reference within the bound of its own arithmetic (`softmaxLossBounds` in helpers/vectors.ts:
// σ = (K/4 + 8)·u for labelsmooth's partial sums, (K + 8)·u for tfjs's sequential sums), so that
// they agree with each other within the sum of the two bounds. The sigmoid loss has terms that
// cancel (max(x, 0) − x·q + log1p(e^−|x|)): each element is within 8·u·(|x| + 1) (six roundings
// on terms no larger than |x| + 1), its gradient σ(x) − q within 8·u·(σ(x) + q), and the
// reductions add N·K·u of the sum (a sequential sum) and are scaled by each element's factor.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { releaseBuffers, sigmoidCrossEntropy, softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from 'labelsmooth/tfjs';
import { centralDifferences, computeWeightedLossRef, sigmoid, sigmoidCrossEntropyRef, softmaxCrossEntropyRef, type TfReduction } from './helpers/reference';
import { expectWithin, softmaxLossBounds, U32 } from './helpers/vectors';
import { TFJS_BACKENDS, tensorsLeft, useBackend, valueAndGrad, type LossOf } from './helpers/tfjs';
import { rng } from './helpers/pseudo-random';

const REDUCTIONS: [tf.Reduction, TfReduction][] = [
  [tf.Reduction.NONE, 'none'],
  [tf.Reduction.MEAN, 'mean'],
  [tf.Reduction.SUM, 'sum'],
  [tf.Reduction.SUM_BY_NONZERO_WEIGHTS, 'sum_by_nonzero_weights'],
];


function randomLogits(next: () => number, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => Math.fround((next() - 0.5) * 8));
}

/** One-hot rows (each sums to 1). */
function oneHotRows(next: () => number, n: number, k: number): Float32Array {
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) y[i * k + Math.floor(next() * k)] = 1;
  return y;
}

/** The smoothed labels q of the softmax loss (tfjs: labels·(1−ε) + ε/K). */
function smoothed(labels: Float32Array, k: number, eps: number): Float64Array {
  return Float64Array.from(labels, (y) => (eps > 0 ? y * (1 - eps) + eps / k : y));
}

/** The softmax loss's value and gradient bounds against the reference, for sums within σ. */
function softmaxBounds(labels: Float32Array, k: number, eps: number, rowScale: Float64Array, sigma: number) {
  return softmaxLossBounds({ k, q: smoothed(labels, k, eps), rowScale, sigma });
}

describe.each(TFJS_BACKENDS)('labelsmooth/tfjs on the %s backend', (backendName) => {
  beforeAll(() => useBackend(backendName));

  describe('softmaxCrossEntropy', () => {
    // tfjs-core/src/ops/losses/softmax_cross_entropy_test.ts: 3×3 logits of ±10.
    const label = () => tf.tensor2d([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    const right = () => tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const predictions = () => tf.tensor2d([[10, -10, -10], [-10, 10, -10], [-10, -10, 10]]);
    const cases: [string, () => tf.Tensor, (() => tf.Tensor) | undefined, number | undefined, tf.Reduction | undefined, number[]][] = [
      ['All wrong', label, undefined, undefined, undefined, [20]],
      ['All right', right, undefined, undefined, undefined, [0]],
      ['Weighted - Reduction.NONE', label, () => tf.tensor1d([0.1, 0.2, 0.3]), undefined, tf.Reduction.NONE, [2, 4, 6]],
      ['Reduction.MEAN', label, undefined, undefined, tf.Reduction.MEAN, [20]],
      ['Weighted - Reduction.MEAN', label, () => tf.tensor1d([0.1, 0.2, 0.3]), undefined, tf.Reduction.MEAN, [20]],
      ['Label Smoothing - Weighted - Reduction.MEAN', label, () => tf.tensor2d([[0.1, 0.2, 0.3]]), 0.3, tf.Reduction.MEAN, [18]],
    ];
    it.each(cases)("tfjs's case %s: the value tfjs computes, and tfjs's value and gradient", (_, y, w, eps, reduction, expected) => {
      const ours = valueAndGrad((x) => softmaxCrossEntropy(y(), x, w?.(), eps, reduction), predictions());
      const theirs = valueAndGrad((x) => tf.losses.softmaxCrossEntropy(y(), x, w?.(), eps, reduction), predictions());
      // The logits are ±10: every term is at most 20·(1 + ε), summed over K = 3 (bound σ·terms).
      const tol = 8 * 3 * U32 * 20 * 3;
      expectWithin(ours.loss, expected, () => tol, 'loss vs the expected value');
      expectWithin(ours.loss, theirs.loss, () => tol, 'loss vs tfjs');
      expectWithin(ours.grad, theirs.grad, () => tol, 'gradient vs tfjs');
    });

    it("refuses weights that enlarge the losses (tfjs's [3, 3] weights against 3 row losses give 3×3 weighted losses)", () => {
      const w = tf.tensor2d([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]);
      expect(() => softmaxCrossEntropy(label(), predictions(), w)).toThrow(RangeError);
      expect(() => softmaxCrossEntropy(label(), predictions(), w)).toThrow(/softmaxCrossEntropy: weights must broadcast to the shape of the losses \[3\].*received a float32 tensor of shape \[3, 3\]/);
    });

    const weightCases: [string, (n: number, next: () => number) => number | number[] | undefined, (v: number | number[], n: number) => tf.Tensor | number][] = [
      ['no weights', () => undefined, () => 0],
      ['a number', (_, next) => Math.fround(next() * 2), (v) => v as number],
      ['shape []', (_, next) => Math.fround(next() * 2), (v) => tf.scalar(v as number)],
      ['shape [N] with zeros', (n, next) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : Math.fround(next() * 2))), (v) => tf.tensor1d(v as number[])],
      ['shape [1, N]', (n, next) => Array.from({ length: n }, () => Math.fround(next() * 2)), (v, n) => tf.tensor2d(v as number[], [1, n])],
    ];
    for (const [reduction, refReduction] of REDUCTIONS) {
      it.each(weightCases)(`random one-hot labels, ε = 0.1, reduction ${refReduction}, weights: %s, against tfjs and the reference`, (_, values, tensorOf) => {
        const next = rng(7 + reduction);
        const [n, k, eps] = [6, 11, 0.1];
        const logits = randomLogits(next, n * k);
        const labels = oneHotRows(next, n, k);
        const wv = values(n, next);
        const weights = () => (wv === undefined ? undefined : tensorOf(wv, n));
        const x = () => tf.tensor2d(logits, [n, k]);
        const y = () => tf.tensor2d(labels, [n, k]);
        const ours = valueAndGrad((t) => softmaxCrossEntropy(y(), t, weights(), eps, reduction), x());
        const theirs = valueAndGrad((t) => tf.losses.softmaxCrossEntropy(y(), t, weights(), eps, reduction), x());
        const ref = softmaxCrossEntropyRef(labels, logits, k, { labelSmoothing: eps, weights: wv, reduction: refReduction });
        const rowScale = computeWeightedLossRef(new Float64Array(n), wv, refReduction).dl;
        const mine = softmaxBounds(labels, k, eps, rowScale, (k / 4 + 8) * U32);
        const tfjs = softmaxBounds(labels, k, eps, rowScale, (k + 8) * U32);
        const refLoss = typeof ref.loss === 'number' ? [ref.loss] : ref.loss;
        const lossTol = (i: number) => (reduction === tf.Reduction.NONE ? mine.row(i, refLoss[i]) : mine.loss(refLoss[i]));
        const tfjsLossTol = (i: number) => (reduction === tf.Reduction.NONE ? tfjs.row(i, refLoss[i]) : tfjs.loss(refLoss[i]));
        expectWithin(ours.loss, refLoss, lossTol, 'loss vs the reference');
        expectWithin(ours.loss, theirs.loss, (i) => lossTol(i) + tfjsLossTol(i), 'loss vs tfjs');
        expectWithin(ours.grad, ref.grad, (e) => mine.grad(e, ref.grad[e]), 'gradient vs the reference');
        expectWithin(ours.grad, theirs.grad, (e) => mine.grad(e, ref.grad[e]) + tfjs.grad(e, ref.grad[e]), 'gradient vs tfjs');
      });
    }

    it('labels whose rows do not sum to 1: the gradient is the derivative (central differences), where tfjs gives softmax − labels', () => {
      const next = rng(99);
      const [n, k, eps] = [4, 7, 0.2];
      const logits = randomLogits(next, n * k);
      const labels = Float32Array.from({ length: n * k }, () => Math.fround(next()));
      const y = () => tf.tensor2d(labels, [n, k]);
      const ours = valueAndGrad((t) => softmaxCrossEntropy(y(), t, undefined, eps, tf.Reduction.SUM), tf.tensor2d(logits, [n, k]));
      const theirs = valueAndGrad((t) => tf.losses.softmaxCrossEntropy(y(), t, undefined, eps, tf.Reduction.SUM), tf.tensor2d(logits, [n, k]));
      const f = (x: Float64Array) => softmaxCrossEntropyRef(labels, x, k, { labelSmoothing: eps, reduction: 'sum' }).loss as number;
      // h = 1e-4: the central difference's truncation error h²/6·|f'''| (|f'''| ≤ 2·Σq ≤ 2K here)
      // is below 1e-7, under the float32 bound.
      const numeric = centralDifferences(f, logits, 1e-4);
      const bounds = softmaxBounds(labels, k, eps, new Float64Array(n).fill(1), (k / 4 + 8) * U32);
      expectWithin(ours.grad, numeric, (e) => bounds.grad(e, numeric[e]) + 2 * k * 1e-8 / 6 + 1e-9, 'gradient vs central differences');
      // tfjs's gradient differs from the derivative by p·(Σq − 1) per entry, far beyond its bound.
      let largest = 0;
      for (let e = 0; e < n * k; e++) largest = Math.max(largest, Math.abs(theirs.grad[e] - numeric[e]));
      expect(largest).toBeGreaterThan(1e-2);
    });

    it('labels as tf.oneHot gives them (int32) and cast to float32 (stored as an Int32Array on the cpu backend) give the same result as float32 labels', () => {
      const next = rng(21);
      const [n, k] = [5, 7];
      const logits = randomLogits(next, n * k);
      const ids = Array.from({ length: n }, () => Math.floor(next() * k));
      const x = () => tf.tensor2d(logits, [n, k]);
      const floats = valueAndGrad((t) => softmaxCrossEntropy(tf.tensor2d(Float32Array.from(tf.tidy(() => tf.oneHot(tf.tensor1d(ids, 'int32'), k).dataSync())), [n, k]), t, undefined, 0.1), x());
      const ints = valueAndGrad((t) => softmaxCrossEntropy(tf.oneHot(tf.tensor1d(ids, 'int32'), k), t, undefined, 0.1), x());
      const cast = valueAndGrad((t) => softmaxCrossEntropy(tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), k), 'float32'), t, undefined, 0.1), x());
      for (const r of [ints, cast]) {
        expect(Array.from(r.loss)).toEqual(Array.from(floats.loss));
        expect(Array.from(r.grad)).toEqual(Array.from(floats.grad));
      }
    });

    it('rank 3 logits [batch, time, classes]: one loss per (batch, time), as for the rows of the flattened logits', () => {
      const next = rng(5);
      const [b, t, k] = [2, 3, 5];
      const logits = randomLogits(next, b * t * k);
      const labels = oneHotRows(next, b * t, k);
      const three = valueAndGrad((x) => softmaxCrossEntropy(tf.tensor3d(labels, [b, t, k]), x, undefined, 0.1, tf.Reduction.NONE), tf.tensor3d(logits, [b, t, k]));
      const two = valueAndGrad((x) => softmaxCrossEntropy(tf.tensor2d(labels, [b * t, k]), x, undefined, 0.1, tf.Reduction.NONE), tf.tensor2d(logits, [b * t, k]));
      expect(Array.from(three.loss)).toEqual(Array.from(two.loss));
      expect(Array.from(three.grad)).toEqual(Array.from(two.grad));
      const shape = tf.tidy(() => softmaxCrossEntropy(tf.tensor3d(labels, [b, t, k]), tf.tensor3d(logits, [b, t, k]), undefined, 0.1, tf.Reduction.NONE).shape);
      expect(shape).toEqual([b, t]);
    });
  });

  describe('sigmoidCrossEntropy', () => {
    // tfjs-core/src/ops/losses/sigmoid_cross_entropy_test.ts: 3×3 logits of ±10, weights [1, 3].
    const label = () => tf.tensor2d([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    const right = () => tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const predictions = () => tf.tensor2d([[10, -10, -10], [-10, 10, -10], [-10, -10, 10]]);
    const weights = () => tf.tensor2d([[0.1, 0.2, 0.3]]);
    const tfjsCases: [string, () => tf.Tensor, (() => tf.Tensor) | undefined, number | undefined, tf.Reduction | undefined, number[]][] = [
      ['All wrong', label, undefined, undefined, undefined, [6.6667123]],
      ['All right', right, undefined, undefined, undefined, [0]],
      ['Weighted - Reduction.SUM_BY_NONZERO_WEIGHTS', label, weights, undefined, undefined, [1.3333424]],
      ['Weighted - Reduction.NONE', label, weights, undefined, tf.Reduction.NONE, [1.0000046, 9.0797803e-6, 3.0000138, 1.0000046, 2.0000093, 1.3619671e-5, 4.5398901e-6, 2.0000093, 3.0000138]],
      ['Reduction.MEAN', label, undefined, undefined, tf.Reduction.MEAN, [6.6667123]],
      ['Weighted - Reduction.MEAN', label, weights, undefined, tf.Reduction.MEAN, [6.666712284088135]],
      ['Label Smoothing - Weighted - Reduction.MEAN', label, weights, 0.3, tf.Reduction.MEAN, [6.1667128]],
    ];
    it.each(tfjsCases)("tfjs's case %s: the value tfjs's test expects, and tfjs's value and gradient", (_, y, w, eps, reduction, expected) => {
      const ours = valueAndGrad((x) => sigmoidCrossEntropy(y(), x, w?.(), eps, reduction), predictions());
      const theirs = valueAndGrad((x) => tf.losses.sigmoidCrossEntropy(y(), x, w?.(), eps, reduction), predictions());
      // Each element within 8·u·(|x| + 1) = 88·u (weights ≤ 1); a reduction sums 9 of them (each
      // factor ≤ 1) and adds 9·u of the sum; the expected values are printed to 8 digits (5e-8).
      const sum = expected.length === 1;
      const tol = (i: number) => (sum ? 9 * 88 * U32 + 9 * U32 * Math.abs(expected[i]) : 88 * U32) + 5e-8 * Math.abs(expected[i]);
      expectWithin(ours.loss, expected, tol, 'loss vs the expected value');
      expectWithin(ours.loss, theirs.loss, (i) => 2 * tol(i), 'loss vs tfjs');
      // Gradient entries s·(σ(x) − q) with |σ(x) − q| ≤ 1 and s ≤ 1: within 8·u each.
      expectWithin(ours.grad, theirs.grad, () => 16 * U32, 'gradient vs tfjs');
    });

    const [n, k] = [4, 6];
    const weightShapes: [string, number[]][] = [
      ['[]', []],
      ['[N, 1]', [n, 1]],
      ['[1, K]', [1, k]],
      ['[K]', [k]],
      ['[N, K]', [n, k]],
    ];
    for (const [reduction, refReduction] of REDUCTIONS) {
      it.each(weightShapes)(`random labels in [0, 1], ε = 0.2, reduction ${refReduction}, weights of shape %s, against tfjs and the reference`, (_, shape) => {
        const next = rng(31 + reduction);
        const logits = randomLogits(next, n * k);
        const labels = Float32Array.from({ length: n * k }, () => Math.fround(next()));
        const size = shape.reduce((a, d) => a * d, 1);
        const wv = Array.from({ length: size }, (_, i) => (i % 4 === 1 ? 0 : Math.fround(next() * 2)));
        const w = () => tf.tensor(wv, shape);
        const x = () => tf.tensor2d(logits, [n, k]);
        const y = () => tf.tensor2d(labels, [n, k]);
        const ours = valueAndGrad((t) => sigmoidCrossEntropy(y(), t, w(), 0.2, reduction), x());
        const theirs = valueAndGrad((t) => tf.losses.sigmoidCrossEntropy(y(), t, w(), 0.2, reduction), x());
        // The per-element weights, as the reference reads them.
        const full = tf.tidy(() => Array.from(tf.broadcastTo(w(), [n, k]).dataSync()));
        const ref = sigmoidCrossEntropyRef(labels, logits, { labelSmoothing: 0.2, weights: full, weightsPer: 'element', reduction: refReduction });
        const scale = computeWeightedLossRef(new Float64Array(n * k), full, refReduction).dl;
        // MEAN divides by Σw·(N·K / |w|): with the weights broadcast first that is the same value.
        const elementTol = (e: number) => 8 * U32 * Math.abs(scale[e]) * (Math.abs(logits[e]) + 1);
        let sumTol = 0;
        for (let e = 0; e < n * k; e++) sumTol += elementTol(e);
        const refLoss = typeof ref.loss === 'number' ? [ref.loss] : ref.loss;
        const lossTol = (i: number) => (reduction === tf.Reduction.NONE ? elementTol(i) : sumTol + n * k * U32 * Math.abs(refLoss[0]));
        const gradTol = (e: number) => 8 * U32 * Math.abs(scale[e]) * (sigmoid(logits[e]) + labels[e]);
        expectWithin(ours.loss, refLoss, lossTol, 'loss vs the reference');
        expectWithin(ours.loss, theirs.loss, (i) => 2 * lossTol(i), 'loss vs tfjs');
        expectWithin(ours.grad, ref.grad, gradTol, 'gradient vs the reference');
        expectWithin(ours.grad, theirs.grad, (e) => 2 * gradTol(e), 'gradient vs tfjs');
      });
    }
  });

  describe('sparseSoftmaxCrossEntropy', () => {
    it('equals softmaxCrossEntropy on the one-hot labels (MEAN), value and gradient, and takes [N] or [N, 1] labels', () => {
      const next = rng(3);
      const [n, k] = [5, 9];
      const logits = randomLogits(next, n * k);
      const targets = Int32Array.from({ length: n }, () => Math.floor(next() * k));
      const x = () => tf.tensor2d(logits, [n, k]);
      const sparse = valueAndGrad((t) => sparseSoftmaxCrossEntropy(tf.tensor1d(targets, 'int32'), t, { labelSmoothing: 0.1 }), x());
      const column = valueAndGrad((t) => sparseSoftmaxCrossEntropy(tf.tensor2d(targets, [n, 1], 'int32'), t, { labelSmoothing: 0.1 }), x());
      const dense = valueAndGrad((t) => softmaxCrossEntropy(tf.oneHot(tf.tensor1d(targets, 'int32'), k), t, undefined, 0.1, tf.Reduction.MEAN), x());
      const labels = Float32Array.from(tf.tidy(() => tf.oneHot(tf.tensor1d(targets, 'int32'), k).dataSync()));
      const bounds = softmaxBounds(labels, k, 0.1, new Float64Array(n).fill(1 / n), (k / 4 + 8) * U32);
      // Two float32 computations of the same value: each within its bound of the exact one.
      expectWithin(sparse.loss, dense.loss, () => 2 * bounds.loss(dense.loss[0]), 'loss');
      expectWithin(sparse.grad, dense.grad, (e) => 2 * bounds.grad(e, dense.grad[e]), 'gradient');
      expect(Array.from(column.loss)).toEqual(Array.from(sparse.loss));
      expect(Array.from(column.grad)).toEqual(Array.from(sparse.grad));
    });

    it('ignoreIndex: an ignored row changes neither the loss nor the other rows, and gets a zero gradient', () => {
      const next = rng(4);
      const [b, t, k] = [2, 3, 6];
      const logits = randomLogits(next, b * t * k);
      const targets = Int32Array.from({ length: b * t }, () => Math.floor(next() * k));
      const ignored = Int32Array.from(targets);
      ignored[2] = 0; // padding id
      ignored[5] = 0;
      const opts = { labelSmoothing: 0.1, ignoreIndex: 0 };
      const x = () => tf.tensor3d(logits, [b, t, k]);
      const all = valueAndGrad((l) => sparseSoftmaxCrossEntropy(tf.tensor2d(targets.map((v) => (v === 0 ? 1 : v)), [b, t], 'int32'), l, { ...opts, reduction: 'none' }), x());
      const some = valueAndGrad((l) => sparseSoftmaxCrossEntropy(tf.tensor2d(ignored.map((v, i) => (i === 2 || i === 5 ? 0 : v === 0 ? 1 : v)), [b, t], 'int32'), l, { ...opts, reduction: 'none' }), x());
      for (let i = 0; i < b * t; i++) {
        if (i === 2 || i === 5) {
          expect(some.loss[i]).toBe(0);
          for (let j = 0; j < k; j++) expect(some.grad[i * k + j]).toBe(0);
        } else {
          expect(some.loss[i]).toBe(all.loss[i]);
          for (let j = 0; j < k; j++) expect(some.grad[i * k + j]).toBe(all.grad[i * k + j]);
        }
      }
    });
  });

  describe('the incoming gradient and tensors', () => {
    it('dy scales the gradient: a reduced loss times 3, and an unreduced loss weighted per row', () => {
      const next = rng(8);
      const [n, k] = [3, 5];
      const logits = randomLogits(next, n * k);
      const labels = oneHotRows(next, n, k);
      const y = () => tf.tensor2d(labels, [n, k]);
      const base = valueAndGrad((t) => softmaxCrossEntropy(y(), t, undefined, 0.1, tf.Reduction.SUM), tf.tensor2d(logits, [n, k]));
      const tripled = valueAndGrad((t) => tf.mul(softmaxCrossEntropy(y(), t, undefined, 0.1, tf.Reduction.SUM), 3), tf.tensor2d(logits, [n, k]));
      // ×3 is one more rounding of each entry.
      expectWithin(tripled.grad, base.grad.map((g) => 3 * g), (e) => 3 * U32 * Math.abs(3 * base.grad[e]), 'gradient ×3');
      const rowWeights = [0.5, 2, -1];
      const weighted = valueAndGrad((t) => tf.sum(tf.mul(softmaxCrossEntropy(y(), t, undefined, 0.1, tf.Reduction.NONE), tf.tensor1d(rowWeights))), tf.tensor2d(logits, [n, k]));
      const expected = base.grad.map((g, e) => g * rowWeights[Math.floor(e / k)]);
      expectWithin(weighted.grad, expected, (e) => 3 * U32 * Math.abs(expected[e]), 'gradient weighted per row');
    });

    it('two losses of the same logits in one tape (the staging buffers reused between the forward passes) each keep their gradient', () => {
      const next = rng(12);
      const [n, k] = [4, 6];
      const logits = randomLogits(next, n * k);
      const labels = oneHotRows(next, n, k);
      const x = () => tf.tensor2d(logits, [n, k]);
      const y = () => tf.tensor2d(labels, [n, k]);
      const a = valueAndGrad((t) => softmaxCrossEntropy(y(), t, undefined, 0.1), x());
      const b = valueAndGrad((t) => sigmoidCrossEntropy(y(), t, undefined, 0.1), x());
      const both = valueAndGrad((t) => tf.add(softmaxCrossEntropy(y(), t, undefined, 0.1), sigmoidCrossEntropy(y(), t, undefined, 0.1)), x());
      // The sum of the two gradients is one more rounding of each entry.
      expectWithin(both.grad, a.grad.map((g, e) => g + b.grad[e]), (e) => U32 * (Math.abs(a.grad[e]) + Math.abs(b.grad[e])), 'gradient of the sum');
    });

    it('a call under a gradient tape whose gradient is never taken leaves no tensor behind and later calls still work', () => {
      const x = () => tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const expected = valueAndGrad((t) => sparseSoftmaxCrossEntropy(tf.tensor1d([0, 2], 'int32'), t), x());
      const left = tensorsLeft(() =>
        tf.tidy(() => {
          const unrelated = x();
          tf.grad((t: tf.Tensor) => {
            sparseSoftmaxCrossEntropy(tf.tensor1d([1, 1], 'int32'), unrelated);
            return tf.sum(t);
          })(x());
        }),
      );
      expect(left).toBe(0);
      const again = valueAndGrad((t) => sparseSoftmaxCrossEntropy(tf.tensor1d([0, 2], 'int32'), t), x());
      expect(Array.from(again.grad)).toEqual(Array.from(expected.grad));
    });

    it('after releaseBuffers, and for a new batch size, the buffers are made again', () => {
      const loss = (n: number) => valueAndGrad((t) => sparseSoftmaxCrossEntropy(tf.tensor1d(new Array<number>(n).fill(1), 'int32'), t), tf.zeros([n, 3]));
      const first = loss(2);
      releaseBuffers();
      expect(Array.from(loss(2).grad)).toEqual(Array.from(first.grad));
      expect(loss(5).grad.length).toBe(15);
    });

    const losses: [string, LossOf][] = [
      ['softmaxCrossEntropy', (x) => softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 0, 3], 'int32'), 4), x, tf.tensor1d([1, 0, 2]), 0.1)],
      ['sigmoidCrossEntropy', (x) => sigmoidCrossEntropy(tf.oneHot(tf.tensor1d([1, 0, 3], 'int32'), 4), x, tf.tensor2d([[1, 2, 3, 4]]), 0.1, tf.Reduction.MEAN)],
      ['sparseSoftmaxCrossEntropy', (x) => sparseSoftmaxCrossEntropy(tf.tensor1d([1, 0, 3], 'int32'), x, { labelSmoothing: 0.1, weight: tf.tensor1d([1, 2, 3, 4]) })],
    ];
    it.each(losses)('%s leaves no tensor behind: in tf.tidy, in tf.valueAndGrad, in optimizer.minimize', (_, loss) => {
      const logits = tf.variable(tf.tensor2d([1, 2, 0.5, -1, 0, 0.1, -0.2, 0.3, 2.5, -1.5, -2, 0], [3, 4]));
      const optimizer = tf.train.sgd(0.1);
      // One step first: the optimizer makes its own tensors once.
      optimizer.minimize(() => loss(logits) as tf.Scalar);
      expect(
        tensorsLeft(() =>
          tf.tidy(() => {
            loss(logits);
          }),
        ),
      ).toBe(0);
      expect(
        tensorsLeft(() =>
          tf.tidy(() => {
            tf.valueAndGrad(loss)(logits);
          }),
        ),
      ).toBe(0);
      expect(tensorsLeft(() => optimizer.minimize(() => loss(logits) as tf.Scalar))).toBe(0);
      optimizer.dispose();
      logits.dispose();
    });
  });

  // Each case is a row of docs/validation.md ("labelsmooth/tfjs"), named by its id.
  describe('typed errors', () => {
    const x = () => tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = () => tf.tensor2d([0, 1, 0, 1, 0, 0], [2, 3]);
    const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
      ['T01 logits not a tensor', () => softmaxCrossEntropy(y(), [1, 2, 3] as unknown as tf.Tensor), TypeError, /^softmaxCrossEntropy: logits must be a tf.Tensor, received an array of length 3$/],
      ['T01 disposed logits', () => {
        const disposed = x();
        disposed.dispose();
        return softmaxCrossEntropy(y(), disposed);
      }, TypeError, /^softmaxCrossEntropy: logits must be a tf.Tensor that is not disposed, received a disposed tensor$/],
      ['T02 int32 logits', () => softmaxCrossEntropy(y(), tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32')), TypeError, /logits must be a float32 tensor, received an int32 tensor of shape \[2, 3\]/],
      ['T03 rank-1 logits', () => sigmoidCrossEntropy(tf.tensor1d([0, 1]), tf.tensor1d([1, 2])), RangeError, /^sigmoidCrossEntropy: logits must have rank >= 2/],
      ['T03 logits with no class', () => softmaxCrossEntropy(tf.zeros([2, 0]), tf.zeros([2, 0])), RangeError, /^softmaxCrossEntropy: logits must have rank >= 2 with the classes on the last axis \(at least one\), received a float32 tensor of shape \[2, 0\]$/],
      ['T04 labels of another shape', () => softmaxCrossEntropy(tf.tensor2d([0, 1], [1, 2]), x()), RangeError, /onehotLabels must have the shape of logits \[2, 3\], received a float32 tensor of shape \[1, 2\]/],
      ['T05 bool labels', () => sigmoidCrossEntropy(tf.tensor2d([true, false, true, false, true, false], [2, 3], 'bool'), x()), TypeError, /multiClassLabels must be a float32 or int32 tensor/],
      ['T06 ε = 1.5', () => softmaxCrossEntropy(y(), x(), undefined, 1.5), RangeError, /^softmaxCrossEntropy: labelSmoothing must be a number in \[0, 1\], received 1\.5$/],
      ['T07 ε = -0.1', () => sigmoidCrossEntropy(y(), x(), undefined, -0.1), RangeError, /^sigmoidCrossEntropy: labelSmoothing must be a number in \[0, 1\], received -0\.1$/],
      ['T08 reduction 7', () => softmaxCrossEntropy(y(), x(), undefined, 0, 7 as tf.Reduction), RangeError, /^softmaxCrossEntropy: reduction must be one of Reduction/],
      ['T09 weights null', () => softmaxCrossEntropy(y(), x(), null as unknown as tf.Tensor), TypeError, /weights must be a number or a float32 or int32 tf.Tensor \(leave it out for none\), received null/],
      ['T10 sparse float labels', () => sparseSoftmaxCrossEntropy(tf.tensor1d([0, 1]), x()), TypeError, /^sparseSoftmaxCrossEntropy: labels must be an int32 tensor of class indices, received a float32 tensor of shape \[2\]$/],
      ['T11 sparse label out of range', () => sparseSoftmaxCrossEntropy(tf.tensor1d([0, 3], 'int32'), x()), RangeError, /^sparseSoftmaxCrossEntropy: labels\[1\] must be a class index in \[0, 3\) or ignoreIndex \(-100\), received 3$/],
      ['T12 sparse labels of another shape', () => sparseSoftmaxCrossEntropy(tf.tensor1d([0, 1, 2], 'int32'), x()), RangeError, /labels must have the shape of logits without its last axis \[2\]/],
      ['T13 sparse ε = 2', () => sparseSoftmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), x(), { labelSmoothing: 2 }), RangeError, /^sparseSoftmaxCrossEntropy: options.labelSmoothing must be a number in \[0, 1\], received 2$/],
      ['T14 sparse options not an object', () => sparseSoftmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), x(), 3 as unknown as object), TypeError, /^sparseSoftmaxCrossEntropy: options must be an object/],
      ['T15 weights that enlarge the losses', () => softmaxCrossEntropy(y(), x(), tf.ones([2, 2])), RangeError, /^softmaxCrossEntropy: weights must broadcast to the shape of the losses \[2\] without enlarging it, received a float32 tensor of shape \[2, 2\]$/],
    ];
    it.each(cases)('%s', (_, call, kind, message) => {
      const left = tensorsLeft(() => {
        let thrown: unknown;
        tf.tidy(() => {
          try {
            call();
          } catch (e) {
            thrown = e;
          }
        });
        expect(thrown).toBeInstanceOf(kind);
        expect((thrown as Error).message).toMatch(message);
      });
      expect(left).toBe(0);
    });
  });
});
