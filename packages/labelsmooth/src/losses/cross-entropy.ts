// Cross-entropy from logits with integer targets, in every smoothing convention (docs/semantics.md §2,
// §5, §8, §9), fused in one kernel pass with its gradient.
import { withCall, type FloatArray, type KernelCall } from '../call';
import type { TargetContext } from '../kernel-errors';
import { resolveSmoothing, smoothingParams, type ResolvedSmoothing, type SmoothingOptions } from '../conventions';
import { isWasmMemoryBuffer } from '../memory';
import { kernels } from '../runtime';
import { activePool } from '../threads/pool';
import { crossEntropyDenominatorKernel, crossEntropyKernel } from '../wasm-interface.generated';
import { int32Targets, isDetached, isFloat32Array, nonNegativeNumber, oneTargetPerRow, optional, options, rowCount } from '../validate';
import { gradientCopy, gradientDestination, gradientTarget, type GradientDestination, type GradientOptions } from './gradient-destination';
import { pytorchReduction, REDUCTIONS, reductionOption, type CrossEntropyReduction } from './reduction';
import { classWeights, upstreamOf } from './staged-options';

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

/** D, the mean's divisor (docs/semantics.md §2), by the kernels' rule; every target is checked. */
function denominator(call: KernelCall, s: ResolvedSmoothing, targetPtr: number, n: number, weightPtr: number, ctx: Omit<TargetContext, 'where'>): number {
  return call.run(crossEntropyDenominatorKernel, { smoothing: smoothingParams(s), targets: targetPtr, numRows: n, classWeights: weightPtr }, ctx).denominator;
}

