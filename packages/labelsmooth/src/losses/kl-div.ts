// PyTorch `F.kl_div` (docs/semantics.md §4), except that a term whose target is 0 contributes exactly 0
// (0·log 0 = 0): a -inf input there gives a finite or +Infinity result, not NaN.
import { withCall, type FloatArray } from '../call';
import { kernels } from '../runtime';
import { klDivKernel, ScaleKind, TargetForm } from '../wasm-interface.generated';
import { flag, optional, options, positiveInteger, rowCount } from '../validate';
import type { LossAndGradient } from './cross-entropy';
import { gradientTarget, type GradientOptions } from './gradient-destination';
import { KL_DIV_REDUCTIONS, pytorchReduction, reductionOption, type KlDivReduction } from './reduction';
import { upstreamOf } from './staged-options';

/** PyTorch `F.kl_div`'s reductions: its own 'batchmean' besides 'none', 'sum' and 'mean'. */

export interface KlDivOptions {
  numClasses: number;
  /** Default `'mean'` (÷ N·K, PyTorch's default); `'batchmean'` ÷ N is the true KL per row. */
  reduction?: KlDivReduction;
  /** Whether `target` holds log-probabilities; default false. */
  logTarget?: boolean;
}

export interface KlDivGradOptions extends KlDivOptions, GradientOptions {
  /** The incoming gradient: N·K values for `'none'` (default ones), a number otherwise. */
  upstream?: FloatArray | number;
}

function compute(where: string, input: unknown, target: unknown, rawOptions: unknown, withGrad: boolean) {
  const o = options<KlDivGradOptions>(where, rawOptions);
  const kClasses = positiveInteger(where, 'options.numClasses', o.numClasses);
  const reduction = reductionOption(where, o.reduction, KL_DIV_REDUCTIONS);
  const logTarget = optional(where, 'options.logTarget', o.logTarget, false, flag);
  const k = kernels();
  return withCall(k, where, (call) => {
    const x = call.floats(input, 'input');
    const n = rowCount(where, 'input', x.length, kClasses);
    const t = call.floats(target, 'target', x.length, `as many values as input (${x.length})`);
    const up = withGrad ? upstreamOf(call, o.upstream, reduction !== 'none', x.length, `as many values as input (${x.length})`) : { ptr: 0, scalar: 1 };
    const termsPtr = reduction === 'none' ? call.output(x.length, 'the elementwise terms') : 0;
    const grad = withGrad ? gradientTarget(call, x, x.length, o) : undefined;
    // 'mean' averages over the N·K terms, 'batchmean' over the N rows. With N·K upstream values
    // ('none') they scale each term; otherwise one factor does.
    const reducer = pytorchReduction(reduction, reduction === 'mean' ? x.length : n, up.scalar);
    const [scaleKind, scale] = up.ptr ? [ScaleKind.perElement, 1] : [ScaleKind.uniform, reducer.gradientScale];
    const targetForm = logTarget ? TargetForm.logProbabilities : TargetForm.probabilities;
    const r = call.run(
      klDivKernel,
      { input: x.ptr, target: t.ptr, numRows: n, numClasses: kClasses, targetForm, scaleKind, scaleValues: up.ptr, scale, terms: termsPtr, grad: grad?.ptr ?? 0 },
      { what: 'target', numClasses: kClasses },
    );
    const loss = reduction === 'none' ? call.read(termsPtr, x.length) : reducer.reduce(r.sum);
    return { loss, grad: grad?.finish() };
  });
}

/** KL(target ‖ exp(input)) for log-probability `input` (N×K), reduced. */
export function klDiv(input: FloatArray, target: FloatArray, opts: KlDivOptions & { reduction: 'none' }): Float32Array;
export function klDiv(input: FloatArray, target: FloatArray, opts: KlDivOptions): number;
export function klDiv(input: FloatArray, target: FloatArray, opts: KlDivOptions): number | Float32Array {
  return compute('klDiv', input, target, opts, false).loss;
}

/** `klDiv` and its gradient with respect to `input` (`−q`, or `−exp(t)` with `logTarget`, scaled). */
export function klDivWithGrad(input: FloatArray, target: FloatArray, opts: KlDivGradOptions & { reduction: 'none' }): LossAndGradient<Float32Array>;
export function klDivWithGrad(input: FloatArray, target: FloatArray, opts: KlDivGradOptions): LossAndGradient<number>;
export function klDivWithGrad(input: FloatArray, target: FloatArray, opts: KlDivGradOptions): LossAndGradient<number | Float32Array> {
  const r = compute('klDivWithGrad', input, target, opts, true);
  return { loss: r.loss, grad: r.grad! };
}
