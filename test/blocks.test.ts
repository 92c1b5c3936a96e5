// Large plain-array calls of crossEntropy go through wasm memory a block of rows at a time
// (packages/labelsmooth/src/losses/cross-entropy.ts). They must give what the one-piece path gives
// (a WasmArray input takes that path), and refuse bad targets before writing anything.
import { describe, expect, it } from 'vitest';
import { allocFloat32, crossEntropy, crossEntropyParts, crossEntropyWithGrad, type CrossEntropyGradOptions } from 'labelsmooth';
import { expectClose } from './helpers/vectors';

const K = 1000;
const N = 600; // 600,000 logits: above the block threshold, several blocks of 65 rows
const TOL = { abs: 1e-7, rel: 1e-6 };

function problem(seed: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const logits = Float32Array.from({ length: N * K }, () => 8 * rand());
  const targets = Int32Array.from({ length: N }, (_, i) => (i % 7 === 3 ? -100 : Math.floor((rand() + 1) * 499.5)));
  return { logits, targets };
}

function onePiece(logits: Float32Array, targets: Int32Array, opts: CrossEntropyGradOptions) {
  const w = allocFloat32(logits.length);
  w.view.set(logits);
  const r = crossEntropyWithGrad(w, targets, opts);
  const grad = (r.grad as { view?: Float32Array }).view ? (r.grad as unknown as { view: Float32Array }).view.slice() : (r.grad as Float32Array);
  const loss = r.loss instanceof Float32Array ? r.loss.slice() : r.loss;
  w.free();
  return { loss, grad };
}

describe('crossEntropy on large plain arrays (block path)', () => {
  const cases: Array<[string, CrossEntropyGradOptions]> = [
    ['uniform mean', { numClasses: K, labelSmoothing: 0.1 }],
    ['weights, sum, zLoss', { numClasses: K, labelSmoothing: 0.2, reduction: 'sum', weight: Float32Array.from({ length: K }, (_, i) => 0.5 + (i % 5) / 4), zLoss: 1e-4 }],
    ['none with upstream', { numClasses: K, labelSmoothing: 0.1, reduction: 'none', upstream: Float32Array.from({ length: N }, (_, i) => (i % 3) - 1) }],
    ['annotated', { numClasses: K, labelSmoothing: 0.3, convention: 'annotated', paddingIdx: 0 }],
    ['fairseq, mean upstream 2', { numClasses: K, labelSmoothing: 0.1, convention: 'fairseq', upstream: 2 }],
  ];
  for (const [name, opts] of cases) {
    it(`${name}: loss, gradient and parts as the one-piece path`, () => {
      const { logits, targets } = problem(name.length);
      const want = onePiece(logits, targets, opts);
      const got = crossEntropyWithGrad(logits, targets, opts);
      const wantLoss = typeof want.loss === 'number' ? want.loss : Array.from(want.loss);
      expectClose(got.loss as number, wantLoss as never, TOL, `${name} loss`);
      expectClose(got.grad as Float32Array, Array.from(want.grad) as never, TOL, `${name} grad`);
      const { gradOut: _g, inPlace: _i, upstream: _u, ...plain } = opts;
      expectClose(crossEntropy(logits, targets, plain) as number, wantLoss as never, TOL, `${name} forward only`);
      const parts = crossEntropyParts(logits, targets, plain);
      expect(parts.denominator).toBeGreaterThan(0);
    });
  }

  it('gradOut (Float32Array and WasmArray) and inPlace receive the same gradient', () => {
    const { logits, targets } = problem(7);
    const opts = { numClasses: K, labelSmoothing: 0.1 };
    const want = onePiece(logits, targets, opts).grad;
    const out = new Float32Array(N * K);
    expect(crossEntropyWithGrad(logits, targets, { ...opts, gradOut: out }).grad).toBe(out);
    expectClose(out, Array.from(want) as never, TOL, 'gradOut');
    const wasmOut = allocFloat32(N * K);
    crossEntropyWithGrad(logits, targets, { ...opts, gradOut: wasmOut });
    expectClose(wasmOut.view, Array.from(want) as never, TOL, 'WasmArray gradOut');
    wasmOut.free();
    const copy = logits.slice();
    expect(crossEntropyWithGrad(copy, targets, { ...opts, inPlace: true }).grad).toBe(copy);
    expectClose(copy, Array.from(want) as never, TOL, 'inPlace');
  });

  it("'mean' with every row ignored is NaN, its gradient 0", () => {
    const { logits } = problem(3);
    const r = crossEntropyWithGrad(logits, new Int32Array(N).fill(-100), { numClasses: K, labelSmoothing: 0.1 });
    expect(r.loss).toBeNaN();
    expect((r.grad as Float32Array).every((g) => g === 0)).toBe(true);
  });

  it('a bad target in the last block is refused before anything is written', () => {
    const { logits, targets } = problem(5);
    targets[N - 1] = K;
    const copy = logits.slice();
    const out = new Float32Array(N * K).fill(7);
    expect(() => crossEntropyWithGrad(copy, targets, { numClasses: K, inPlace: true })).toThrow(/target\[599\] must be a class index in \[0, 1000\) or ignoreIndex \(-100\), received 1000/);
    expect(copy).toEqual(logits);
    expect(() => crossEntropyWithGrad(logits, targets, { numClasses: K, gradOut: out })).toThrow(RangeError);
    expect(out.every((v) => v === 7)).toBe(true);
  });
});
