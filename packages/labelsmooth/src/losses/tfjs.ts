// tfjs's `tf.losses.softmaxCrossEntropy` and `tf.losses.sigmoidCrossEntropy` (docs/semantics.md §6, §7):
// labels first, sample weights, and tfjs's `computeWeightedLoss` reductions. The gradient is the
// true derivative of the returned loss (tfjs's hand-written `softmax − labels` is not, when a row
// of labels does not sum to 1).
import { withCall, type FloatArray, type KernelCall } from '../call';
import { labelSmoothingOption } from '../conventions';
import { kernels } from '../runtime';
import { ScaleKind, sigmoidCrossEntropyKernel, softCrossEntropyKernel } from '../wasm-interface.generated';
import { describe, isFloat32Array, oneOfThese, optional, options, positiveInteger, rowCount } from '../validate';
import { WasmArray } from '../wasm-array';
import type { LossAndGradient } from './cross-entropy';
import { gradientTarget, type GradientOptions } from './gradient-destination';
import { lossScales, reduceLoss, reduceSum, reductionDivisor, Reduction, type Weights } from './reduction';
import { upstreamOf } from './staged-options';

export { Reduction };

/**
 * What each value of a weights array applies to, i.e. the shape of tfjs's `weights` tensor that
 * it broadcasts against the losses: `'row'` N values (tfjs `[N]` for the softmax loss, `[N, 1]`
 * for the sigmoid loss), `'class'` K values (tfjs `[1, K]`, sigmoid only), `'element'` N·K
 * values (tfjs `[N, K]`, sigmoid only).
 */
export type WeightsPer = 'row' | 'class' | 'element';

export interface TfjsLossOptions {
  /** K: the logits and labels are N×K, row-major. */
  numClasses: number;
  /**
   * tfjs's `weights`: a number (every loss value), or a Float32Array or WasmArray of N (per row),
   * K (per class, sigmoid only) or N·K (per element, sigmoid only) values, as `weightsPer` says.
   */
  weights?: number | FloatArray;
  /**
   * What a weights array is per. Required whenever its length fits more than one reading (for
   * the sigmoid loss: N = K, K = 1 or N = 1), so that no length coincidence picks the meaning;
   * when left out, the one reading its length fits is used. `softmaxCrossEntropy` takes `'row'`
   * only: its loss is one value per row.
   */
  weightsPer?: WeightsPer;
  /** ε in [0, 1]; default 0. */
  labelSmoothing?: number;
  /** Default `Reduction.SUM_BY_NONZERO_WEIGHTS`, as in tfjs. */
  reduction?: Reduction;
}

export interface TfjsLossGradOptions extends TfjsLossOptions, GradientOptions {
  /** The incoming gradient: the shape of the `NONE` loss (default ones), a number otherwise. */
  upstream?: FloatArray | number;
}

function checkReduction(where: string, what: string, value: unknown): Reduction {
  if (value === 0 || value === 1 || value === 2 || value === 3) return value;
  const message = `${where}: ${what} must be one of Reduction.NONE, MEAN, SUM, SUM_BY_NONZERO_WEIGHTS (0 to 3), received ${describe(value)}`;
  throw typeof value === 'number' ? new RangeError(message) : new TypeError(message);
}

const READINGS: readonly WeightsPer[] = ['row', 'class', 'element'];
const LENGTH_NAMES: Record<WeightsPer, string> = { row: 'N', class: 'numClasses', element: 'N×numClasses' };

