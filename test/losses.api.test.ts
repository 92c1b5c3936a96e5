// The loss API: result shapes, defaults, typed errors naming the argument, the LabelSmoothing
// class, and the seed example.
import { describe, expect, it } from 'vitest';
import {
  crossEntropy,
  crossEntropyWithGrad,
  klDiv,
  klDivWithGrad,
  LabelSmoothing,
  Reduction,
  sigmoidCrossEntropy,
  sigmoidCrossEntropyWithGrad,
  smoothTargets,
  softCrossEntropy,
  softCrossEntropyWithGrad,
  softmaxCrossEntropy,
  softmaxCrossEntropyWithGrad,
  type FloatArray,
} from 'labelsmooth';
import { annotatedRef, crossEntropyRef, logSoftmax } from './helpers/reference';

/** A result array as a Float32Array (what the API returns for Float32Array inputs). */
function f32Out(v: FloatArray | Float32Array | number | null): Float32Array {
  expect(v).toBeInstanceOf(Float32Array);
  return v as Float32Array;
}

// N = 3 rows, K = 5 classes.
const LOGITS = [1, 2, 0.5, -1, 0, 0.1, -0.2, 0.3, 2.5, -1.5, -2, 0, 1, 0.5, 3];
const logits = () => Float32Array.from(LOGITS);
const TARGET = [1, 0, 4];
const K = 5;
const PROBS = [0.2, 0.3, 0.1, 0.3, 0.1, 0.5, 0, 0.5, 0, 0, 0, 0, 0, 0, 1];
const probs = () => Float32Array.from(PROBS);
const onehot = () => Float32Array.from(TARGET.flatMap((t) => Array.from({ length: K }, (_, j) => (j === t ? 1 : 0))));

describe('the seed example (Annotated Transformer / pyitcast blog)', () => {
  const row = [0, 0.2, 0.7, 0.1, 0];
  const predict = () => Float32Array.from([...row, ...row, ...row]);

  it('crit(predict, target) with the probabilities passed as is: −3.11824, true_dist as the blog', () => {
    const crit = new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 0.5 });
    const loss = crit.forward(predict(), [2, 1, 0]);
    expect(typeof loss).toBe('number');
    expect(Math.abs(loss - -3.11824)).toBeLessThanOrEqual(1e-5);
    const sixth = Math.fround(0.5 / 3);
    expect(crit.trueDist).toBeInstanceOf(Float32Array);
    expect(Array.from(crit.trueDist!)).toEqual([0, sixth, 0.5, sixth, sixth, 0, 0.5, sixth, sixth, sixth, 0, 0, 0, 0, 0]);
    expect(crit.trueDistShape).toEqual([3, 5]);
    expect(Array.from(crit.backward(), (v) => v + 0)).toEqual(Array.from(crit.trueDist!, (q) => -q + 0));
  });

  it('with x = log(predict): +Infinity (deliberate difference: torch 1.13 gives NaN, torch 0.4 inf)', () => {
    const x = predict().map(Math.log);
    const crit = new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 0.5 });
    expect(crit.forward(x, [2, 1, 0])).toBe(Infinity);
    // The gradient w.r.t. x is still −true_dist (±0 alike).
    expect(Array.from(crit.backward(), (v) => v + 0)).toEqual(Array.from(crit.trueDist!, (q) => -q + 0));
  });

  it('with 1e-9 in place of 0 and x = log(predict): 6.5011196', () => {
    const x = Float32Array.from([...row, ...row, ...row].map((v) => Math.log(v || 1e-9)));
    expect(new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 0.5 }).forward(x, [2, 1, 0])).toBeCloseTo(6.5011196, 4);
  });
});

