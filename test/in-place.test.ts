// In-place gradients: `inPlace: true` (or a gradOut that is the logits' own array) overwrites the
// logits with the gradient. The kernel computes over the logits where they are (a WasmArray: no
// copy and no N×K block at all; a Float32Array: over the call's one staged copy) and must give
// exactly the out-of-place numbers, for every loss.
import { describe, expect, it } from 'vitest';
import { pseudoRandom } from './helpers/pseudo-random';
import {
  allocFloat32,
  crossEntropyWithGrad,
  klDivWithGrad,
  Reduction,
  sigmoidCrossEntropyWithGrad,
  softCrossEntropyWithGrad,
  softmaxCrossEntropyWithGrad,
  type FloatArray,
  type WasmArray,
} from 'labelsmooth';

/** The current size of the active build's wasm memory. */
function wasmMemoryBytes(): number {
  const probe = allocFloat32(0);
  const bytes = probe.view.buffer.byteLength;
  probe.free();
  return bytes;
}


const N = 7;
const K = 37; // not a multiple of the vector width: bodies and tails both run
const targets = Int32Array.from({ length: N }, (_, i) => (i === 3 ? -100 : (i * 11) % K));
const probs = pseudoRandom(N * K, 99, 0, 1);
const multiLabels = probs.map((v) => (v > 0.5 ? 1 : 0));
const weight = pseudoRandom(K, 5, 0.2, 2);
const rowWeights = pseudoRandom(N, 6, 0, 2);

type GradFn = (logits: FloatArray, extra: { gradOut?: FloatArray; inPlace?: boolean }) => { loss: number | Float32Array; grad: FloatArray };

/** Every loss with a gradient, with options that exercise its branches. */
const losses: Record<string, GradFn> = {
  'crossEntropy uniform': (x, g) => crossEntropyWithGrad(x, targets, { numClasses: K, labelSmoothing: 0.1, ...g }),
  'crossEntropy weights + zLoss + sum': (x, g) =>
    crossEntropyWithGrad(x, targets, { numClasses: K, labelSmoothing: 0.2, weight, zLoss: 1e-3, reduction: 'sum', ...g }),
  'crossEntropy fairseq none': (x, g) =>
    crossEntropyWithGrad(x, targets, { numClasses: K, labelSmoothing: 0.1, convention: 'fairseq', reduction: 'none', ...g }),
  'crossEntropy annotated': (x, g) =>
    crossEntropyWithGrad(x, targets, { numClasses: K, labelSmoothing: 0.3, convention: 'annotated', paddingIdx: 4, ...g }),
  softCrossEntropy: (x, g) => softCrossEntropyWithGrad(x, probs, { numClasses: K, labelSmoothing: 0.1, weight, ...g }),
  softmaxCrossEntropy: (x, g) =>
    softmaxCrossEntropyWithGrad(probs, x, { numClasses: K, labelSmoothing: 0.1, weights: rowWeights, reduction: Reduction.MEAN, ...g }),
  sigmoidCrossEntropy: (x, g) => sigmoidCrossEntropyWithGrad(multiLabels, x, { numClasses: K, labelSmoothing: 0.1, ...g }),
  klDiv: (x, g) => klDivWithGrad(x, probs, { numClasses: K, reduction: 'batchmean', ...g }),
};

function sameNumbers(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number): void {
  if (typeof expected === 'number') {
    expect(actual).toBe(expected);
    return;
  }
  expect(Array.from(actual as ArrayLike<number>)).toEqual(Array.from(expected));
}

const values = (a: FloatArray): Float32Array => ('view' in a ? (a as WasmArray).view.slice() : (a as Float32Array).slice());

