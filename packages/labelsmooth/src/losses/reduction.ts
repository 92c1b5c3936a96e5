// Every reduction of every loss, in one place. The kernels compute each loss value, its sum and
// its gradient under a scale they are given; this module decides, for each reduction, what that
// scale is and what the sum is divided by (docs/semantics.md §2–§4 for PyTorch's, §6–§7 for
// tfjs's). Class-index cross-entropy's divisor D depends on the targets and class weights: the
// `cross_entropy_denominator` kernel computes it, with the kernels' own rule for which rows count.
import { oneOfThese, optional } from '../validate';
import type { WeightsPer } from './tfjs';

/** PyTorch's `reduction` names, as crossEntropy and softCrossEntropy take them. */
export const REDUCTIONS = ['none', 'mean', 'sum'] as const;
export type CrossEntropyReduction = (typeof REDUCTIONS)[number];

/** `F.kl_div`'s, which adds `'batchmean'` (÷ N, the true KL per row). */
export const KL_DIV_REDUCTIONS = ['none', 'sum', 'mean', 'batchmean'] as const;
export type KlDivReduction = (typeof KL_DIV_REDUCTIONS)[number];

/** PyTorch's reductions. */
export type PytorchReduction = KlDivReduction;

/** `options.reduction` of a PyTorch-style loss: one of `allowed`, default `'mean'` (PyTorch's). */
export function reductionOption<T extends string>(where: string, value: unknown, allowed: readonly (T | 'mean')[]): T | 'mean' {
  return optional(where, 'options.reduction', value, 'mean', oneOfThese(allowed));
}

/** What a PyTorch reduction does to a loss whose kernel returned the sum of its values. */
export interface PytorchReducer {
  /** The gradient's factor: the upstream number, over the divisor for a mean. */
  gradientScale: number;
  /** The reduced loss from the kernel's sum (unused for `'none'`). */
  reduce(sum: number): number;
}

/**
 * PyTorch's reduction of a loss of `divisor`-many units for a mean (`'mean'` and `'batchmean'`
 * divide, in float64; a divisor of 0 makes the loss and every gradient NaN, as PyTorch's mean
 * over nothing or over zero total weight does), with `upstream` the incoming
 * gradient of the reduced loss (1 when none is given; for `'none'` the per-value upstream array is
 * the kernel's own scale and this number is 1).
 */
export function pytorchReduction(reduction: PytorchReduction, divisor: number, upstream: number): PytorchReducer {
  if (reduction === 'mean' || reduction === 'batchmean') {
    if (divisor === 0) return { gradientScale: NaN, reduce: () => NaN };
    return { gradientScale: upstream / divisor, reduce: (sum) => sum / divisor };
  }
  return { gradientScale: upstream, reduce: (sum) => sum };
}

/** tfjs's `Reduction`, with tfjs's values, so `tf.Reduction.MEAN` works here too. */
export const Reduction = { NONE: 0, MEAN: 1, SUM: 2, SUM_BY_NONZERO_WEIGHTS: 3 } as const;
export type Reduction = (typeof Reduction)[keyof typeof Reduction];

/** Sample weights as given: a number (`per` undefined), or an array and what it is per. */
export interface Weights {
  values?: Float32Array;
  scalar: number;
  per?: WeightsPer;
  /** 1 (a number), N, K or N·K: the size of the tfjs weights tensor. */
  size: number;
}

/**
 * The weight of loss value `i` (of `total` values, `k` per row: K for the sigmoid loss, 1 for
 * the softmax loss), tfjs's weights broadcast against the losses.
 */
function weightAt(w: Weights | undefined, i: number, k: number): number {
  if (!w) return 1;
  if (!w.values) return w.scalar;
  switch (w.per) {
    case 'class':
      return w.values[i % k];
    case 'element':
      return w.values[i];
    default:
      return w.values[Math.floor(i / k)];
  }
}

/**
 * The factor that turns the sum of weighted losses into the reduced loss (tfjs
 * `computeWeightedLoss`): `total` is the number of loss values (N or N·K). The weights broadcast
 * against the losses: `total / size` copies of each.
 */
export function reductionDivisor(reduction: Reduction, w: Weights | undefined, total: number): number {
  switch (reduction) {
    case Reduction.NONE:
    case Reduction.SUM:
      return 1;
    case Reduction.MEAN: {
      if (!w) return total;
      const sum = w.values ? w.values.reduce((a, b) => a + b, 0) : w.scalar;
      const broadcast = total / w.size;
      return broadcast > 1 ? sum * broadcast : sum;
    }
    case Reduction.SUM_BY_NONZERO_WEIGHTS: {
      if (!w) return total;
      let nonzero = 0;
      if (w.values) for (const v of w.values) nonzero += v !== 0 ? 1 : 0;
      else nonzero = w.scalar !== 0 ? 1 : 0;
      return nonzero * (total / w.size);
    }
  }
}

/**
 * The kernel's scale for each loss value (`k` per row): `factor` (1/divisor, times a scalar
 * upstream) times the value's weight, times the upstream array's value for `NONE`. One number
 * when it serves every value; one per row for row weights; otherwise one per value (class
 * weights are spelled out per value: the kernels take a scale per row or per value).
 */
export function lossScales(w: Weights | undefined, factor: number, upstream: Float32Array | undefined, total: number, k: number): { values?: Float32Array; perValue: boolean; scalar: number } {
  if (!upstream && (!w || !w.values)) return { scalar: (w ? w.scalar : 1) * factor, perValue: false };
  if (!upstream && w!.per === 'row') {
    const values = new Float32Array(w!.values!.length);
    for (let i = 0; i < values.length; i++) values[i] = w!.values![i] * factor;
    return { values, perValue: false, scalar: 1 };
  }
  const values = new Float32Array(total);
  for (let i = 0; i < total; i++) values[i] = weightAt(w, i, k) * factor * (upstream ? upstream[i] : 1);
  return { values, perValue: true, scalar: 1 };
}

/** The reduced loss from the unweighted losses (`k` per row), in float64 (tfjs `computeWeightedLoss`). */
export function reduceLoss(reduction: Reduction, losses: Float32Array, w: Weights | undefined, divisor: number, k: number): number | Float32Array {
  if (reduction === Reduction.NONE) {
    if (!w) return losses;
    const out = new Float32Array(losses.length);
    for (let i = 0; i < losses.length; i++) out[i] = losses[i] * weightAt(w, i, k);
    return out;
  }
  let sum = 0;
  for (let i = 0; i < losses.length; i++) sum += losses[i] * weightAt(w, i, k);
  return reduceSum(reduction, sum, w, losses.length, divisor);
}

/** A reduction other than `NONE` of `count` loss values whose weighted sum is `weightedSum`. */
export function reduceSum(reduction: Reduction, weightedSum: number, w: Weights | undefined, count: number, divisor: number): number {
  // tfjs's unweighted MEAN is `mean()`, which gives 0 for no values (vector empty_batch_eps0.1_MEAN);
  // every other reduction divides 0 by 0.
  if (reduction === Reduction.MEAN && !w && count === 0) return 0;
  return weightedSum / divisor;
}