describe('result shapes', () => {
  it("'none' returns a Float32Array; the reductions a number", () => {
    const ce = crossEntropy(logits(), TARGET, { numClasses: K, reduction: 'none' });
    expect(ce).toBeInstanceOf(Float32Array);
    expect(ce.length).toBe(3);
    for (const reduction of ['mean', 'sum'] as const) expect(typeof crossEntropy(logits(), TARGET, { numClasses: K, reduction })).toBe('number');

    const soft = softCrossEntropy(logits(), probs(), { numClasses: K, reduction: 'none' });
    expect(soft).toBeInstanceOf(Float32Array);
    expect(f32Out(soft).length).toBe(3);
    for (const reduction of ['mean', 'sum'] as const) expect(typeof softCrossEntropy(logits(), probs(), { numClasses: K, reduction })).toBe('number');

    const tf = softmaxCrossEntropy(onehot(), logits(), { numClasses: K, reduction: Reduction.NONE });
    expect(tf).toBeInstanceOf(Float32Array);
    expect(f32Out(tf).length).toBe(3);
    const sig = sigmoidCrossEntropy(onehot(), logits(), { numClasses: K, reduction: Reduction.NONE });
    expect(sig).toBeInstanceOf(Float32Array);
    expect(f32Out(sig).length).toBe(15); // elementwise, N×K
    for (const reduction of [Reduction.MEAN, Reduction.SUM, Reduction.SUM_BY_NONZERO_WEIGHTS]) {
      expect(typeof softmaxCrossEntropy(onehot(), logits(), { numClasses: K, reduction })).toBe('number');
      expect(typeof sigmoidCrossEntropy(onehot(), logits(), { numClasses: K, reduction })).toBe('number');
    }

    const input = Float32Array.from(logSoftmax(LOGITS, K));
    const kl = klDiv(input, probs(), { numClasses: K, reduction: 'none' });
    expect(kl).toBeInstanceOf(Float32Array);
    expect(kl.length).toBe(15);
    for (const reduction of ['sum', 'mean', 'batchmean'] as const) expect(typeof klDiv(input, probs(), { numClasses: K, reduction })).toBe('number');
  });

  it('...WithGrad returns { loss, grad } with grad a new Float32Array of N·K', () => {
    const x = logits();
    const results = [
      crossEntropyWithGrad(x, TARGET, { numClasses: K }),
      softCrossEntropyWithGrad(x, probs(), { numClasses: K }),
      softmaxCrossEntropyWithGrad(onehot(), x, { numClasses: K }),
      sigmoidCrossEntropyWithGrad(onehot(), x, { numClasses: K }),
      klDivWithGrad(x, probs(), { numClasses: K }),
    ];
    for (const r of results) {
      expect(typeof r.loss).toBe('number');
      expect(r.grad).toBeInstanceOf(Float32Array);
      expect(r.grad.length).toBe(15);
      expect(r.grad).not.toBe(x);
      expect(f32Out(r.grad).buffer).not.toBe(x.buffer);
    }
    expect(Array.from(x)).toEqual(LOGITS.map(Math.fround));
  });

  it('an empty batch: none → empty array, sum → 0, mean → NaN (PyTorch)', () => {
    const empty = new Float32Array(0);
    expect(crossEntropy(empty, [], { numClasses: K, reduction: 'none' })).toEqual(new Float32Array(0));
    expect(crossEntropy(empty, [], { numClasses: K, reduction: 'sum' })).toBe(0);
    expect(crossEntropy(empty, [], { numClasses: K })).toBeNaN();
    const r = crossEntropyWithGrad(empty, new Int32Array(0), { numClasses: K, reduction: 'sum' });
    expect(r.grad).toEqual(new Float32Array(0));
    expect(new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 0.1 }).forward(empty, [])).toBe(0);
  });

  it('Reduction has the four tfjs reductions, all distinct', () => {
    const values = [Reduction.NONE, Reduction.MEAN, Reduction.SUM, Reduction.SUM_BY_NONZERO_WEIGHTS];
    expect(new Set(values).size).toBe(4);
    values.forEach((v) => expect(v).toBeDefined());
  });
});

