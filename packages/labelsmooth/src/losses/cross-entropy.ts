// Cross-entropy from logits with integer targets, in every smoothing convention (SEMANTICS §2,
// §5, §8, §9), fused in one kernel pass with its gradient.
import { withCall, type FloatArray } from '../call';
import { resolveSmoothing, type SmoothingOptions } from '../conventions';
import { kernels } from '../runtime';
import { int32Targets, nonNegativeNumber, oneOf, options } from '../validate';
import { gradientTarget, rowCount, upstreamOf, type GradientOptions } from './shape';

export type CrossEntropyReduction = 'none' | 'mean' | 'sum';
const REDUCTION_CODES: Record<CrossEntropyReduction, number> = { none: 0, sum: 1, mean: 2 };

export interface CrossEntropyOptions extends SmoothingOptions {
  /** K: the logits are N×K, row-major. */
  numClasses: number;
  /** Per-class weights (K values), PyTorch's `weight`. */
  weight?: FloatArray;
  /** Default `'mean'`: Σ losses / Σ of the target classes' weights (the non-ignored row count). */
  reduction?: CrossEntropyReduction;
  /** Adds `zLoss·logsumexp(row)²` to every non-ignored row; default 0. */
  zLoss?: number;
}

export interface CrossEntropyGradOptions extends CrossEntropyOptions, GradientOptions {
  /** The incoming gradient: N values for `'none'` (default ones), a number otherwise (default 1). */
  upstream?: FloatArray | number;
}

/** A loss and its gradient with respect to the logits. */
export interface LossAndGradient<L> {
  loss: L;
  grad: FloatArray;
}

/** The loss split into its parts (sums over the rows that count, before the reduction). */
export interface CrossEntropyParts {
  /** Σ −w_y·log p_y: the unsmoothed negative log-likelihood. */
  nll: number;
  /** Σ −Σ_k w_k·log p_k over the smoothed classes (PyTorch's smoothing term). */
  smooth: number;
  /** The mean's denominator: Σ w_y over the rows that count (their number without weights). */
  denominator: number;
}

interface Computed {
  loss: number | Float32Array;
  grad?: FloatArray;
  parts: CrossEntropyParts;
}

function compute(where: string, logits: unknown, target: unknown, rawOptions: unknown, withGrad: boolean): Computed {
  const o = options<CrossEntropyGradOptions>(where, rawOptions);
  const s = resolveSmoothing(where, o.numClasses, o, { numClasses: 'options.numClasses', labelSmoothing: 'options.labelSmoothing' });
  const reduction = oneOf(where, 'options.reduction', o.reduction ?? 'mean', ['none', 'mean', 'sum'] as const);
  const zLoss = nonNegativeNumber(where, 'options.zLoss', o.zLoss ?? 0);
  const targets = int32Targets(where, 'target', target);
  const k = kernels();
  return withCall(k, where, (call) => {
    const x = call.floats(logits, 'logits');
    const n = rowCount(where, 'logits', x.length, s.numClasses);
    if (targets.length !== n) {
      throw new RangeError(`${where}: target must have one class index per row of logits (${n}), received ${targets.length}`);
    }
    const weightPtr = o.weight === undefined ? 0 : call.floats(o.weight, 'options.weight', s.numClasses, `numClasses (${s.numClasses}) values`).ptr;
    const targetPtr = call.ints(targets, 'target');
    const up = withGrad ? upstreamOf(call, o.upstream, reduction !== 'none', n, `one value per row (${n})`) : { ptr: 0, scalar: 1 };
    const perRowPtr = reduction === 'none' ? call.output(n, 'the per-row losses') : 0;
    const grad = withGrad ? gradientTarget(call, x, n * s.numClasses, o) : undefined;
    const status = k.cross_entropy(
      x.ptr,
      targetPtr,
      n,
      s.numClasses,
      s.conventionCode,
      s.paddingIdx,
      s.epsilon,
      s.ignoreIndex,
      weightPtr,
      zLoss,
      REDUCTION_CODES[reduction],
      up.ptr,
      up.scalar,
      perRowPtr,
      grad?.ptr ?? 0,
    );
    call.check(status, { what: 'target', numClasses: s.numClasses, ignoreIndex: s.ignoreIndex });
    const parts = { nll: k.last_result(1), smooth: k.last_result(2), denominator: k.last_result(4) };
    const loss = reduction === 'none' ? call.read(perRowPtr, n) : k.last_result(0);
    return { loss, grad: grad?.finish(), parts };
  });
}

/**
 * Cross-entropy of N×K logits against integer targets with label smoothing: PyTorch
 * `F.cross_entropy` for `convention: 'uniform'` (class weights, ignored rows, what `'mean'`
 * divides by, NaN where PyTorch gives NaN); `'fairseq'` and `'annotated'` use those conventions'
 * targets. Always the cross-entropy H(q, p). Returns a number, or per-row losses for `'none'`.
 */
export function crossEntropy(logits: FloatArray, target: Int32Array | number[], opts: CrossEntropyOptions & { reduction: 'none' }): Float32Array;
export function crossEntropy(logits: FloatArray, target: Int32Array | number[], opts: CrossEntropyOptions): number;
export function crossEntropy(logits: FloatArray, target: Int32Array | number[], opts: CrossEntropyOptions): number | Float32Array {
  return compute('crossEntropy', logits, target, opts, false).loss;
}

/**
 * `crossEntropy` and its gradient ∂loss/∂logits, as autograd gives it for the reduction, in
 * the same pass. `gradOut` receives the gradient; `inPlace: true` overwrites the logits with it.
 */
export function crossEntropyWithGrad(logits: FloatArray, target: Int32Array | number[], opts: CrossEntropyGradOptions & { reduction: 'none' }): LossAndGradient<Float32Array>;
export function crossEntropyWithGrad(logits: FloatArray, target: Int32Array | number[], opts: CrossEntropyGradOptions): LossAndGradient<number>;
export function crossEntropyWithGrad(logits: FloatArray, target: Int32Array | number[], opts: CrossEntropyGradOptions): LossAndGradient<number | Float32Array> {
  const r = compute('crossEntropyWithGrad', logits, target, opts, true);
  return { loss: r.loss, grad: r.grad! };
}

/** The parts of `crossEntropy` (NLL and smoothing term, summed) and the mean's denominator. */
export function crossEntropyParts(logits: FloatArray, target: Int32Array | number[], opts: CrossEntropyOptions): CrossEntropyParts {
  return compute('crossEntropyParts', logits, target, opts, false).parts;
}
