// The simd128 and scalar builds give the same results, within the vectors' tolerance, for every K
// from 1 to 67 (around the 4-lane width and its multiples) and for unaligned views. Both builds
// are loaded in this one process; the project's own build is restored afterwards.
import { afterAll, describe, it } from 'vitest';
import {
  backend,
  crossEntropyWithGrad,
  initSync,
  klDivWithGrad,
  LabelSmoothing,
  sigmoidCrossEntropyWithGrad,
  smoothTargets,
  softCrossEntropyWithGrad,
  softmaxCrossEntropyWithGrad,
  type Backend,
} from 'labelsmooth';
import { expectClose, SMALL } from './helpers/vectors';

const own = backend();
afterAll(() => {
  initSync({ backend: own });
});

/** A deterministic pseudo-random stream (xorshift32) in [-1, 1). */
function stream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 31 - 1;
  };
}

/** `length` values at an odd offset inside a larger buffer (an unaligned view). */
function unaligned(values: ArrayLike<number>, offset: number): Float32Array {
  const buffer = new Float32Array(values.length + offset + 3);
  buffer.set(values, offset);
  return buffer.subarray(offset, offset + values.length);
}

function everyLoss(build: Backend, k: number, offset: number) {
  initSync({ backend: build });
  const rand = stream(k * 131 + offset);
  const n = 5;
  const logits = Array.from({ length: n * k }, () => 6 * rand());
  const targets = Array.from({ length: n }, (_, i) => (i === 2 ? -100 : Math.floor(((rand() + 1) / 2) * k) % k));
  const probs = Array.from({ length: n * k }, () => (rand() + 1) / 2);
  const weight = unaligned(Array.from({ length: k }, () => 0.5 + (rand() + 1) / 2), offset);
  const x = () => unaligned(logits, offset);
  const onehot = smoothTargets(targets.map((t) => (t < 0 ? 0 : t)), k);
  const out: Record<string, number | Float32Array | ArrayLike<number>> = {};
  const ce = crossEntropyWithGrad(x(), targets, { numClasses: k, labelSmoothing: 0.1, weight, zLoss: 1e-3 });
  out.ce = ce.loss;
  out.ceGrad = ce.grad as Float32Array;
  if (k >= 2) {
    const fs = crossEntropyWithGrad(x(), targets, { numClasses: k, labelSmoothing: 0.2, convention: 'fairseq', reduction: 'none' });
    out.fairseq = fs.loss;
    out.fairseqGrad = fs.grad as Float32Array;
  }
  if (k >= 3) {
    const crit = new LabelSmoothing({ size: k, paddingIdx: 0, smoothing: 0.3, fromLogits: true });
    out.annotated = crit.forward(x(), targets.map((t) => (t < 0 ? 0 : t)));
    out.annotatedGrad = crit.backward();
  }
  const soft = softCrossEntropyWithGrad(x(), unaligned(probs, offset), { numClasses: k, labelSmoothing: 0.1, weight });
  out.soft = soft.loss;
  out.softGrad = soft.grad as Float32Array;
  const tf = softmaxCrossEntropyWithGrad(unaligned(onehot, offset), x(), { numClasses: k, labelSmoothing: 0.1 });
  out.softmax = tf.loss as number;
  out.softmaxGrad = tf.grad as Float32Array;
  const sig = sigmoidCrossEntropyWithGrad(unaligned(probs.map((p) => (p > 0.5 ? 1 : 0)), offset), x(), { numClasses: k, labelSmoothing: 0.1 });
  out.sigmoid = sig.loss as number;
  out.sigmoidGrad = sig.grad as Float32Array;
  const kl = klDivWithGrad(x().map((v) => -Math.abs(v)), unaligned(probs, offset), { numClasses: k, reduction: 'batchmean' });
  out.kl = kl.loss;
  out.klGrad = kl.grad as Float32Array;
  return out;
}

describe('simd128 and scalar agree', () => {
  it('every loss and gradient, K = 1..67, aligned and unaligned', () => {
    for (let k = 1; k <= 67; k++) {
      for (const offset of [0, 1, 3]) {
        const simd = everyLoss('simd128', k, offset);
        const scalar = everyLoss('scalar', k, offset);
        for (const name of Object.keys(simd)) {
          const want = scalar[name];
          expectClose(simd[name] as ArrayLike<number>, (typeof want === 'number' ? want : Array.from(want)) as never, SMALL, `K=${k} offset ${offset} ${name}`);
        }
      }
    }
  });
});