describe('defaults', () => {
  it("crossEntropy: reduction 'mean', labelSmoothing 0, ignoreIndex −100, convention 'uniform', zLoss 0", () => {
    const explicit = crossEntropy(logits(), [1, -100, 4], { numClasses: K, reduction: 'mean', labelSmoothing: 0, ignoreIndex: -100, convention: 'uniform', zLoss: 0 });
    expect(crossEntropy(logits(), [1, -100, 4], { numClasses: K })).toBe(explicit);
    const ref = crossEntropyRef(logits(), [1, -100, 4], K).loss as number;
    expect(explicit).toBeCloseTo(ref, 5);
    // −100 is ignored by default: the mean is over the 2 other rows.
    const perRow = crossEntropy(logits(), [1, -100, 4], { numClasses: K, reduction: 'none' });
    expect(perRow[1]).toBe(0);
    expect(explicit).toBeCloseTo((perRow[0] + perRow[2]) / 2, 6);
  });

  it('softCrossEntropy: reduction mean (Σ L / N), labelSmoothing 0', () => {
    const perRow = softCrossEntropy(logits(), probs(), { numClasses: K, reduction: 'none' });
    expect(softCrossEntropy(logits(), probs(), { numClasses: K })).toBeCloseTo((perRow[0] + perRow[1] + perRow[2]) / 3, 6);
    expect(softCrossEntropy(logits(), probs(), { numClasses: K })).toBe(softCrossEntropy(logits(), probs(), { numClasses: K, labelSmoothing: 0, reduction: 'mean' }));
  });

  it('softmax/sigmoidCrossEntropy: reduction SUM_BY_NONZERO_WEIGHTS, labelSmoothing 0, no weights', () => {
    const explicit = { numClasses: K, labelSmoothing: 0, reduction: Reduction.SUM_BY_NONZERO_WEIGHTS };
    expect(softmaxCrossEntropy(onehot(), logits(), { numClasses: K })).toBe(softmaxCrossEntropy(onehot(), logits(), explicit));
    expect(sigmoidCrossEntropy(onehot(), logits(), { numClasses: K })).toBe(sigmoidCrossEntropy(onehot(), logits(), explicit));
    expect(softmaxCrossEntropy(onehot(), logits(), { numClasses: K })).toBe(softmaxCrossEntropy(onehot(), logits(), { ...explicit, weights: 1 }));
  });

  it("klDiv: reduction 'mean' (÷ N·K), logTarget false", () => {
    const input = Float32Array.from(logSoftmax(LOGITS, K));
    const sum = klDiv(input, probs(), { numClasses: K, reduction: 'sum' });
    expect(klDiv(input, probs(), { numClasses: K })).toBeCloseTo(sum / 15, 6);
    expect(klDiv(input, probs(), { numClasses: K })).toBe(klDiv(input, probs(), { numClasses: K, reduction: 'mean', logTarget: false }));
    expect(klDiv(input, probs(), { numClasses: K, reduction: 'batchmean' })).toBeCloseTo(sum / 3, 6);
  });

  it('LabelSmoothing: fromLogits false (x are log-probabilities)', () => {
    const x = Float32Array.from(logSoftmax(LOGITS, K));
    const a = new LabelSmoothing({ size: K, paddingIdx: 0, smoothing: 0.2 }).forward(x, [1, 0, 4]);
    const b = new LabelSmoothing({ size: K, paddingIdx: 0, smoothing: 0.2, fromLogits: false }).forward(x, [1, 0, 4]);
    expect(a).toBe(b);
    expect(a).toBeCloseTo(annotatedRef(x, [1, 0, 4], K, 0, 0.2).loss, 5);
  });
});