function orList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * The sample weights of a call with N rows of K classes. An array gets the same checks as every
 * other float argument (`KernelCall.floats`: a detached buffer, a freed WasmArray or one of
 * another build is refused; another realm's Float32Array, a shared one or a WasmArray accepted)
 * and is read as `options.weightsPer` says, or as the one reading of `readings` its length fits.
 */
function weightsOf(call: KernelCall, o: Partial<TfjsLossGradOptions>, n: number, k: number, readings: readonly WeightsPer[]): Weights | undefined {
  const where = call.where;
  const per = optional<WeightsPer | undefined>(where, 'options.weightsPer', o.weightsPer, undefined, oneOfThese(READINGS));
  if (per !== undefined && !readings.includes(per)) {
    // Only the softmax loss takes fewer readings than all three.
    throw new RangeError(
      `${where}: options.weightsPer must be 'row' (tfjs's softmax loss is one value per row, so its weights are per row; for class weights use softCrossEntropy's options.weight), received ${describe(per)}`,
    );
  }
  const value = o.weights;
  if (value === undefined || typeof value === 'number') {
    if (per !== undefined) {
      throw new TypeError(`${where}: options.weightsPer only applies to a Float32Array or WasmArray of weights, received ${describe(per)} with options.weights ${describe(value)}`);
    }
    return value === undefined ? undefined : { scalar: value, size: 1 };
  }
  if (!isFloat32Array(value) && !(value instanceof WasmArray)) {
    throw new TypeError(`${where}: options.weights must be a number, a Float32Array or a WasmArray, received ${describe(value)}`);
  }
  const staged = call.floats(value, 'options.weights');
  const values = call.read(staged.ptr, staged.length);
  const lengths: Record<WeightsPer, number> = { row: n, class: k, element: n * k };
  const named = (r: WeightsPer) => `${LENGTH_NAMES[r]} (${lengths[r]})`;
  if (per !== undefined) {
    if (values.length !== lengths[per]) {
      throw new RangeError(`${where}: options.weights must have ${named(per)} values for weightsPer '${per}', received ${values.length} values`);
    }
    return { values, scalar: 1, per, size: values.length };
  }
  const fits = readings.filter((r) => lengths[r] === values.length);
  if (fits.length === 0) {
    throw new RangeError(`${where}: options.weights must have ${orList(readings.map(named))} values, received ${values.length} values`);
  }
  if (fits.length > 1) {
    throw new TypeError(
      `${where}: options.weightsPer must say what the ${values.length} weights are per: ${orList(fits.map((r) => `'${r}' (${LENGTH_NAMES[r]} = ${lengths[r]})`))}, received undefined`,
    );
  }
  return { values, scalar: 1, per: fits[0], size: values.length };
}

function commonInputs(where: string, rawOptions: unknown) {
  const o = options<TfjsLossGradOptions>(where, rawOptions);
  return {
    o,
    kClasses: positiveInteger(where, 'options.numClasses', o.numClasses),
    epsilon: labelSmoothingOption(where, o.labelSmoothing),
    reduction: optional<Reduction>(where, 'options.reduction', o.reduction, Reduction.SUM_BY_NONZERO_WEIGHTS, checkReduction),
  };
}

/**
 * The scale of each loss value for the kernel: the weights over the reduction's divisor, and for
 * a gradient the upstream gradient (a number scales everything; an array, for `NONE`, each value).
 */
function scalesFor(call: KernelCall, o: Partial<TfjsLossGradOptions>, withGrad: boolean, reduction: Reduction, w: Weights | undefined, divisor: number, total: number, k: number) {
  if (!withGrad) return lossScales(w, 1 / divisor, undefined, total, k);
  const up = upstreamOf(call, o.upstream, reduction !== Reduction.NONE, total, `the shape of the unreduced loss (${total} values)`);
  const upstream = up.ptr ? call.read(up.ptr, total) : undefined;
  return lossScales(w, up.scalar / divisor, upstream, total, k);
}

function softmaxCompute(where: string, labels: unknown, logits: unknown, rawOptions: unknown, withGrad: boolean) {
  const { o, kClasses, epsilon, reduction } = commonInputs(where, rawOptions);
  const k = kernels();
  return withCall(k, where, (call) => {
    const x = call.floats(logits, 'logits');
    const n = rowCount(where, 'logits', x.length, kClasses);
    const y = call.floats(labels, 'onehotLabels', x.length, `as many values as logits (${x.length})`);
    const w = weightsOf(call, o, n, kClasses, ['row']);
    const divisor = reductionDivisor(reduction, w, n);
    // The kernel's per-row scale: the gradient factor when a gradient is wanted; otherwise
    // weight/divisor, whose weighted sum is the reduced loss. One loss value per row.
    const g = scalesFor(call, o, withGrad, reduction, w, divisor, n, 1);
    const scalePtr = g.values ? call.floats(g.values, 'the row factors').ptr : 0;
    const perRowPtr = call.output(n, 'the per-row losses');
    const grad = withGrad ? gradientTarget(call, x, x.length, o) : undefined;
    call.run(
      softCrossEntropyKernel,
      { logits: x.ptr, targets: y.ptr, numRows: n, numClasses: kClasses, epsilon, classWeights: 0, scalePerRow: scalePtr, scale: g.scalar, perRowLosses: perRowPtr, grad: grad?.ptr ?? 0 },
      { what: 'onehotLabels', numClasses: kClasses },
    );
    const perRow = call.read(perRowPtr, n);
    return { loss: reduceLoss(reduction, perRow, w, divisor, 1), grad: grad?.finish() };
  });
}

function sigmoidCompute(where: string, labels: unknown, logits: unknown, rawOptions: unknown, withGrad: boolean) {
  const { o, kClasses, epsilon, reduction } = commonInputs(where, rawOptions);
  const k = kernels();
  return withCall(k, where, (call) => {
    const x = call.floats(logits, 'logits');
    const n = rowCount(where, 'logits', x.length, kClasses);
    const y = call.floats(labels, 'multiClassLabels', x.length, `as many values as logits (${x.length})`);
    const w = weightsOf(call, o, n, kClasses, READINGS);
    const total = x.length;
    const divisor = reductionDivisor(reduction, w, total);
    const g = scalesFor(call, o, withGrad, reduction, w, divisor, total, kClasses);
    const scaleKind = !g.values ? ScaleKind.uniform : g.perValue ? ScaleKind.perElement : ScaleKind.perRow;
    const scalePtr = g.values ? call.floats(g.values, 'the weights').ptr : 0;
    // Unweighted and reduced, the loss is the kernel's own sum: no N×K losses written and read back.
    const elementwise = reduction === Reduction.NONE || w !== undefined;
    const lossesPtr = elementwise ? call.output(total, 'the elementwise losses') : 0;
    const grad = withGrad ? gradientTarget(call, x, total, o) : undefined;
    const r = call.run(
      sigmoidCrossEntropyKernel,
      { logits: x.ptr, labels: y.ptr, numRows: n, numClasses: kClasses, epsilon, scaleKind, scaleValues: scalePtr, scale: g.scalar, losses: lossesPtr, grad: grad?.ptr ?? 0 },
      { what: 'multiClassLabels', numClasses: kClasses },
    );
    if (!elementwise) return { loss: reduceSum(reduction, r.sum, w, total, divisor), grad: grad?.finish() };
    const losses = call.read(lossesPtr, total);
    return { loss: reduceLoss(reduction, losses, w, divisor, kClasses), grad: grad?.finish() };
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
