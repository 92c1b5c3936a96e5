// Cross-entropy of a linear head, `logits = hidden·weightᵀ (+ bias)`, without its N×V logits: the
// kernel (crates/kernels/src/linear_head.rs) computes the logits a chunk of rows at a time into a
// buffer of this call, turns them into their gradient in place with the cross-entropy kernel, and
// accumulates the gradients of hidden, weight and bias. The options are crossEntropy's (the same
// names, checks and reductions, losses/reduction.ts) plus softcap, per-token weights and where the
// three gradients go.
import { floatArray, withCall, type FloatArray, type KernelCall, type Staged } from '../call';
import { resolveSmoothing, smoothingParams, type SmoothingOptions } from '../conventions';
import { kernels } from '../runtime';
import { flag, int32Targets, nonNegativeNumber, optional, options, positiveInteger } from '../validate';
import { WasmArray, wasmArrayBlock } from '../wasm-array';
import { linearCrossEntropyKernel, linearScratchLenKernel, weightedDenominatorKernel } from '../wasm-interface.generated';
import { pytorchReduction, REDUCTIONS, reductionOption, type CrossEntropyReduction } from './reduction';
import { classWeights, upstreamOf } from './staged-options';

/** The default memory budget of the chunk buffers: 64 MiB (63 rows of logits at V = 256k). */
export const LINEAR_MEMORY_BUDGET = 64 * 2 ** 20;

export interface LinearCrossEntropyOptions extends SmoothingOptions {
  /** D: hidden is N×D, weight V×D (row-major, as a linear layer stores it). Required. */
  hiddenSize: number;
  /** The layer's bias (V values). */
  bias?: FloatArray;
  /** Per-class weights (V values), as crossEntropy's `weight`. */
  weight?: FloatArray;
  /** Per-token weights (N values): row i's loss is multiplied by tokenWeights[i]; the mean divides by Σ tokenWeights[i]·weight[target[i]] over the rows that count. */
  tokenWeights?: FloatArray;
  /** Default `'mean'`, as crossEntropy. */
  reduction?: CrossEntropyReduction;
  /** Adds `zLoss·logsumexp(row)²` to every row that counts; default 0. */
  zLoss?: number;
  /** c > 0: the logits are `c·tanh(logits/c)` (Gemma 2); 0 or absent: no cap. */
  softcap?: number;
  /** Bytes the chunk buffers may take (default 64 MiB); the chunk holds as many rows as fit, at least one. */
  memoryBudget?: number;
  /** Rows per chunk, instead of the budget's choice. */
  chunkRows?: number;
}

export interface LinearCrossEntropyGradOptions extends LinearCrossEntropyOptions {
  /** The incoming gradient: N values for `'none'` (default ones), a number otherwise (default 1). */
  upstream?: FloatArray | number;
  /** Write dL/dhidden here (N·D values). */
  gradHiddenOut?: FloatArray;
  /** Write dL/dweight here (V·D values). */
  gradWeightOut?: FloatArray;
  /** Write dL/dbias here (V values). */
  gradBiasOut?: FloatArray;
  /** Add the gradients to the values already in the destinations (all of them given) instead of overwriting them. */
  accumulate?: boolean;
}

/** A linear head's loss and its gradients. `gradBias` when a bias or `gradBiasOut` was given. */
export interface LinearLossAndGradients<L> {
  loss: L;
  gradHidden: FloatArray;
  gradWeight: FloatArray;
  gradBias?: FloatArray;
}

/** A gradient output: where the kernel writes, and how the caller gets it. */
interface GradientOutput {
  ptr: number;
  finish(): FloatArray;
}

/**
 * One of the three gradients: a WasmArray destination is written where it is; a Float32Array
 * one through a block of this call (copied in first when accumulating); none, a new array.
 */
function gradientOutput(call: KernelCall, what: string, dest: unknown, length: number, rule: string, accumulate: boolean, inputs: readonly unknown[]): GradientOutput {
  const where = call.where;
  if (dest === undefined) {
    if (accumulate) throw new TypeError(`${where}: options.accumulate adds into ${what}, received undefined (give ${what}, or leave accumulate out)`);
    const ptr = call.output(length, 'a gradient');
    return { ptr, finish: () => call.read(ptr, length) };
  }
  const array = floatArray(where, what, dest);
  if (array.length !== length) throw new RangeError(`${where}: ${what} must have ${rule}, received ${array.length} values`);
  if (inputs.includes(array)) throw new TypeError(`${where}: ${what} must not be one of the inputs (the kernel reads them while it writes the gradients), received an input array`);
  if (array instanceof WasmArray) {
    const ptr = wasmArrayBlock(array, call.k, where, what).ptr;
    return { ptr, finish: () => array };
  }
  const staged: Staged = accumulate ? call.floats(array, what) : { ptr: call.output(length, what), length, source: array, wasmAddress: array.buffer === call.k.memory.buffer ? array.byteOffset : undefined };
  return {
    ptr: staged.ptr,
    finish() {
      call.writeBack(staged, staged.ptr, length);
      return array;
    },
  };
}

