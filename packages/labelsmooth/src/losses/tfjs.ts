// tfjs's `tf.losses.softmaxCrossEntropy` and `tf.losses.sigmoidCrossEntropy` (SEMANTICS §6, §7):
// labels first, sample weights, and tfjs's `computeWeightedLoss` reductions. The gradient is the
// true derivative of the returned loss (tfjs's hand-written `softmax − labels` is not, when a row
// of labels does not sum to 1).
import { withCall, type FloatArray, type KernelCall } from '../call';
import { kernels } from '../runtime';
import { describe, options, positiveInteger, smoothingEpsilon } from '../validate';
import { WasmArray } from '../wasm-array';
import type { LossAndGradient } from './cross-entropy';
import { gradientTarget, rowCount, upstreamOf, type GradientOptions } from './shape';

/** tfjs's `Reduction`, with tfjs's values, so `tf.Reduction.MEAN` works here too. */
export const Reduction = { NONE: 0, MEAN: 1, SUM: 2, SUM_BY_NONZERO_WEIGHTS: 3 } as const;
export type Reduction = (typeof Reduction)[keyof typeof Reduction];

export interface TfjsLossOptions {
  numClasses: number;
  /** A number, a Float32Array of N (one per row) or, for the sigmoid loss, of N·K (one per element). */
  weights?: number | FloatArray;
  /** ε in [0, 1]; default 0. */
  labelSmoothing?: number;
  /** Default `Reduction.SUM_BY_NONZERO_WEIGHTS`, as in tfjs. */
  reduction?: Reduction;
}

export interface TfjsLossGradOptions extends TfjsLossOptions, GradientOptions {
  /** The incoming gradient: the shape of the `NONE` loss (default ones), a number otherwise. */
  upstream?: FloatArray | number;
}

function reductionOf(where: string, value: unknown): Reduction {
  if (value === undefined) return Reduction.SUM_BY_NONZERO_WEIGHTS;
  if (value === 0 || value === 1 || value === 2 || value === 3) return value;
  const message = `${where}: options.reduction must be one of Reduction.NONE, MEAN, SUM, SUM_BY_NONZERO_WEIGHTS (0 to 3), received ${describe(value)}`;
  throw typeof value === 'number' ? new RangeError(message) : new TypeError(message);
}

/** Sample weights as given: a number, or an array whose length says per row or per element. */
interface Weights {
  values?: Float32Array;
  scalar: number;
  /** 1 (scalar), N (per row) or N·K (per element). */
  size: number;
  perElement: boolean;
}

function weightsOf(where: string, value: unknown, n: number, k: number, allowPerElement: boolean): Weights | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return { scalar: value, size: 1, perElement: false };
  const values = value instanceof WasmArray ? value.view.slice() : value instanceof Float32Array ? value : undefined;
  const shapes = allowPerElement ? `N (${n}) or N×numClasses (${n * k}) values` : `N (${n}) values`;
  if (!values) throw new TypeError(`${where}: options.weights must be a number or a Float32Array of ${shapes}, received ${describe(value)}`);
  if (values.length === n) return { values, scalar: 1, size: n, perElement: false };
  if (allowPerElement && values.length === n * k) return { values, scalar: 1, size: n * k, perElement: true };
  throw new RangeError(`${where}: options.weights must have ${shapes}, received ${values.length} values`);
}

/**
 * The factor that turns the sum of weighted losses into the reduced loss (tfjs
 * `computeWeightedLoss`): `total` is the number of loss values (N or N·K).
 */