describe('sigmoidCrossEntropy: weightsPer says what the weights are per (N = K = 3, the length fits two readings)', () => {
  // Three weights on a 3×3 batch: per row or per class. Each reading must equal the same weights
  // spelled out per element (tfjs broadcasts [N, 1] or [1, K] weights to [N, K]), for every
  // reduction, loss and gradient: the per-element path is the one the vectors test against tfjs.
  const labels = () => Float32Array.from([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  const x = () => Float32Array.from([1.5, -0.5, 0.25, -2, 0.75, 1, 0.5, -1.25, 2]);
  const w = [0.5, 0, 2];
  const spelled = { row: [0, 1, 2, 3, 4, 5, 6, 7, 8].map((e) => w[Math.floor(e / 3)]), class: [0, 1, 2, 3, 4, 5, 6, 7, 8].map((e) => w[e % 3]) };
  for (const per of ['row', 'class'] as const) {
    for (const [name, reduction] of Object.entries(Reduction)) {
      it(`${per}, ${name}`, () => {
        const opts = { numClasses: 3, labelSmoothing: 0.1, reduction };
        const got = sigmoidCrossEntropyWithGrad(labels(), x(), { ...opts, weights: Float32Array.from(w), weightsPer: per });
        const want = sigmoidCrossEntropyWithGrad(labels(), x(), { ...opts, weights: Float32Array.from(spelled[per]), weightsPer: 'element' });
        expect(got.loss).toEqual(want.loss);
        expect(got.grad).toEqual(want.grad);
        expect(sigmoidCrossEntropy(labels(), x(), { ...opts, weights: Float32Array.from(w), weightsPer: per })).toEqual(want.loss);
      });
    }
  }
  it('the two readings differ here, so neither may be guessed', () => {
    const opts = { numClasses: 3, reduction: Reduction.NONE };
    const byRow = sigmoidCrossEntropy(labels(), x(), { ...opts, weights: Float32Array.from(w), weightsPer: 'row' });
    const byClass = sigmoidCrossEntropy(labels(), x(), { ...opts, weights: Float32Array.from(w), weightsPer: 'class' });
    expect(byRow).not.toEqual(byClass);
    expect(() => sigmoidCrossEntropy(labels(), x(), { ...opts, weights: Float32Array.from(w) })).toThrow(TypeError);
  });
});

describe('behaviour', () => {
  it("'none' with upstream: the gradient of row i is scaled by upstream[i]", () => {
    const base = crossEntropyWithGrad(logits(), TARGET, { numClasses: K, labelSmoothing: 0.1, reduction: 'none' });
    const up = Float32Array.from([2, 0, -0.5]);
    const scaled = crossEntropyWithGrad(logits(), TARGET, { numClasses: K, labelSmoothing: 0.1, reduction: 'none', upstream: up });
    expect(scaled.loss).toEqual(base.loss);
    for (let e = 0; e < 15; e++) expect(f32Out(scaled.grad)[e]).toBeCloseTo(f32Out(base.grad)[e] * up[Math.floor(e / K)], 6);
  });

  it('zLoss adds zLoss·logsumexp² to every row that counts (and 2·zLoss·lse·p to its gradient)', () => {
    const x = Float32Array.from([0, 0, 3, 1]);
    const z = 0.01;
    const lse0 = Math.log(2);
    const lse1 = 3 + Math.log(1 + Math.exp(-2));
    const plain = crossEntropy(x, [0, -100], { numClasses: 2, reduction: 'sum' });
    expect(crossEntropy(x, [0, -100], { numClasses: 2, reduction: 'sum', zLoss: z })).toBeCloseTo(plain + z * lse0 * lse0, 6);
    expect(crossEntropy(x, [0, 1], { numClasses: 2, reduction: 'none', zLoss: z })[1]).toBeCloseTo(lse1 - 1 + z * lse1 * lse1, 5);
    const g = f32Out(crossEntropyWithGrad(x, [0, -100], { numClasses: 2, reduction: 'sum', zLoss: z }).grad);
    expect(g[0]).toBeCloseTo(0.5 - 1 + 2 * z * lse0 * 0.5, 6);
    expect(Array.from(g.subarray(2))).toEqual([0, 0]); // ignored row
  });

  it('all rows ignored: mean is NaN with an all-zero gradient; sum is 0', () => {
    const r = crossEntropyWithGrad(logits(), [-100, -100, -100], { numClasses: K, labelSmoothing: 0.1 });
    expect(r.loss).toBeNaN();
    expect(Array.from(f32Out(r.grad))).toEqual(new Array(15).fill(0));
    expect(crossEntropy(logits(), [-100, -100, -100], { numClasses: K, reduction: 'sum' })).toBe(0);
  });

  it("'annotated' padding rows are skipped like ignored rows, in the loss, the mean's divisor and the gradient", () => {
    const opts = { numClasses: K, convention: 'annotated' as const, paddingIdx: 0, labelSmoothing: 0.3 };
    const r = crossEntropyWithGrad(logits(), [1, 0, 4], opts);
    const perRow = crossEntropy(logits(), [1, 0, 4], { ...opts, reduction: 'none' });
    expect(perRow[1]).toBe(0);
    expect(r.loss).toBeCloseTo((perRow[0] + perRow[2]) / 2, 6);
    expect(Array.from(f32Out(r.grad).subarray(5, 10))).toEqual([0, 0, 0, 0, 0]);
  });

  it('softmaxCrossEntropy gradient is the true derivative when labels do not sum to 1 (not softmax − q)', () => {
    const labels = Float32Array.from([0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0, 1, 0, 0, 0, 0]);
    const r = { grad: f32Out(softmaxCrossEntropyWithGrad(labels, logits(), { numClasses: K, reduction: Reduction.SUM }).grad) };
    const p = logSoftmax(LOGITS, K).map(Math.exp);
    // Row 0 has no label mass: its loss does not depend on the logits, so its gradient is 0.
    for (let j = 0; j < K; j++) expect(r.grad[j]).toBeCloseTo(0, 7);
    // Row 1 has mass 2: p·2 − q.
    for (let j = 0; j < K; j++) expect(r.grad[K + j]).toBeCloseTo(2 * p[K + j] - labels[K + j], 6);
  });

  it('LabelSmoothing: fromLogits fuses log-softmax; backward is p − q, 0 on padding rows; state follows the last forward', () => {
    const crit = new LabelSmoothing({ size: K, paddingIdx: 0, smoothing: 0.4, fromLogits: true });
    const loss = crit.forward(logits(), [2, 0, 3]);
    const ref = annotatedRef(logits(), [2, 0, 3], K, 0, 0.4, true);
    expect(loss).toBeCloseTo(ref.loss, 5);
    const g = crit.backward();
    expect(g).toBeInstanceOf(Float32Array);
    g.forEach((v, e) => expect(v).toBeCloseTo(ref.gradLogits![e], 6));
    expect(Array.from(g.subarray(5, 10))).toEqual([0, 0, 0, 0, 0]);
    expect(crit.trueDistShape).toEqual([3, K]);
    // A second forward with another batch replaces trueDist, its shape and the gradient.
    crit.forward(Float32Array.from(LOGITS.slice(0, 5)), [4]);
    expect(crit.trueDistShape).toEqual([1, K]);
    expect(crit.trueDist!.length).toBe(5);
    expect(crit.backward().length).toBe(5);
    expect(Array.from(crit.trueDist!)).toEqual(Array.from(smoothTargets([4], K, { convention: 'annotated', paddingIdx: 0, labelSmoothing: 0.4 })));
  });

  it('LabelSmoothing.backward() before forward() throws', () => {
    expect(() => new LabelSmoothing({ size: K, paddingIdx: 0, smoothing: 0.1 }).backward()).toThrow(/forward/);
  });
});

// ---------------------------------------------------------------------------------------------
type Case = [string, () => unknown, ErrorConstructor, RegExp];

function errorCases(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const [name, call, type, message] of cases) {
      it(name, () => {
        expect(call).toThrow(type);
        expect(call).toThrow(message);
      });
    }
  });
}