interface Computed {
  loss: number | Float32Array;
  grads?: { gradHidden: FloatArray; gradWeight: FloatArray; gradBias?: FloatArray };
}

function compute(where: string, hidden: unknown, weight: unknown, target: unknown, rawOptions: unknown, withGrad: boolean): Computed {
  const o = options<LinearCrossEntropyGradOptions>(where, rawOptions);
  const d = positiveInteger(where, 'options.hiddenSize', o.hiddenSize);
  const w = floatArray(where, 'weight', weight);
  if (w.length === 0 || w.length % d !== 0) {
    throw new RangeError(`${where}: weight must hold V×hiddenSize values (a positive multiple of ${d}), received ${w.length} values`);
  }
  const v = w.length / d;
  const s = resolveSmoothing(where, v, o, { numClasses: 'V (the rows of weight)', labelSmoothing: 'options.labelSmoothing' });
  const reduction = reductionOption(where, o.reduction, REDUCTIONS);
  const zLoss = optional(where, 'options.zLoss', o.zLoss, 0, nonNegativeNumber);
  const softcap = optional(where, 'options.softcap', o.softcap, 0, nonNegativeNumber);
  const budget = optional(where, 'options.memoryBudget', o.memoryBudget, LINEAR_MEMORY_BUDGET, positiveInteger);
  const chunkOption = optional(where, 'options.chunkRows', o.chunkRows, 0, positiveInteger);
  const accumulate = withGrad ? optional(where, 'options.accumulate', o.accumulate, false, flag) : false;
  const targets = int32Targets(where, 'target', target);
  const n = targets.length;
  const k = kernels();
  return withCall(k, where, (call) => {
    const h = call.floats(hidden, 'hidden', n * d, `N×hiddenSize values (${n}×${d}: one row per target)`);
    const wStaged = call.floats(w, 'weight');
    const bias = o.bias === undefined ? undefined : call.floats(o.bias, 'options.bias', v, `V (${v}) values`);
    const classWeightPtr = classWeights(call, o.weight, v)?.ptr ?? 0;
    const tokenPtr = o.tokenWeights === undefined ? 0 : call.floats(o.tokenWeights, 'options.tokenWeights', n, `one value per target (${n})`).ptr;
    const targetPtr = call.ints(targets, 'target');
    const up = withGrad ? upstreamOf(call, o.upstream, reduction !== 'none', n, `one value per row (${n})`) : { ptr: 0, scalar: 1 };
    const perRowPtr = reduction === 'none' ? call.output(n, 'the per-row losses') : 0;
    const inputs = withGrad ? [hidden, weight, o.bias, o.weight, o.tokenWeights, o.upstream] : [];
    const grads = withGrad
      ? {
          hidden: gradientOutput(call, 'options.gradHiddenOut', o.gradHiddenOut, n * d, `N×hiddenSize values (${n}×${d})`, accumulate, inputs),
          weight: gradientOutput(call, 'options.gradWeightOut', o.gradWeightOut, v * d, `V×hiddenSize values (${v}×${d})`, accumulate, inputs),
          bias: bias || o.gradBiasOut !== undefined ? gradientOutput(call, 'options.gradBiasOut', o.gradBiasOut, v, `V (${v}) values`, accumulate, inputs) : undefined,
        }
      : undefined;
    const ctx = { what: 'target', numClasses: v, ignoreIndex: s.ignoreIndex };
    const smoothing = smoothingParams(s);
    // A mean's gradient scale needs its divisor before the call (every target is checked too).
    const divisorFirst =
      reduction === 'mean' && withGrad ? call.run(weightedDenominatorKernel, { smoothing, targets: targetPtr, numRows: n, classWeights: classWeightPtr, tokenWeights: tokenPtr }, ctx).denominator : 1;
    const gradScale = pytorchReduction(reduction, divisorFirst, up.scalar).gradientScale;
    const capped = softcap > 0;
    const chunkRows = chunkOption || chunkRowsFor(call, budget, v, capped);
    const rows = Math.max(1, Math.min(chunkRows, n));
    const scratchLen = call.run(linearScratchLenKernel, { chunkRows: rows, numClasses: v, softcap: capped ? 1 : 0 }, ctx).floats;
    const scratch = call.output(scratchLen, `the chunk buffer (${rows} rows of ${v} logits)`);
    const r = call.run(
      linearCrossEntropyKernel,
      {
        smoothing,
        hiddenSize: d,
        hidden: h.ptr,
        weight: wStaged.ptr,
        bias: bias?.ptr ?? 0,
        targets: targetPtr,
        numRows: n,
        classWeights: classWeightPtr,
        tokenWeights: tokenPtr,
        zLoss,
        softcap,
        upstreamPerRow: up.ptr,
        gradScale,
        chunkRows: rows,
        scratch,
        scratchLen,
        perRowLosses: perRowPtr,
        gradHidden: grads?.hidden.ptr ?? 0,
        gradWeight: grads?.weight.ptr ?? 0,
        gradBias: grads?.bias?.ptr ?? 0,
        accumulate: accumulate ? 1 : 0,
      },
      ctx,
    );
    const loss = reduction === 'none' ? call.read(perRowPtr, n) : pytorchReduction(reduction, r.denominator, up.scalar).reduce(r.sum);
    if (!grads) return { loss };
    return { loss, grads: { gradHidden: grads.hidden.finish(), gradWeight: grads.weight.finish(), gradBias: grads.bias?.finish() } };
  });
}

