// The simd128 and scalar builds give the same results, within the vectors' tolerance, for every K
// from 1 to 67 (around the 4-lane width and its multiples). Both builds are loaded in this one
// process (the `node` project runs it once); the build active before is restored afterwards.
//
// Alignment: the API never hands a kernel an unaligned array. A Float32Array (a subarray at any
// offset included) is copied into a block of wasm memory the allocator aligns to 16 bytes
// (packages/labelsmooth/src/call.ts, crates/wasm/src/memory.rs), and a WasmArray is always a whole
// such block: it has no sub-range view the kernels accept (a Float32Array view of one, e.g.
// `view.subarray(1)`, is copied like any Float32Array). What does reach the kernels off the
// 16-byte grid is every row but the first when K is not a multiple of 4: row r starts 4·r·K bytes
// into its block, so with 5 rows and K = 1..67 the rows start at every 4-byte offset mod 16.
// The kernels on unaligned slices, for every start offset and length, are tested natively in
// crates/kernels (tests/losses.rs, and crates/property-tests/tests/kernels.rs at random offsets).
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
import { rng } from './helpers/pseudo-random';

const own = backend();
afterAll(() => {
  initSync({ backend: own });
});

/** A deterministic pseudo-random stream in [-1, 1). */
function stream(seed: number): () => number {
  const next = rng(seed);
  return () => 2 * next() - 1;
}

function everyLoss(k: number) {
  const rand = stream(k * 131);
  const n = 5;
  const logits = Array.from({ length: n * k }, () => 6 * rand());
  const targets = Array.from({ length: n }, (_, i) => (i === 2 ? -100 : Math.floor(((rand() + 1) / 2) * k) % k));
  const probs = Array.from({ length: n * k }, () => (rand() + 1) / 2);
  const weight = Float32Array.from({ length: k }, () => 0.5 + (rand() + 1) / 2);
  const x = () => Float32Array.from(logits);
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
  const soft = softCrossEntropyWithGrad(x(), Float32Array.from(probs), { numClasses: k, labelSmoothing: 0.1, weight });
  out.soft = soft.loss;
  out.softGrad = soft.grad as Float32Array;
  const tf = softmaxCrossEntropyWithGrad(Float32Array.from(onehot), x(), { numClasses: k, labelSmoothing: 0.1 });
  out.softmax = tf.loss as number;
  out.softmaxGrad = tf.grad as Float32Array;
  const sig = sigmoidCrossEntropyWithGrad(Float32Array.from(probs, (p) => (p > 0.5 ? 1 : 0)), x(), { numClasses: k, labelSmoothing: 0.1 });
  out.sigmoid = sig.loss as number;
  out.sigmoidGrad = sig.grad as Float32Array;
  const kl = klDivWithGrad(x().map((v) => -Math.abs(v)), Float32Array.from(probs), { numClasses: k, reduction: 'batchmean' });
  out.kl = kl.loss;
  out.klGrad = kl.grad as Float32Array;
  return out;
}

describe('simd128 and scalar agree', () => {
  it('every loss and gradient, K = 1..67, rows at every alignment', () => {
    const ks = Array.from({ length: 67 }, (_, i) => i + 1);
    const run = (build: Backend) => {
      initSync({ backend: build });
      return ks.map(everyLoss);
    };
    const [simd, scalar] = [run('simd128'), run('scalar')];
    ks.forEach((k, i) => {
      for (const name of Object.keys(simd[i])) {
        const want = scalar[i][name];
        expectClose(simd[i][name] as ArrayLike<number>, (typeof want === 'number' ? want : Array.from(want)) as never, SMALL, `K=${k} ${name}`);
      }
    });
    // 67 × 13 calls on each build, and the first load (compile, instantiate) of the scalar build:
    // 0.75–1.1 s on a loaded 2-core machine.
  }, 10_000);
});
