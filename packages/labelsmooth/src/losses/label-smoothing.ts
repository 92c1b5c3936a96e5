// The Annotated Transformer / pyitcast `LabelSmoothing` criterion (docs/semantics.md §5) as a class, the
// way the Annotated Transformer uses it: `crit = LabelSmoothing(size, padding_idx, smoothing)`,
// `crit(x, target)`, then `crit.true_dist`.
import { withCall, type FloatArray } from '../call';
import { resolveSmoothing, smoothingParams, type ResolvedSmoothing } from '../conventions';
import { kernels } from '../runtime';
import { crossEntropyKernel, labelSmoothingKlKernel, targetEntropyKernel } from '../wasm-interface.generated';
import { smoothTargets } from '../smooth-targets';
import { flag, int32Targets, oneTargetPerRow, optional, options, rowCount } from '../validate';

export interface LabelSmoothingOptions {
  /** K, the number of classes (the vocabulary size). */
  size: number;
  /** The padding class: its column is zero, and rows whose target it is are zero. */
  paddingIdx: number;
  /** ε in [0, 1]: `1−ε` on the target, `ε/(K−2)` on the other non-padding classes. */
  smoothing: number;
  /**
   * false (default, as in the Annotated Transformer): `forward` takes log-probabilities x and
   * returns the summed KL. true: it takes logits and applies log-softmax itself, fused.
   */
  fromLogits?: boolean;
}

export class LabelSmoothing {
  readonly size: number;
  readonly paddingIdx: number;
  readonly smoothing: number;
  readonly fromLogits: boolean;
  /** The smoothed targets of the last `forward` (N×size, row-major), like `crit.true_dist`. */
  trueDist: Float32Array | null = null;
  /** `[N, size]` after `forward`. */
  trueDistShape: [number, number] | null = null;
  private gradient: Float32Array | null = null;
  private readonly resolved: ResolvedSmoothing;

  constructor(opts: LabelSmoothingOptions) {
    const where = 'LabelSmoothing';
    const o = options<LabelSmoothingOptions>(where, opts);
    const resolved = resolveSmoothing(
      where,
      o.size,
      { convention: 'annotated', paddingIdx: o.paddingIdx, labelSmoothing: o.smoothing },
      { numClasses: 'options.size', labelSmoothing: 'options.smoothing' },
    );
    // The criterion has no ignore index: the Annotated Transformer's raises on any target outside
    // [0, size), −100 included. The kernels skip a row whose target is the ignore index exactly as
    // one whose target is the padding class (crates/kernels/src/smoothing.rs, `row_target`), so
    // the padding class serves as both, and every target outside [0, size) is refused.
    this.resolved = { ...resolved, ignoreIndex: resolved.paddingIdx };
    this.size = this.resolved.numClasses;
    this.paddingIdx = this.resolved.paddingIdx;
    this.smoothing = this.resolved.epsilon;
    this.fromLogits = optional(where, 'options.fromLogits', o.fromLogits, false, flag);
  }

  /**
   * The summed KL divergence between the smoothed targets and `x` (N×size): log-probabilities,
   * or logits with `fromLogits`. A term whose target is 0 contributes exactly 0.
   */
  forward(x: FloatArray, target: Int32Array | number[]): number {
    const where = 'LabelSmoothing.forward';
    const targets = int32Targets(where, 'target', target);
    const s = this.resolved;
    const k = kernels();
    const { loss, grad } = withCall(k, where, (call) => {
      const input = call.floats(x, 'x');
      const n = rowCount(where, 'x', input.length, s.numClasses);
      oneTargetPerRow(where, targets, n, 'x');
      const targetPtr = call.ints(targets, 'target');
      const gradPtr = call.output(input.length, 'the gradient');
      let loss: number;
      if (this.fromLogits) {
        // KL = H(q, p) − H(q): the cross-entropy kernel (sum), minus the targets' entropy for
        // every row that counts (their number is the kernel's denominator without weights).
        const ctx = { what: 'target', numClasses: s.numClasses };
        const ce = call.run(
          crossEntropyKernel,
          {
            smoothing: smoothingParams(s),
            logits: input.ptr,
            targets: targetPtr,
            numRows: n,
            classWeights: 0,
            zLoss: 0,
            upstreamPerRow: 0,
            gradScale: 1,
            perRowLosses: 0,
            grad: gradPtr,
          },
          ctx,
        );
        const { entropy } = call.run(targetEntropyKernel, { smoothing: smoothingParams(s) }, ctx);
        loss = ce.sum - ce.denominator * entropy;
      } else {
        const kl = call.run(
          labelSmoothingKlKernel,
          { smoothing: smoothingParams(s), input: input.ptr, targets: targetPtr, numRows: n, perRowLosses: 0, grad: gradPtr },
          { what: 'target', numClasses: s.numClasses },
        );
        loss = kl.loss;
      }
      return { loss, grad: call.read(gradPtr, input.length) };
    });
    this.trueDist = smoothTargets(targets, s.numClasses, { convention: 'annotated', paddingIdx: s.paddingIdx, labelSmoothing: s.epsilon, ignoreIndex: s.ignoreIndex });
    this.trueDistShape = [targets.length, s.numClasses];
    this.gradient = grad;
    return loss;
  }

  /** ∂loss/∂x of the last `forward` (∂loss/∂logits with `fromLogits`): a new Float32Array. */
  backward(): Float32Array {
    if (!this.gradient) throw new Error('LabelSmoothing.backward: call forward(x, target) first');
    return this.gradient.slice();
  }
}