const ce = (opts: object, x: Float32Array = logits(), t: number[] = TARGET) => () => crossEntropy(x, t, { numClasses: K, ...opts } as never);
const ceG = (opts: object) => () => crossEntropyWithGrad(logits(), TARGET, { numClasses: K, ...opts } as never);

errorCases('crossEntropy / crossEntropyWithGrad: typed errors naming the argument', [
  ['numClasses missing', () => crossEntropy(logits(), TARGET, {} as never), TypeError, /numClasses.*received undefined/],
  ['options missing', () => crossEntropy(logits(), TARGET, undefined as never), TypeError, /numClasses/],
  ['numClasses 0', ce({ numClasses: 0 }), RangeError, /numClasses must be a positive integer, received 0/],
  ['numClasses 2.5', ce({ numClasses: 2.5 }), RangeError, /numClasses.*received 2\.5/],
  ['numClasses −3', ce({ numClasses: -3 }), RangeError, /numClasses.*received -3/],
  ['ε = 1.5 (torch RuntimeError)', ce({ labelSmoothing: 1.5 }), RangeError, /labelSmoothing.*\[0, 1\].*received 1\.5/],
  ['ε = −0.1 (torch silently uses 0)', ce({ labelSmoothing: -0.1 }), RangeError, /labelSmoothing.*received -0\.1/],
  ['ε = NaN', ce({ labelSmoothing: NaN }), RangeError, /labelSmoothing.*received NaN/],
  ['ε = Infinity', ce({ labelSmoothing: Infinity }), RangeError, /labelSmoothing.*received Infinity/],
  ['ε a string', ce({ labelSmoothing: '0.1' }), TypeError, /labelSmoothing.*received "0\.1"/],
  ['target ≥ K (torch IndexError)', ce({}, logits(), [1, 5, 0]), RangeError, /target\[1\].*\[0, 5\).*received 5/],
  ['target −1 (not the ignore index)', ce({}, logits(), [1, -1, 0]), RangeError, /target\[1\].*received -1/],
  ['target −100 with ignoreIndex 0', ce({ ignoreIndex: 0 }, logits(), [1, -100, 0]), RangeError, /target\[1\].*received -100/],
  ['target not an integer', ce({}, logits(), [1, 0.5, 0]), TypeError, /target\[1\].*received 0\.5/],
  ['target a Float32Array', () => crossEntropy(logits(), new Float32Array([1, 0, 4]) as never, { numClasses: K }), TypeError, /target.*received Float32Array\(3\)/],
  ['target length ≠ N', ce({}, logits(), [1, 0]), RangeError, /target.*received 2/],
  ['logits length not a multiple of K', ce({}, Float32Array.from(LOGITS.slice(0, 14)), TARGET), RangeError, /logits.*multiple of 5.*received 14/],
  ['logits a plain array', () => crossEntropy(LOGITS as never, TARGET, { numClasses: K }), TypeError, /logits.*received an array of length 15/],
  ['weight of the wrong length', ce({ weight: new Float32Array(4) }), RangeError, /weight.*received 4/],
  ['weight a plain array', ce({ weight: [1, 1, 1, 1, 1] }), TypeError, /weight/],
  ["'annotated' with K < 3", () => crossEntropy(new Float32Array(4), [0, 1], { numClasses: 2, convention: 'annotated', paddingIdx: 0 }), RangeError, /annotated.*numClasses >= 3.*received 2/],
  ["'annotated' with K = 1", () => crossEntropy(new Float32Array(2), [0, 0], { numClasses: 1, convention: 'annotated', paddingIdx: 0 }), RangeError, /numClasses >= 3.*received 1/],
  ["'annotated' without paddingIdx", ce({ convention: 'annotated' }), TypeError, /paddingIdx/],
  ["'annotated' paddingIdx out of range", ce({ convention: 'annotated', paddingIdx: 5 }), RangeError, /paddingIdx.*received 5/],
  ['unknown convention', ce({ convention: 'keras' }), RangeError, /convention.*received "keras"/],
  ['unknown reduction', ce({ reduction: 'batchmean' }), RangeError, /reduction.*received "batchmean"/],
  ['negative zLoss', ce({ zLoss: -1 }), RangeError, /zLoss.*received -1/],
  ['gradOut of the wrong length', ceG({ gradOut: new Float32Array(14) }), RangeError, /gradOut.*received 14/],
  ['gradOut not a Float32Array', ceG({ gradOut: new Float64Array(15) }), TypeError, /gradOut.*Float64Array/],
  ['upstream of the wrong length', ceG({ reduction: 'none', upstream: new Float32Array(2) }), RangeError, /upstream.*received 2/],
]);

