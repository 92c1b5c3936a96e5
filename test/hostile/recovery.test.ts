// Recovery (issue 7): after any thrown error the module keeps working and its memory is not
// corrupted. Bad calls of every kind are interleaved with good ones; every good call must give
// exactly (bit for bit) the result it gave before any bad call, wasm memory must not grow, and
// the allocator must hand out the same address for a fresh block (nothing leaked).
import { describe, expect, it } from 'vitest';
import {
  LabelSmoothing,
  Reduction,
  allocFloat32,
  crossEntropy,
  crossEntropyWithGrad,
  klDivWithGrad,
  sigmoidCrossEntropyWithGrad,
  smoothTargets,
  softCrossEntropyWithGrad,
  softmaxCrossEntropyWithGrad,
} from 'labelsmooth';
import { bitDifference } from '../helpers/vectors';
import { detachedFloat32, detachedInt32, freshBlockAddress, wasmMemoryBytes } from './util';

const N = 64;
const K = 37;
const x = Float32Array.from({ length: N * K }, (_, i) => Math.sin(i * 12.9898) * 8);
const probs = Float32Array.from({ length: N * K }, (_, i) => (i % K === i % 5 ? 1 : 0));
const logp = Float32Array.from(x, (v) => -Math.abs(v) - 0.1);
const t = Int32Array.from({ length: N }, (_, i) => (i % 7 === 0 ? -100 : (i * 5) % K));
const w = Float32Array.from({ length: K }, (_, i) => 0.5 + (i % 3));

/** The good calls: every public function with results that can be compared exactly. */
const good: Array<[string, () => unknown]> = [
  ['smoothTargets', () => smoothTargets(t, K, { labelSmoothing: 0.1 })],
  ['crossEntropyWithGrad', () => crossEntropyWithGrad(x, t, { numClasses: K, labelSmoothing: 0.1, weight: w, zLoss: 1e-4 })],
  ['crossEntropy none', () => crossEntropy(x, t, { numClasses: K, labelSmoothing: 0.2, convention: 'fairseq', reduction: 'none' })],
  ['softCrossEntropyWithGrad', () => softCrossEntropyWithGrad(x, probs, { numClasses: K, labelSmoothing: 0.1 })],
  ['softmaxCrossEntropyWithGrad', () => softmaxCrossEntropyWithGrad(probs, x, { numClasses: K, labelSmoothing: 0.1, reduction: Reduction.MEAN })],
  ['sigmoidCrossEntropyWithGrad', () => sigmoidCrossEntropyWithGrad(probs, x, { numClasses: K, labelSmoothing: 0.1 })],
  ['klDivWithGrad', () => klDivWithGrad(logp, probs, { numClasses: K, reduction: 'batchmean' })],
  [
    'LabelSmoothing',
    () => {
      const crit = new LabelSmoothing({ size: K, paddingIdx: 0, smoothing: 0.1 });
      return [crit.forward(logp, Int32Array.from(t, (c) => (c < 0 ? 0 : c))), crit.backward(), crit.trueDist];
    },
  ],
];

/** Bad calls of every kind: each must throw a RangeError/TypeError, never trap. */
const bad: Array<[string, () => unknown]> = [
  ['target out of range (found by the kernel, after staging)', () => crossEntropyWithGrad(x, Int32Array.from(t, (c, i) => (i === N - 1 ? K : c)), { numClasses: K })],
  ['target out of range in smoothTargets', () => smoothTargets(Int32Array.from(t, (c, i) => (i === N - 1 ? -5 : c)), K)],
  ['LabelSmoothing target out of range', () => new LabelSmoothing({ size: K, paddingIdx: 0, smoothing: 0.1 }).forward(logp, Int32Array.from(t, () => K + 1))],
  ['detached logits', () => crossEntropy(detachedFloat32(N * K), t, { numClasses: K })],
  ['detached targets', () => smoothTargets(detachedInt32(3), K)],
  ['detached weight after logits were staged', () => crossEntropy(x, t, { numClasses: K, weight: detachedFloat32(K) })],
  ['wrong gradOut length after staging', () => softCrossEntropyWithGrad(x, probs, { numClasses: K, gradOut: new Float32Array(3) })],
  ['wrong upstream after staging', () => klDivWithGrad(logp, probs, { numClasses: K, reduction: 'none', upstream: new Float32Array(2) })],
  ['wrong weights length', () => softmaxCrossEntropyWithGrad(probs, x, { numClasses: K, weights: new Float32Array(N + 1) })],
  ['N·K too large', () => smoothTargets(new Int32Array(1 << 20), 1 << 12)],
  ['ε out of range', () => crossEntropy(x, t, { numClasses: K, labelSmoothing: 2 })],
  ['freed WasmArray', () => {
    const a = allocFloat32(N * K);
    a.free();
    return crossEntropy(a, t, { numClasses: K });
  }],
];

describe('recovery after refused calls', () => {
  it('good calls give bit-identical results between bad calls; memory neither grows nor leaks', () => {
    const baseline = good.map(([, f]) => f());
    // Warm up: every bad call once, so that any one-time growth happens before measuring.
    for (const [, f] of bad) expect(f).toThrow();
    const memory = wasmMemoryBytes();
    const address = freshBlockAddress();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < bad.length; i++) {
        const [name, f] = bad[(i + round) % bad.length];
        let error: unknown;
        try {
          f();
        } catch (e) {
          error = e;
        }
        expect(error, name).toBeDefined();
        expect(error instanceof WebAssembly.RuntimeError, `${name}: wasm trap`).toBe(false);
        expect(error instanceof RangeError || error instanceof TypeError, `${name}: ${String(error)}`).toBe(true);
        const [goodName, g] = good[(i + round) % good.length];
        const difference = bitDifference(g(), baseline[(i + round) % good.length]);
        if (difference) expect.fail(`${goodName} after ${name} differs${difference}`);
      }
    }
    expect(wasmMemoryBytes()).toBe(memory);
    expect(freshBlockAddress()).toBe(address);
    // 300 refused calls, each followed by a good call on 64×37 values: 0.5–1.2 s on a loaded 2-core machine.
  }, 10_000);

  it('a WasmArray survives refused calls that use it', () => {
    const logits = allocFloat32(N * K);
    logits.view.set(x);
    const want = crossEntropyWithGrad(x, t, { numClasses: K, labelSmoothing: 0.1 });
    expect(() => crossEntropyWithGrad(logits, Int32Array.from(t, () => K), { numClasses: K, inPlace: true })).toThrow(RangeError);
    expect(Array.from(logits.view)).toEqual(Array.from(x)); // untouched by the refused in-place call
    const got = crossEntropyWithGrad(logits, t, { numClasses: K, labelSmoothing: 0.1 });
    expect(got.loss).toBe(want.loss);
    expect(got.grad).toEqual(want.grad);
    logits.free();
  });
});