describe('in-place gradients', () => {
  // First in the file, on a fresh wasm instance: nothing freed earlier can hide an N×K block.
  it('a WasmArray is overwritten without any N×K allocation', () => {
    const n = 64;
    const k = 65_536; // 16 MiB of logits
    const x = allocFloat32(n * k);
    x.view.set(pseudoRandom(n * k, 1));
    const t = Int32Array.from({ length: n }, (_, i) => (i * 977) % k);
    const before = wasmMemoryBytes();
    const r = crossEntropyWithGrad(x, t, { numClasses: k, labelSmoothing: 0.1, inPlace: true });
    expect(r.grad).toBe(x);
    // Growth below one N×K block: at most the O(N) staging (targets) can need new pages.
    expect(wasmMemoryBytes() - before).toBeLessThan(n * k * 4);
    const settled = wasmMemoryBytes();
    // Repeated on the gradient left in x (finite values, as good as any logits for this).
    for (let i = 0; i < 2; i++) {
      crossEntropyWithGrad(x, t, { numClasses: k, labelSmoothing: 0.1, inPlace: true });
      crossEntropyWithGrad(x, t, { numClasses: k, gradOut: x }); // gradOut === logits: the same path
    }
    expect(wasmMemoryBytes()).toBe(settled);
    // A gradient row sums to 0 (softmax minus a distribution).
    const g = x.view;
    let rowSum = 0;
    for (let j = 0; j < k; j++) rowSum += g[j];
    expect(Math.abs(rowSum)).toBeLessThan(1e-5);
    x.free();
    // Five passes over 16 MiB of logits (fill, three calls, the row check): 0.5–1.1 s on a loaded 2-core machine.
  }, 10_000);

  for (const [name, fn] of Object.entries(losses)) {
    describe(name, () => {
      const logits = pseudoRandom(N * K, name.length * 31 + 7);
      const expected = fn(logits, {});
      const expectedGrad = values(expected.grad);

      it('Float32Array inPlace gives the out-of-place numbers, logits untouched otherwise', () => {
        const x = logits.slice();
        const r = fn(x, { inPlace: true });
        expect(r.grad).toBe(x);
        sameNumbers(r.loss, expected.loss);
        sameNumbers(x, expectedGrad);
        // The out-of-place call left its logits alone.
        const y = logits.slice();
        fn(y, {});
        sameNumbers(y, logits);
      });

      it('Float32Array gradOut (another array, or the logits themselves)', () => {
        const x = logits.slice();
        const out = new Float32Array(N * K);
        const r = fn(x, { gradOut: out });
        expect(r.grad).toBe(out);
        sameNumbers(out, expectedGrad);
        sameNumbers(x, logits);
        const r2 = fn(x, { gradOut: x });
        expect(r2.grad).toBe(x);
        sameNumbers(x, expectedGrad);
      });

      it('WasmArray inPlace, gradOut === logits, and gradOut another WasmArray', () => {
        const x = allocFloat32(N * K);
        x.view.set(logits);
        const r = fn(x, { inPlace: true });
        expect(r.grad).toBe(x);
        sameNumbers(r.loss, expected.loss);
        sameNumbers(x.view, expectedGrad);
        x.view.set(logits);
        fn(x, { gradOut: x });
        sameNumbers(x.view, expectedGrad);
        x.view.set(logits);
        const out = allocFloat32(N * K);
        fn(x, { gradOut: out });
        sameNumbers(out.view, expectedGrad);
        sameNumbers(x.view, logits);
        const plain = new Float32Array(N * K);
        fn(x, { gradOut: plain });
        sameNumbers(plain, expectedGrad);
        x.free();
        out.free();
      });

      it('unaligned subarray views (logits and gradOut), neighbours untouched', () => {
        for (const offset of [1, 2, 3]) {
          const backing = new Float32Array(N * K + 8).fill(42);
          const x = backing.subarray(offset, offset + N * K);
          x.set(logits);
          fn(x, { inPlace: true });
          sameNumbers(x, expectedGrad);
          expect(backing[offset - 1]).toBe(42);
          expect(backing[offset + N * K]).toBe(42);

          const outBacking = new Float32Array(N * K + 8).fill(-1);
          const out = new Float32Array(outBacking.buffer, 4 * offset, N * K);
          const y = new Float32Array(backing.buffer, 4 * offset, N * K);
          y.set(logits);
          fn(y, { gradOut: out });
          sameNumbers(out, expectedGrad);
          expect(outBacking[offset - 1]).toBe(-1);
          expect(outBacking[offset + N * K]).toBe(-1);
        }
      });
    });
  }

  it('a Float32Array call stages one N×K block, not two', () => {
    const n = 32;
    const k = 131_072; // 16 MiB
    const x = pseudoRandom(n * k, 3);
    const t = Int32Array.from({ length: n }, (_, i) => (i * 31) % k);
    const before = wasmMemoryBytes();
    crossEntropyWithGrad(x, t, { numClasses: k, labelSmoothing: 0.1, inPlace: true });
    const grown = wasmMemoryBytes() - before;
    expect(grown).toBeLessThan(2 * n * k * 4);
    const settled = wasmMemoryBytes();
    const out = new Float32Array(n * k);
    for (let i = 0; i < 2; i++) {
      crossEntropyWithGrad(x, t, { numClasses: k, gradOut: out });
      crossEntropyWithGrad(x, t, { numClasses: k });
    }
    expect(wasmMemoryBytes()).toBe(settled);
    // Five calls over 16 MiB of logits, each copied in and out: 0.4–1.3 s on a loaded 2-core machine.
  }, 10_000);
});