const soft = (opts: object, p: Float32Array = probs()) => () => softCrossEntropy(logits(), p, { numClasses: K, ...opts } as never);
errorCases('softCrossEntropy: typed errors naming the argument', [
  ['numClasses missing', () => softCrossEntropy(logits(), probs(), {} as never), TypeError, /numClasses.*received undefined/],
  ['ε = 1.1', soft({ labelSmoothing: 1.1 }), RangeError, /labelSmoothing.*received 1\.1/],
  ['ε < 0', soft({ labelSmoothing: -0.5 }), RangeError, /labelSmoothing.*received -0\.5/],
  ['probs of the wrong length', soft({}, new Float32Array(10)), RangeError, /probs|target/],
  ['weight of the wrong length', soft({ weight: new Float32Array(6) }), RangeError, /weight.*received 6/],
  ['unknown reduction', soft({ reduction: 'avg' }), RangeError, /reduction.*received "avg"/],
]);

const smx = (opts: object, labels: Float32Array = onehot()) => () => softmaxCrossEntropy(labels, logits(), { numClasses: K, ...opts } as never);
const sig = (opts: object) => () => sigmoidCrossEntropy(onehot(), logits(), { numClasses: K, ...opts } as never);
errorCases('softmaxCrossEntropy / sigmoidCrossEntropy: typed errors naming the argument', [
  ['numClasses missing', () => softmaxCrossEntropy(onehot(), logits(), {} as never), TypeError, /numClasses.*received undefined/],
  ['ε < 0 (tfjs silently skips it)', smx({ labelSmoothing: -0.1 }), RangeError, /labelSmoothing.*received -0\.1/],
  ['ε = 1.5 (tfjs accepts: negative mass)', smx({ labelSmoothing: 1.5 }), RangeError, /labelSmoothing.*received 1\.5/],
  ['sigmoid ε = 1.5', sig({ labelSmoothing: 1.5 }), RangeError, /labelSmoothing.*received 1\.5/],
  ['labels of the wrong length', smx({}, new Float32Array(10)), RangeError, /labels/i],
  ['weights of the wrong length', smx({ weights: new Float32Array(4) }), RangeError, /weights.*received 4/],
  ['softmax weights per element (N·K) are not per-row weights', smx({ weights: new Float32Array(15) }), RangeError, /weights.*received 15/],
  ['sigmoid weights of the wrong length', sig({ weights: new Float32Array(4) }), RangeError, /weights.*received 4/],
  ['weights a plain array', smx({ weights: [1, 1, 1] }), TypeError, /weights/],
  ['unknown reduction', smx({ reduction: 7 }), RangeError, /reduction.*received 7/],
  ['reduction as a torch string', smx({ reduction: 'batchmean' }), TypeError, /reduction.*received "batchmean"/],
]);

