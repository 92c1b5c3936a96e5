// Large plain-array calls of crossEntropy go through wasm memory a block of rows at a time
// (packages/labelsmooth/src/losses/cross-entropy.ts). They must give what the one-piece path gives
// (a WasmArray input takes that path), and refuse bad targets before writing anything.
//
// Sizes: the smallest problem that takes the block path with several blocks and a short last one.
// The path is taken from BLOCKS_FROM = 2^18 logits when K·BLOCK_MIN_ROWS ≤ BLOCK_FLOATS = 2^16
// (cross-entropy.ts); K = 1003 gives blocks of ⌊2^16/1003⌋ = 65 rows, and N = 262 rows (262,786
// logits) four full blocks and one of 2 rows. K is odd, so most rows start off the 4-lane grid.
//
// Tolerances. Both paths run the same kernel over the same rows, so every per-row value (loss,
// NLL and smoothing terms, softmax) is the same float64/float32 computation; they differ only in:
// - the order of the float64 sums over rows (per block, then across blocks): every row's loss,
//   NLL and smoothing term is ≥ 0, so the sums differ by at most 2N unit roundoffs (2^-53) of the
//   value, plus one rounding for 'mean' (÷D against ×(1/D));
// - the gradient's row scale: the block path passes upstream/D rounded to float32, the one-piece
//   path multiplies by 1/D in float64: ≤ 2 float32 roundoffs u = 2^-24 in the scale. The gradient
//   entry s·(p_k·c − w_k·q_k) is a difference of two products, each then off by ≤ 4u, and the
//   result is rounded once more: |Δg_k| ≤ 4u·(|p_k·c·s| + |s·w_k·q_k|) + 2u·|g_k|
//   ≤ 8u·(|g_k| + |s·w_k·q_k|) (as |p_k·c·s| ≤ |g_k| + |s·w_k·q_k|), plus the smallest subnormal.
// Everything else (per-row losses for 'none', rows of a sum, the divisor D) is bit-identical.
import { describe, expect, it } from 'vitest';
import { allocFloat32, crossEntropy, crossEntropyParts, crossEntropyWithGrad, smoothTargets, type CrossEntropyGradOptions, type FloatArray } from 'labelsmooth';
import { expectSameBits, expectWithin } from './helpers/vectors';

const K = 1003;
const N = 262;
const U32 = 2 ** -24;
const U64 = 2 ** -53;
const SUM_REL = (2 * N + 4) * U64;

function problem(seed: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const logits = Float32Array.from({ length: N * K }, () => 8 * rand());
  const targets = Int32Array.from({ length: N }, (_, i) => (i % 7 === 3 ? -100 : Math.floor((rand() + 1) * ((K - 1) / 2))));
  return { logits, targets };
}

const asFloat32 = (g: FloatArray): Float32Array => (g instanceof Float32Array ? g : g.view.slice());

/** The same call on a WasmArray copy of the logits: the one-piece path. */
function onePiece(logits: Float32Array, targets: Int32Array, opts: CrossEntropyGradOptions) {
  const w = allocFloat32(logits.length);
  try {
    w.view.set(logits);
    const r = crossEntropyWithGrad(w, targets, opts);
    const { gradOut: _g, inPlace: _i, upstream: _u, ...plain } = opts;
    const loss = r.loss as number | Float32Array; // 'none' gives per-row losses
    return { loss: loss instanceof Float32Array ? loss.slice() : loss, grad: asFloat32(r.grad), parts: crossEntropyParts(w, targets, plain) };
  } finally {
    w.free();
  }
}

/** The gradient tolerance above, per entry: needs each row's scale s and the target mass q. */
function gradientTolerance(targets: Int32Array, opts: CrossEntropyGradOptions, denominator: number, want: Float32Array) {
  const q = smoothTargets(targets, K, { labelSmoothing: opts.labelSmoothing, convention: opts.convention, paddingIdx: opts.paddingIdx });
  const up = opts.upstream;
  const scale = (row: number) => {
    if (opts.reduction === 'none') return typeof up === 'object' ? (up as Float32Array)[row] : 1;
    const u = typeof up === 'number' ? up : 1;
    return opts.reduction === 'sum' ? u : u / denominator;
  };
  const w = opts.weight as Float32Array | undefined;
  return (i: number) => {
    const [row, k] = [Math.floor(i / K), i % K];
    return 8 * U32 * (Math.abs(want[i]) + Math.abs(scale(row)) * (w ? w[k] : 1) * q[i]) + 2 ** -149;
  };
}

function expectSameLoss(got: number | Float32Array, want: number | Float32Array, label: string) {
  if (typeof want === 'number') {
    expect(typeof got, label).toBe('number');
    expectWithin([got as number], [want], () => SUM_REL * Math.abs(want), label);
  } else {
    expectSameBits(got as Float32Array, want, label);
  }
}