/** The rows whose chunk buffers fit `budget` bytes beside the GEMM's packing buffers (at least one). */
function chunkRowsFor(call: KernelCall, budget: number, v: number, capped: boolean): number {
  const fixed = 4 * call.run(linearScratchLenKernel, { chunkRows: 0, numClasses: v, softcap: 0 }, { what: 'target', numClasses: v, ignoreIndex: 0 }).floats;
  const perRow = 4 * (v * (capped ? 2 : 1) + 2);
  return Math.max(1, Math.floor((budget - fixed) / perRow));
}

/**
 * Cross-entropy of the logits `hidden·weightᵀ (+ options.bias)` of a linear head (hidden N×D,
 * weight V×D row-major, D = `options.hiddenSize`) against integer targets, with every option of
 * crossEntropy plus `softcap` and `tokenWeights`, computed a chunk of rows at a time: the N×V
 * logits never exist. Returns a number, or per-row losses for `'none'`.
 */
export function linearCrossEntropy(hidden: FloatArray, weight: FloatArray, target: Int32Array | number[], opts: LinearCrossEntropyOptions & { reduction: 'none' }): Float32Array;
export function linearCrossEntropy(hidden: FloatArray, weight: FloatArray, target: Int32Array | number[], opts: LinearCrossEntropyOptions): number;
export function linearCrossEntropy(hidden: FloatArray, weight: FloatArray, target: Int32Array | number[], opts: LinearCrossEntropyOptions): number | Float32Array {
  return compute('linearCrossEntropy', hidden, weight, target, opts, false).loss;
}

/**
 * `linearCrossEntropy` and its gradients w.r.t. hidden, weight and bias, in the same pass (as
 * autograd gives them for the reduction). `gradHiddenOut`, `gradWeightOut`, `gradBiasOut` receive
 * them; `accumulate: true` adds into those arrays (as frameworks accumulate `.grad`).
 */
export function linearCrossEntropyWithGrad(hidden: FloatArray, weight: FloatArray, target: Int32Array | number[], opts: LinearCrossEntropyGradOptions & { reduction: 'none' }): LinearLossAndGradients<Float32Array>;
export function linearCrossEntropyWithGrad(hidden: FloatArray, weight: FloatArray, target: Int32Array | number[], opts: LinearCrossEntropyGradOptions): LinearLossAndGradients<number>;
export function linearCrossEntropyWithGrad(hidden: FloatArray, weight: FloatArray, target: Int32Array | number[], opts: LinearCrossEntropyGradOptions): LinearLossAndGradients<number | Float32Array> {
  const r = compute('linearCrossEntropyWithGrad', hidden, weight, target, opts, true);
  const g = r.grads!;
  return g.gradBias ? { loss: r.loss, gradHidden: g.gradHidden, gradWeight: g.gradWeight, gradBias: g.gradBias } : { loss: r.loss, gradHidden: g.gradHidden, gradWeight: g.gradWeight };
}