const input = () => Float32Array.from(logSoftmax(LOGITS, K));
errorCases('klDiv: typed errors naming the argument', [
  ['numClasses missing', () => klDiv(input(), probs(), {} as never), TypeError, /numClasses.*received undefined/],
  ['target of the wrong length', () => klDiv(input(), new Float32Array(14), { numClasses: K }), RangeError, /target.*received 14/],
  ['input not a multiple of K', () => klDiv(new Float32Array(14), new Float32Array(14), { numClasses: K }), RangeError, /input.*received 14/],
  ['unknown reduction', () => klDiv(input(), probs(), { numClasses: K, reduction: 'avg' as never }), RangeError, /reduction.*received "avg"/],
  ['logTarget not a boolean', () => klDiv(input(), probs(), { numClasses: K, logTarget: 1 as never }), TypeError, /logTarget.*received 1/],
]);

errorCases('LabelSmoothing: typed errors naming the argument', [
  ['smoothing 1.5 (AT: NaN loss)', () => new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 1.5 }), RangeError, /[sS]moothing.*received 1\.5/],
  ['smoothing −0.1 (AT: NaN loss)', () => new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: -0.1 }), RangeError, /[sS]moothing.*received -0\.1/],
  ['size 2 (AT: ZeroDivisionError)', () => new LabelSmoothing({ size: 2, paddingIdx: 0, smoothing: 0 }), RangeError, /received 2/],
  ['size 1', () => new LabelSmoothing({ size: 1, paddingIdx: 0, smoothing: 0.1 }), RangeError, /received 1/],
  ['paddingIdx missing', () => new LabelSmoothing({ size: 5, smoothing: 0.1 } as never), TypeError, /paddingIdx/],
  ['paddingIdx out of range', () => new LabelSmoothing({ size: 5, paddingIdx: 5, smoothing: 0.1 }), RangeError, /paddingIdx.*received 5/],
  ['target ≥ size (AT: scatter_ error)', () => new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 0.1 }).forward(new Float32Array(10), [1, 5]), RangeError, /target\[1\].*received 5/],
  ['x not a multiple of size', () => new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 0.1 }).forward(new Float32Array(9), [1, 2]), RangeError, /x.*received 9/],
]);

describe('LabelSmoothing: error messages use the names of its own options', () => {
  // The class takes { size, smoothing }, so its messages should say so (not numClasses / labelSmoothing).
  it('smoothing', () => {
    expect(() => new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 1.5 })).toThrow(/options\.smoothing\b/);
  });
  it('size', () => {
    expect(() => new LabelSmoothing({ size: 0, paddingIdx: 0, smoothing: 0.1 })).toThrow(/options\.size\b|\bsize\b/);
  });
});

describe('still works after refusing input', () => {
  it('a valid call after each kind of error gives the same result as before', () => {
    const before = crossEntropyWithGrad(logits(), TARGET, { numClasses: K, labelSmoothing: 0.1 });
    expect(() => crossEntropy(logits(), [9, 9, 9], { numClasses: K })).toThrow(RangeError);
    expect(() => crossEntropyWithGrad(logits(), TARGET, { numClasses: K, gradOut: new Float32Array(3) })).toThrow(RangeError);
    expect(() => softmaxCrossEntropy(onehot(), logits(), { numClasses: K, weights: new Float32Array(2) })).toThrow(RangeError);
    const after = crossEntropyWithGrad(logits(), TARGET, { numClasses: K, labelSmoothing: 0.1 });
    expect(after.loss).toBe(before.loss);
    expect(after.grad).toEqual(before.grad);
  });
});
