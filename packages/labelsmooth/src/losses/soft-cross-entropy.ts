// Cross-entropy against probability ("soft") targets: PyTorch `F.cross_entropy` when input and
// target have the same shape (docs/semantics.md §3).
import { withCall, type FloatArray } from '../call';
import { labelSmoothingOption } from '../conventions';
import { kernels } from '../runtime';
import { softCrossEntropyKernel } from '../wasm-interface.generated';
import { options, positiveInteger, rowCount } from '../validate';
import type { LossAndGradient } from './cross-entropy';
import { gradientTarget, type GradientOptions } from './gradient-destination';
import { pytorchReduction, REDUCTIONS, reductionOption, type CrossEntropyReduction } from './reduction';
import { classWeights, upstreamOf } from './staged-options';

export interface SoftCrossEntropyOptions {
  numClasses: number;
  /** ε in [0, 1]: `q = t·(1−ε) + ε/K`; default 0. */
  labelSmoothing?: number;
  /** Per-class weights (K values). */
  weight?: FloatArray;
  /** Default `'mean'`: Σ losses / N (not divided by any weight sum, as in PyTorch). */
  reduction?: CrossEntropyReduction;
}

export interface SoftCrossEntropyGradOptions extends SoftCrossEntropyOptions, GradientOptions {
  upstream?: FloatArray | number;
}

function compute(where: string, logits: unknown, probs: unknown, rawOptions: unknown, withGrad: boolean): { loss: number | Float32Array; grad?: FloatArray } {
  const o = options<SoftCrossEntropyGradOptions>(where, rawOptions);
  const kClasses = positiveInteger(where, 'options.numClasses', o.numClasses);
  const epsilon = labelSmoothingOption(where, o.labelSmoothing);
  const reduction = reductionOption(where, o.reduction, REDUCTIONS);
  const k = kernels();
  return withCall(k, where, (call) => {
    const x = call.floats(logits, 'logits');
    const n = rowCount(where, 'logits', x.length, kClasses);
    const t = call.floats(probs, 'probs', x.length, `as many values as logits (${x.length})`);
    const weightPtr = classWeights(call, o.weight, kClasses)?.ptr ?? 0;
    const up = withGrad ? upstreamOf(call, o.upstream, reduction !== 'none', n, `one value per row (${n})`) : { ptr: 0, scalar: 1 };
    const perRowPtr = reduction === 'none' ? call.output(n, 'the per-row losses') : 0;
    const grad = withGrad ? gradientTarget(call, x, x.length, o) : undefined;
    const reducer = pytorchReduction(reduction, n, up.scalar);
    const { sum } = call.run(
      softCrossEntropyKernel,
      { logits: x.ptr, targets: t.ptr, numRows: n, numClasses: kClasses, epsilon, classWeights: weightPtr, scalePerRow: up.ptr, scale: reducer.gradientScale, perRowLosses: perRowPtr, grad: grad?.ptr ?? 0 },
      { what: 'probs', numClasses: kClasses },
    );
    const loss = reduction === 'none' ? call.read(perRowPtr, n) : reducer.reduce(sum);
    return { loss, grad: grad?.finish() };
  });
}

/**
 * Cross-entropy of N×K logits against N×K target probabilities (rows need not sum to 1), with
 * optional smoothing and class weights: PyTorch `F.cross_entropy` with probability targets.
 */
export function softCrossEntropy(logits: FloatArray, probs: FloatArray, opts: SoftCrossEntropyOptions & { reduction: 'none' }): Float32Array;
export function softCrossEntropy(logits: FloatArray, probs: FloatArray, opts: SoftCrossEntropyOptions): number;
export function softCrossEntropy(logits: FloatArray, probs: FloatArray, opts: SoftCrossEntropyOptions): number | Float32Array {
  return compute('softCrossEntropy', logits, probs, opts, false).loss;
}

/** `softCrossEntropy` and its true gradient `scale·(p·Σ_j w_j q_j − w_k q_k)`. */
export function softCrossEntropyWithGrad(logits: FloatArray, probs: FloatArray, opts: SoftCrossEntropyGradOptions & { reduction: 'none' }): LossAndGradient<Float32Array>;
export function softCrossEntropyWithGrad(logits: FloatArray, probs: FloatArray, opts: SoftCrossEntropyGradOptions): LossAndGradient<number>;
export function softCrossEntropyWithGrad(logits: FloatArray, probs: FloatArray, opts: SoftCrossEntropyGradOptions): LossAndGradient<number | Float32Array> {
  const r = compute('softCrossEntropyWithGrad', logits, probs, opts, true);
  return { loss: r.loss, grad: r.grad! };
}