describe('crossEntropy on large plain arrays (block path)', () => {
  it('the problem is large enough for the block path, with a short last block', () => {
    expect(N * K).toBeGreaterThanOrEqual(2 ** 18);
    expect(K * 16).toBeLessThanOrEqual(2 ** 16);
    expect(N % Math.floor(2 ** 16 / K)).toBeGreaterThan(0);
  });

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
      expectSameLoss(got.loss, want.loss, `${name} loss`);
      expectWithin(asFloat32(got.grad), want.grad, gradientTolerance(targets, opts, want.parts.denominator, want.grad), `${name} grad`);
      const { gradOut: _g, inPlace: _i, upstream: _u, ...plain } = opts;
      // Forward only: 'none' has no upstream, so its per-row losses are those of the one-piece path.
      expectSameLoss(crossEntropy(logits, targets, plain), want.loss, `${name} forward only`);
      const parts = crossEntropyParts(logits, targets, plain);
      expect(parts.denominator, `${name} denominator`).toBe(want.parts.denominator);
      expect(want.parts.denominator).toBeGreaterThan(0);
      for (const part of ['nll', 'smooth'] as const) {
        expect(want.parts[part], `${name} ${part} is a sum of non-negative terms`).toBeGreaterThan(0);
        expectWithin([parts[part]], [want.parts[part]], () => SUM_REL * want.parts[part], `${name} ${part}`);
      }
    });
  }

  it('gradOut (Float32Array and WasmArray) and inPlace receive the same gradient', () => {
    const { logits, targets } = problem(7);
    const opts = { numClasses: K, labelSmoothing: 0.1 };
    const first = crossEntropyWithGrad(logits, targets, opts).grad as Float32Array;
    const out = new Float32Array(N * K);
    expect(crossEntropyWithGrad(logits, targets, { ...opts, gradOut: out }).grad).toBe(out);
    expectSameBits(out, first, 'gradOut');
    const wasmOut = allocFloat32(N * K);
    try {
      crossEntropyWithGrad(logits, targets, { ...opts, gradOut: wasmOut });
      expectSameBits(wasmOut.view, first, 'WasmArray gradOut');
    } finally {
      wasmOut.free();
    }
    const copy = logits.slice();
    expect(crossEntropyWithGrad(copy, targets, { ...opts, inPlace: true }).grad).toBe(copy);
    expectSameBits(copy, first, 'inPlace');
    // And that gradient is the one-piece path's (the test above, for this seed).
    const want = onePiece(logits, targets, opts);
    expectWithin(first, want.grad, gradientTolerance(targets, opts, want.parts.denominator, want.grad), 'grad');
  });

  it("'mean' with every row ignored is NaN, its gradient 0", () => {
    const { logits } = problem(3);
    const r = crossEntropyWithGrad(logits, new Int32Array(N).fill(-100), { numClasses: K, labelSmoothing: 0.1 });
    expect(r.loss).toBeNaN();
    expectSameBits(r.grad as Float32Array, new Float32Array(N * K), 'grad');
  });

  // The general path checks the gradient options before the kernel reads a target: a large call
  // with bad options and a bad target gets the options' error too, the same on both paths
  // (losses/gradient-destination.ts, gradientDestination).
  it('gradient options the general path refuses get its errors, before any target is read', () => {
    const { logits, targets } = problem(11);
    targets[N - 1] = K;
    const freed = allocFloat32(N * K);
    freed.free();
    const where = 'crossEntropyWithGrad';
    const refused: Array<[string, Partial<CrossEntropyGradOptions>, string]> = [
      ['inPlace not a boolean', { inPlace: 1 as never }, `${where}: options.inPlace must be true or false, received 1`],
      ['gradOut and inPlace', { gradOut: new Float32Array(N * K), inPlace: true }, `${where}: give options.gradOut or options.inPlace, not both`],
      ['gradOut too short', { gradOut: new Float32Array(N * K - 1) }, `${where}: options.gradOut must have ${N * K} values (N×numClasses), received ${N * K - 1} values`],
      ['gradOut not an array', { gradOut: [0] as never }, `${where}: options.gradOut must be a Float32Array or a WasmArray, received an array of length 1`],
      ['gradOut a freed WasmArray', { gradOut: freed }, `${where}: options.gradOut is a WasmArray that was freed`],
    ];
    for (const [name, bad, message] of refused) {
      expect(() => crossEntropyWithGrad(logits, targets, { numClasses: K, ...bad }), name).toThrow(message);
    }
  });

  it('a bad target in the last block is refused before anything is written', () => {
    const { logits, targets } = problem(5);
    targets[N - 1] = K;
    const copy = logits.slice();
    expect(() => crossEntropyWithGrad(copy, targets, { numClasses: K, inPlace: true })).toThrow(
      new RegExp(`target\\[${N - 1}\\] must be a class index in \\[0, ${K}\\) or ignoreIndex \\(-100\\), received ${K}`),
    );
    expectSameBits(copy, logits, 'logits after a refused in-place call');
    const out = new Float32Array(N * K).fill(7);
    expect(() => crossEntropyWithGrad(logits, targets, { numClasses: K, gradOut: out })).toThrow(RangeError);
    expectSameBits(out, new Float32Array(N * K).fill(7), 'gradOut after a refused call');
  });
});