function compute(where: string, logits: unknown, target: unknown, rawOptions: unknown, withGrad: boolean): Computed {
  const o = options<CrossEntropyGradOptions>(where, rawOptions);
  const s = resolveSmoothing(where, o.numClasses, o, { numClasses: 'options.numClasses', labelSmoothing: 'options.labelSmoothing' });
  const reduction = reductionOption(where, o.reduction, REDUCTIONS);
  const zLoss = optional(where, 'options.zLoss', o.zLoss, 0, nonNegativeNumber);
  const targets = int32Targets(where, 'target', target);
  const k = kernels();
  const blocks = blockPath(k, where, logits, o, withGrad);
  if (blocks) return computeInBlocks(where, blocks.logits, targets, s, reduction, zLoss, o, blocks.grad);
  return withCall(k, where, (call) => {
    const x = call.floats(logits, 'logits');
    const n = rowCount(where, 'logits', x.length, s.numClasses);
    oneTargetPerRow(where, targets, n, 'logits');
    const weightPtr = classWeights(call, o.weight, s.numClasses)?.ptr ?? 0;
    const targetPtr = call.ints(targets, 'target');
    const up = withGrad ? upstreamOf(call, o.upstream, reduction !== 'none', n, `one value per row (${n})`) : { ptr: 0, scalar: 1 };
    const perRowPtr = reduction === 'none' ? call.output(n, 'the per-row losses') : 0;
    const grad = withGrad ? gradientTarget(call, x, n * s.numClasses, o) : undefined;
    const ctx = { what: 'target', numClasses: s.numClasses, ignoreIndex: s.ignoreIndex };
    // A mean's gradient scale needs D before the call: the kernels' rule gives it (and checks the
    // targets). Without a gradient the call's own D serves, and no second call is made.
    const divisorFirst = reduction === 'mean' && withGrad ? denominator(call, s, targetPtr, n, weightPtr, ctx) : 1;
    const gradScale = pytorchReduction(reduction, divisorFirst, up.scalar).gradientScale;
    const r = call.run(
      crossEntropyKernel,
      {
        smoothing: smoothingParams(s),
        logits: x.ptr,
        targets: targetPtr,
        numRows: n,
        classWeights: weightPtr,
        zLoss,
        upstreamPerRow: up.ptr,
        gradScale,
        perRowLosses: perRowPtr,
        grad: grad?.ptr ?? 0,
      },
      ctx,
    );
    const parts = { nll: r.nll, smooth: r.smooth, denominator: r.denominator };
    const loss = reduction === 'none' ? call.read(perRowPtr, n) : pytorchReduction(reduction, r.denominator, up.scalar).reduce(r.sum);
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

/**
 * Whether a call takes the block path (large, well-formed plain arrays), and where its gradient
 * goes. Anything else takes the general path, which also reports every error, in its order.
 */
function blockPath(
  k: ReturnType<typeof kernels>,
  where: string,
  logits: unknown,
  o: Partial<CrossEntropyGradOptions>,
  withGrad: boolean,
): { logits: Float32Array; grad: GradientDestination | undefined } | undefined {
  if (!isFloat32Array(logits) || logits.length < BLOCKS_FROM || isWasmMemoryBuffer(logits.buffer) || isDetached(logits)) return undefined;
  // With a pool the array is staged whole and the kernel call split over the threads
  // (threads/split.ts): a block is one chunk, too small to split.
  if (activePool(k)) return undefined;
  if (typeof o.numClasses !== 'number' || o.numClasses * BLOCK_MIN_ROWS > BLOCK_FLOATS) return undefined;
  if (!withGrad) return { logits, grad: undefined };
  // A view of wasm memory as gradOut: the blocks' allocations could detach it. The logits' own
  // array as gradOut stays on the general path, where it has always been: on this one it would get
  // inPlace's numbers, whose 'mean' scale is rounded to float32 once more (test/blocks.test.ts).
  // Any other view of the logits' buffer too: a block's gradient written there could overwrite
  // logits of a later block before they are read (the general path reads them all first).
  const dest = o.gradOut;
  if (dest === logits || (isFloat32Array(dest) && (isWasmMemoryBuffer(dest.buffer) || dest.buffer === logits.buffer))) return undefined;
  try {
    return { logits, grad: gradientDestination(k, where, o, logits, logits.length) };
  } catch {
    return undefined; // refused: the general path throws the same error, after the checks it makes first
  }
}

function computeInBlocks(
  where: string,
  logits: Float32Array,
  targets: Int32Array | number[],
  s: ResolvedSmoothing,
  reduction: CrossEntropyReduction,
  zLoss: number,
  o: Partial<CrossEntropyGradOptions>,
  grad: GradientDestination | undefined,
): Computed {
  const kClasses = s.numClasses;
  const n = rowCount(where, 'logits', logits.length, kClasses);
  oneTargetPerRow(where, targets, n, 'logits');
  const k = kernels();
  return withCall(k, where, (call) => {
    const weight = classWeights(call, o.weight, kClasses);
    const targetPtr = call.ints(targets, 'target');
    // Every target is checked (and D summed) by the kernels' rule before any block is written.
    const ctx = { what: 'target', numClasses: kClasses, ignoreIndex: s.ignoreIndex };
    const d = denominator(call, s, targetPtr, n, weight?.ptr ?? 0, ctx);
    const up = grad ? upstreamOf(call, o.upstream, reduction !== 'none', n, `one value per row (${n})`) : { ptr: 0, scalar: 1 };
    const perRowPtr = reduction === 'none' ? call.output(n, 'the per-row losses') : 0;
    const rowsPerBlock = Math.max(1, Math.floor(BLOCK_FLOATS / kClasses));
    const blockPtr = call.output(Math.min(n, rowsPerBlock) * kClasses, 'a block of logits');
    // The kernel computes each block's gradient in place in the block, copied out to where it goes.
    const dest = grad && gradientCopy(call, grad, { source: logits }, logits.length);
    // The kernel sums each block; the reduction applies to the total, and its gradient scale to every block.
    const reducer = pytorchReduction(reduction, reduction === 'mean' ? d : 1, up.scalar);
    const smoothing = smoothingParams(s);
    let [total, nll, smooth] = [0, 0, 0];
    for (let r0 = 0; r0 < n; r0 += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, n - r0);
      const [from, length] = [r0 * kClasses, rows * kClasses];
      new Float32Array(k.memory.buffer, blockPtr, length).set(logits.subarray(from, from + length));
      const r = call.run(
        crossEntropyKernel,
        {
          smoothing,
          logits: blockPtr,
          targets: targetPtr + 4 * r0,
          numRows: rows,
          classWeights: weight?.ptr ?? 0,
          zLoss,
          upstreamPerRow: up.ptr && up.ptr + 4 * r0,
          gradScale: reducer.gradientScale,
          perRowLosses: perRowPtr && perRowPtr + 4 * r0,
          grad: dest ? blockPtr : 0,
        },
        ctx,
      );
      total += r.sum;
      nll += r.nll;
      smooth += r.smooth;
      if (dest) {
        dest.write(blockPtr, from, length);
      }
    }
    const loss = reduction === 'none' ? call.read(perRowPtr, n) : reducer.reduce(total);
    return { loss, grad: dest?.array, parts: { nll, smooth, denominator: d } };
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