function reductionDivisor(reduction: Reduction, w: Weights | undefined, total: number): number {
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

/** The per-row or per-element factors `weight / divisor` (times a scalar upstream). */
function scaled(w: Weights | undefined, factor: number): { values?: Float32Array; scalar: number } {
  if (!w) return { scalar: factor };
  if (!w.values) return { scalar: w.scalar * factor };
  const values = new Float32Array(w.values.length);
  for (let i = 0; i < values.length; i++) values[i] = w.values[i] * factor;
  return { values, scalar: 1 };
}

/** The gradient's factors: the weights, the reduction, and the upstream gradient. */
function gradientScale(call: KernelCall, reduction: Reduction, w: Weights | undefined, divisor: number, upstream: unknown, lossLength: number): { values?: Float32Array; scalar: number; upstreamPtr: number } {
  const up = upstreamOf(call, upstream, reduction !== Reduction.NONE, lossLength, `the shape of the unreduced loss (${lossLength} values)`);
  const s = scaled(w, up.scalar / divisor);
  return { ...s, upstreamPtr: up.ptr };
}

function stageFactors(call: KernelCall, values: Float32Array | undefined, what: string): number {
  return values ? call.floats(values, what).ptr : 0;
}

function commonInputs(where: string, rawOptions: unknown) {
  const o = options<TfjsLossGradOptions>(where, rawOptions);
  return {
    o,
    kClasses: positiveInteger(where, 'options.numClasses', o.numClasses),
    epsilon: smoothingEpsilon(where, 'options.labelSmoothing', o.labelSmoothing ?? 0),
    reduction: reductionOf(where, o.reduction),
  };
}

function softmaxCompute(where: string, labels: unknown, logits: unknown, rawOptions: unknown, withGrad: boolean) {
  const { o, kClasses, epsilon, reduction } = commonInputs(where, rawOptions);
  const k = kernels();
  return withCall(k, where, (call) => {
    const x = call.floats(logits, 'logits');
    const n = rowCount(where, 'logits', x.length, kClasses);
    const y = call.floats(labels, 'onehotLabels', x.length, `as many values as logits (${x.length})`);
    const w = weightsOf(where, o.weights, n, kClasses, false);
    const divisor = reductionDivisor(reduction, w, n);
    // The kernel's per-row scale: the gradient factor when a gradient is wanted; otherwise
    // weight/divisor, whose weighted sum is the reduced loss.
    const g = withGrad ? gradientScale(call, reduction, w, divisor, o.upstream, n) : { ...scaled(w, 1 / divisor), upstreamPtr: 0 };
    let scalePtr = stageFactors(call, g.values, 'the row weights');
    if (g.upstreamPtr) {
      // NONE with an upstream array: the factor is weight × upstream, per row.
      const upstream = new Float32Array(k.memory.buffer, g.upstreamPtr, n);
      const factors = new Float32Array(n);
      for (let i = 0; i < n; i++) factors[i] = upstream[i] * (g.values ? g.values[i] : g.scalar);
      scalePtr = stageFactors(call, factors, 'the row factors');
    }
    const perRowPtr = call.output(n, 'the per-row losses');
    const grad = withGrad ? gradientTarget(call, x, x.length, o) : undefined;
    const status = k.soft_cross_entropy(x.ptr, y.ptr, n, kClasses, epsilon, 0, scalePtr, g.scalar, perRowPtr, grad?.ptr ?? 0);
    call.check(status, { what: 'onehotLabels', numClasses: kClasses, ignoreIndex: -100 });
    const perRow = call.read(perRowPtr, n);
    return { loss: reduceLoss(reduction, perRow, w, divisor), grad: grad?.finish() };
  });
}

/** The reduced loss from the unweighted losses, in float64 (tfjs `computeWeightedLoss`). */
function reduceLoss(reduction: Reduction, losses: Float32Array, w: Weights | undefined, divisor: number): number | Float32Array {
  const weightAt = (i: number) => (!w ? 1 : !w.values ? w.scalar : w.perElement || w.size === losses.length ? w.values[i] : w.values[Math.floor(i / (losses.length / w.size))]);
  if (reduction === Reduction.NONE) {
    if (!w) return losses;
    const out = new Float32Array(losses.length);
    for (let i = 0; i < losses.length; i++) out[i] = losses[i] * weightAt(i);
    return out;
  }
  // tfjs's unweighted MEAN is `mean()`, which gives 0 for no values (vector empty_batch_eps0.1_MEAN);
  // every other reduction divides 0 by 0.
  if (reduction === Reduction.MEAN && !w && losses.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < losses.length; i++) sum += losses[i] * weightAt(i);
  return sum / divisor;
}

function sigmoidCompute(where: string, labels: unknown, logits: unknown, rawOptions: unknown, withGrad: boolean) {
  const { o, kClasses, epsilon, reduction } = commonInputs(where, rawOptions);
  const k = kernels();
  return withCall(k, where, (call) => {
    const x = call.floats(logits, 'logits');
    const n = rowCount(where, 'logits', x.length, kClasses);
    const y = call.floats(labels, 'multiClassLabels', x.length, `as many values as logits (${x.length})`);
    const w = weightsOf(where, o.weights, n, kClasses, true);
    const total = x.length;
    const divisor = reductionDivisor(reduction, w, total);
    const g = withGrad ? gradientScale(call, reduction, w, divisor, o.upstream, total) : { ...scaled(w, 1 / divisor), upstreamPtr: 0 };
    let kind = g.values ? (w!.perElement ? 2 : 1) : 0;
    let scalePtr = stageFactors(call, g.values, 'the weights');
    if (g.upstreamPtr) {
      // NONE with an upstream array (N·K): the factor is weight × upstream, per element.
      const upstream = new Float32Array(k.memory.buffer, g.upstreamPtr, total);
      const factors = new Float32Array(total);
      for (let i = 0; i < total; i++) {
        const weight = !g.values ? g.scalar : w!.perElement ? g.values[i] : g.values[Math.floor(i / kClasses)];
        factors[i] = upstream[i] * weight;
      }
      scalePtr = stageFactors(call, factors, 'the element factors');
      kind = 2;
    }
    // Unweighted and reduced, the loss is the kernel's own sum: no N×K losses written and read back.
    const elementwise = reduction === Reduction.NONE || w !== undefined;
    const lossesPtr = elementwise ? call.output(total, 'the elementwise losses') : 0;
    const grad = withGrad ? gradientTarget(call, x, total, o) : undefined;
    const status = k.sigmoid_cross_entropy(x.ptr, y.ptr, n, kClasses, epsilon, kind, scalePtr, g.scalar, lossesPtr, grad?.ptr ?? 0);
    call.check(status, { what: 'multiClassLabels', numClasses: kClasses, ignoreIndex: -100 });
    if (!elementwise) return { loss: reduction === Reduction.MEAN && total === 0 ? 0 : k.last_result(0) / divisor, grad: grad?.finish() };
    const losses = call.read(lossesPtr, total);
    return { loss: reduceLoss(reduction, losses, w, divisor), grad: grad?.finish() };
  });
}

/**
 * tfjs `tf.losses.softmaxCrossEntropy(onehotLabels, logits, weights, labelSmoothing, reduction)`:
 * `q = labels·(1−ε) + ε/K`, per-row loss `−Σ q·log_softmax(logits)`, sample weights, tfjs
 * reductions. Returns a number, or N losses for `Reduction.NONE`.
 */
export function softmaxCrossEntropy(onehotLabels: FloatArray, logits: FloatArray, opts: TfjsLossOptions): number | Float32Array {
  return softmaxCompute('softmaxCrossEntropy', onehotLabels, logits, opts, false).loss;
}

/** `softmaxCrossEntropy` and its true gradient with respect to the logits. */
export function softmaxCrossEntropyWithGrad(onehotLabels: FloatArray, logits: FloatArray, opts: TfjsLossGradOptions): LossAndGradient<number | Float32Array> {
  const r = softmaxCompute('softmaxCrossEntropyWithGrad', onehotLabels, logits, opts, true);
  return { loss: r.loss, grad: r.grad! };
}

/**
 * tfjs `tf.losses.sigmoidCrossEntropy(multiClassLabels, logits, weights, labelSmoothing,
 * reduction)`: K independent sigmoids, `q = y·(1−ε) + ε/2`, tfjs reductions over all N·K values.
 * Returns a number, or N·K losses for `Reduction.NONE`.
 */
export function sigmoidCrossEntropy(multiClassLabels: FloatArray, logits: FloatArray, opts: TfjsLossOptions): number | Float32Array {
  return sigmoidCompute('sigmoidCrossEntropy', multiClassLabels, logits, opts, false).loss;
}

/** `sigmoidCrossEntropy` and its gradient `scale·(σ(x) − q)`. */
export function sigmoidCrossEntropyWithGrad(multiClassLabels: FloatArray, logits: FloatArray, opts: TfjsLossGradOptions): LossAndGradient<number | Float32Array> {
  const r = sigmoidCompute('sigmoidCrossEntropyWithGrad', multiClassLabels, logits, opts, true);
  return { loss: r.loss, grad: r.grad! };
}
