// Cross-entropy from logits with integer targets, in every smoothing convention (docs/semantics.md §2,
// §5, §8, §9), fused in one kernel pass with its gradient.
import { withCall, type FloatArray } from '../call';
import { resolveSmoothing, smoothingParams, type ResolvedSmoothing, type SmoothingOptions } from '../conventions';
import { isWasmMemoryBuffer } from '../memory';
import { kernels } from '../runtime';
import { crossEntropyDenominatorKernel, crossEntropyKernel, ReductionCode } from '../wasm-interface.generated';
import { int32Targets, isDetached, isFloat32Array, nonNegativeNumber, oneOfThese, optional, options } from '../validate';
import { WasmArray, wasmArrayBlock } from '../wasm-array';
import { gradientTarget, rowCount, upstreamOf, type GradientOptions } from './shape';

export type CrossEntropyReduction = 'none' | 'mean' | 'sum';

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
  const reduction = optional(where, 'options.reduction', o.reduction, 'mean', oneOfThese(['none', 'mean', 'sum'] as const));
  const zLoss = optional(where, 'options.zLoss', o.zLoss, 0, nonNegativeNumber);
  const targets = int32Targets(where, 'target', target);
  if (chunkable(logits, o, withGrad)) return computeInBlocks(where, logits, targets, s, reduction, zLoss, o, withGrad);
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
    const r = call.run(
      crossEntropyKernel,
      {
        smoothing: smoothingParams(s),
        logits: x.ptr,
        targets: targetPtr,
        numRows: n,
        classWeights: weightPtr,
        zLoss,
        reduction: ReductionCode[reduction],
        upstreamPerRow: up.ptr,
        upstream: up.scalar,
        perRowLosses: perRowPtr,
        grad: grad?.ptr ?? 0,
      },
      { what: 'target', numClasses: s.numClasses, ignoreIndex: s.ignoreIndex },
    );
    const parts = { nll: r.nll, smooth: r.smooth, denominator: r.denominator };
    const loss = reduction === 'none' ? call.read(perRowPtr, n) : r.loss;
    return { loss, grad: grad?.finish(), parts };
  });
}

// Large plain-array calls with short rows go through wasm memory a block of rows at a time: the
// copy in, the kernel's passes (in place) and the copy out of one block all hit the cache. Measured
// side by side (Node 20, both paths built and timed alternately, medians of 7): 1.12–1.26× faster at K = 1000, but
// 0.78–0.94× at K = 32000 and 256000, where a block holds one or two rows: long rows are staged
// whole.
const BLOCK_FLOATS = 1 << 16; // 256 KiB of logits per block
const BLOCKS_FROM = 1 << 18; // below 1 MiB of logits the whole array is staged at once
const BLOCK_MIN_ROWS = 16;

/** Whether a call can take the block path: large, well-formed plain arrays (anything else takes
 * the general path, which also reports every error). */
function chunkable(logits: unknown, o: Partial<CrossEntropyGradOptions>, withGrad: boolean): logits is Float32Array {
  if (!isFloat32Array(logits) || logits.length < BLOCKS_FROM || isWasmMemoryBuffer(logits.buffer) || isDetached(logits)) return false;
  if (typeof o.numClasses !== 'number' || o.numClasses * BLOCK_MIN_ROWS > BLOCK_FLOATS) return false;
  if (!withGrad) return true;
  if (o.inPlace !== undefined && typeof o.inPlace !== 'boolean') return false;
  const dest = o.gradOut;
  if (dest === undefined) return true;
  if (o.inPlace) return false;
  if (dest instanceof WasmArray) return !dest.freed && dest.length === logits.length;
  return isFloat32Array(dest) && dest !== logits && dest.length === logits.length && !isWasmMemoryBuffer(dest.buffer) && !isDetached(dest);
}

function computeInBlocks(
  where: string,
  logits: Float32Array,
  targets: Int32Array | number[],
  s: ResolvedSmoothing,
  reduction: CrossEntropyReduction,
  zLoss: number,
  o: Partial<CrossEntropyGradOptions>,
  withGrad: boolean,
): Computed {
  const kClasses = s.numClasses;
  const n = rowCount(where, 'logits', logits.length, kClasses);
  if (targets.length !== n) {
    throw new RangeError(`${where}: target must have one class index per row of logits (${n}), received ${targets.length}`);
  }
  const k = kernels();
  return withCall(k, where, (call) => {
    const weight = o.weight === undefined ? undefined : call.floats(o.weight, 'options.weight', kClasses, `numClasses (${kClasses}) values`);
    const targetPtr = call.ints(targets, 'target');
    // Every target is checked (and 'mean''s divisor D summed) by the kernel before any output is written.
    const ctx = { what: 'target', numClasses: kClasses, ignoreIndex: s.ignoreIndex };
    const { denominator } = call.run(
      crossEntropyDenominatorKernel,
      { smoothing: smoothingParams(s), targets: targetPtr, numRows: n, classWeights: weight?.ptr ?? 0 },
      ctx,
    );
    const up = withGrad ? upstreamOf(call, o.upstream, reduction !== 'none', n, `one value per row (${n})`) : { ptr: 0, scalar: 1 };
    const perRowPtr = reduction === 'none' ? call.output(n, 'the per-row losses') : 0;
    const rowsPerBlock = Math.max(1, Math.floor(BLOCK_FLOATS / kClasses));
    const blockPtr = call.output(Math.min(n, rowsPerBlock) * kClasses, 'a block of logits');
    const dest = !withGrad ? undefined : o.inPlace ? logits : o.gradOut === undefined ? new Float32Array(logits.length) : o.gradOut;
    const destPtr = dest instanceof WasmArray ? wasmArrayBlock(dest, k, where, 'options.gradOut').ptr : 0;
    // The kernel sums each block; 'mean' is that sum over D, and the gradient's scale carries 1/D.
    const scale = reduction === 'mean' ? (denominator === 0 ? NaN : up.scalar / denominator) : up.scalar;
    let [total, nll, smooth] = [0, 0, 0];
    for (let r0 = 0; r0 < n; r0 += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, n - r0);
      const [from, length] = [r0 * kClasses, rows * kClasses];
      new Float32Array(k.memory.buffer, blockPtr, length).set(logits.subarray(from, from + length));
      const r = call.run(
        crossEntropyKernel,
        {
          smoothing: smoothingParams(s),
          logits: blockPtr,
          targets: targetPtr + 4 * r0,
          numRows: rows,
          classWeights: weight?.ptr ?? 0,
          zLoss,
          reduction: ReductionCode.sum,
          upstreamPerRow: up.ptr && up.ptr + 4 * r0,
          upstream: scale,
          perRowLosses: perRowPtr && perRowPtr + 4 * r0,
          grad: dest ? blockPtr : 0,
        },
        ctx,
      );
      total += r.loss;
      nll += r.nll;
      smooth += r.smooth;
      if (dest) {
        const grad = new Float32Array(k.memory.buffer, blockPtr, length);
        if (dest instanceof WasmArray) new Float32Array(k.memory.buffer, destPtr + 4 * from, length).set(grad);
        else dest.set(grad, from);
      }
    }
    const loss = reduction === 'none' ? call.read(perRowPtr, n) : reduction === 'mean' ? (denominator === 0 ? NaN : total / denominator) : total;
    return { loss, grad: dest, parts: { nll, smooth, denominator } };
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
