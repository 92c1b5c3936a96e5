// One test per row of docs/validation.md (the README's validation table): every kind of bad
// input to every public function, and what happens — the typed error with its message, or the
// defined numeric result. Test names start with the row's id (V01, V02, …).
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  LabelSmoothing,
  Reduction,
  allocFloat32,
  backend,
  crossEntropy,
  crossEntropyParts,
  crossEntropyWithGrad,
  init,
  initSync,
  klDiv,
  klDivWithGrad,
  linearCrossEntropy,
  linearCrossEntropyWithGrad,
  sigmoidCrossEntropy,
  sigmoidCrossEntropyWithGrad,
  smoothTargets,
  softCrossEntropy,
  softCrossEntropyWithGrad,
  softmaxCrossEntropy,
  softmaxCrossEntropyWithGrad,
} from 'labelsmooth';
import { OPTION_TABLE, recordingReads } from './option-table';
import { detachedFloat32, detachedInt32, sharedFloat32, wasmMemoryBytes, withBackend } from './util';

const F = (values: number[]) => new Float32Array(values);
const X6 = () => F([1, 2, 3, 0.5, -1, 2]); // N = 2, K = 3

/** Every function that takes float arrays, called with `a` as its first float argument. */
type FloatCall = { name: string; call: (a: unknown, b?: unknown, opts?: Record<string, unknown>) => unknown; arg: string };
const floatFirst: FloatCall[] = [
  { name: 'crossEntropy', arg: 'logits', call: (a, _b, o) => crossEntropy(a as Float32Array, [0, 1], { numClasses: 3, ...o }) },
  { name: 'crossEntropyWithGrad', arg: 'logits', call: (a, _b, o) => crossEntropyWithGrad(a as Float32Array, [0, 1], { numClasses: 3, ...o }) },
  { name: 'crossEntropyParts', arg: 'logits', call: (a, _b, o) => crossEntropyParts(a as Float32Array, [0, 1], { numClasses: 3, ...o }) },
  { name: 'softCrossEntropy', arg: 'logits', call: (a, b, o) => softCrossEntropy(a as Float32Array, (b ?? X6()) as Float32Array, { numClasses: 3, ...o }) },
  { name: 'softCrossEntropyWithGrad', arg: 'logits', call: (a, b, o) => softCrossEntropyWithGrad(a as Float32Array, (b ?? X6()) as Float32Array, { numClasses: 3, ...o }) },
  { name: 'klDiv', arg: 'input', call: (a, b, o) => klDiv(a as Float32Array, (b ?? X6()) as Float32Array, { numClasses: 3, ...o }) },
  { name: 'klDivWithGrad', arg: 'input', call: (a, b, o) => klDivWithGrad(a as Float32Array, (b ?? X6()) as Float32Array, { numClasses: 3, ...o }) },
  // tfjs order: labels first; the logits are the second argument.
  { name: 'softmaxCrossEntropy', arg: 'logits', call: (a, b, o) => softmaxCrossEntropy((b ?? X6()) as Float32Array, a as Float32Array, { numClasses: 3, ...o }) },
  { name: 'softmaxCrossEntropyWithGrad', arg: 'logits', call: (a, b, o) => softmaxCrossEntropyWithGrad((b ?? X6()) as Float32Array, a as Float32Array, { numClasses: 3, ...o }) },
  { name: 'sigmoidCrossEntropy', arg: 'logits', call: (a, b, o) => sigmoidCrossEntropy((b ?? X6()) as Float32Array, a as Float32Array, { numClasses: 3, ...o }) },
  { name: 'sigmoidCrossEntropyWithGrad', arg: 'logits', call: (a, b, o) => sigmoidCrossEntropyWithGrad((b ?? X6()) as Float32Array, a as Float32Array, { numClasses: 3, ...o }) },
  { name: 'LabelSmoothing.forward', arg: 'x', call: (a) => new LabelSmoothing({ size: 3, paddingIdx: 0, smoothing: 0.1 }).forward(a as Float32Array, [1, 2]) },
];
/** The second float argument of the two-array functions, by name. */
const second: Record<string, string> = {
  softCrossEntropy: 'probs',
  softCrossEntropyWithGrad: 'probs',
  klDiv: 'target',
  klDivWithGrad: 'target',
  softmaxCrossEntropy: 'onehotLabels',
  softmaxCrossEntropyWithGrad: 'onehotLabels',
  sigmoidCrossEntropy: 'multiClassLabels',
  sigmoidCrossEntropyWithGrad: 'multiClassLabels',
};
const withGrad = floatFirst.filter((f) => f.name.endsWith('WithGrad'));
/** Functions with integer targets. */
const intTargets: Array<{ name: string; call: (t: unknown, k?: number, o?: Record<string, unknown>) => unknown }> = [
  { name: 'smoothTargets', call: (t, k = 3, o) => smoothTargets(t as number[], k, o) },
  { name: 'crossEntropy', call: (t, k = 3, o) => crossEntropy(new Float32Array(k * (t as ArrayLike<number>).length), t as number[], { numClasses: k, ...o }) },
  { name: 'crossEntropyWithGrad', call: (t, k = 3, o) => crossEntropyWithGrad(new Float32Array(k * (t as ArrayLike<number>).length), t as number[], { numClasses: k, ...o }) },
  { name: 'crossEntropyParts', call: (t, k = 3, o) => crossEntropyParts(new Float32Array(k * (t as ArrayLike<number>).length), t as number[], { numClasses: k, ...o }) },
  { name: 'linearCrossEntropy', call: (t, k = 3, o) => linearCrossEntropy(new Float32Array((t as ArrayLike<number>).length), new Float32Array(k), t as number[], { hiddenSize: 1, ...o }) },
  { name: 'linearCrossEntropyWithGrad', call: (t, k = 3, o) => linearCrossEntropyWithGrad(new Float32Array((t as ArrayLike<number>).length), new Float32Array(k), t as number[], { hiddenSize: 1, ...o }) },
  {
    name: 'LabelSmoothing.forward',
    call: (t, k = 3) => new LabelSmoothing({ size: Math.max(k, 3), paddingIdx: 2, smoothing: 0.1 }).forward(new Float32Array(Math.max(k, 3) * (t as ArrayLike<number>).length), t as number[]),
  },
];
/** Functions that take ε, with the option's name. */
const epsilonTakers: Array<{ name: string; what: string; call: (eps: unknown) => unknown }> = [
  { name: 'smoothTargets', what: 'options.labelSmoothing', call: (e) => smoothTargets([0], 3, { labelSmoothing: e as number }) },
  { name: 'crossEntropy', what: 'options.labelSmoothing', call: (e) => crossEntropy(X6(), [0, 1], { numClasses: 3, labelSmoothing: e as number }) },
  { name: 'crossEntropyWithGrad', what: 'options.labelSmoothing', call: (e) => crossEntropyWithGrad(X6(), [0, 1], { numClasses: 3, labelSmoothing: e as number }) },
  { name: 'softCrossEntropy', what: 'options.labelSmoothing', call: (e) => softCrossEntropy(X6(), X6(), { numClasses: 3, labelSmoothing: e as number }) },
  { name: 'linearCrossEntropy', what: 'options.labelSmoothing', call: (e) => linearCrossEntropy(X6(), X6(), [0, 1], { hiddenSize: 3, labelSmoothing: e as number }) },
  { name: 'softmaxCrossEntropy', what: 'options.labelSmoothing', call: (e) => softmaxCrossEntropy(X6(), X6(), { numClasses: 3, labelSmoothing: e as number }) },
  { name: 'sigmoidCrossEntropy', what: 'options.labelSmoothing', call: (e) => sigmoidCrossEntropy(X6(), X6(), { numClasses: 3, labelSmoothing: e as number }) },
  { name: 'LabelSmoothing', what: 'options.smoothing', call: (e) => new LabelSmoothing({ size: 3, paddingIdx: 0, smoothing: e as number }) },
];

describe('validation table (docs/validation.md)', () => {
  // ------------------------------------------------------------------ arrays: types and buffers

  it('V01 a float array argument of the wrong type is a TypeError naming it', () => {
    for (const f of floatFirst) {
      for (const bad of [[1, 2, 3, 4, 5, 6], new Float64Array(6), new Int32Array(6), null, undefined, '1,2,3', 6, {}]) {
        expect(() => f.call(bad), `${f.name}(${String(bad)})`).toThrow(TypeError);
      }
      expect(() => f.call([1, 2, 3, 4, 5, 6])).toThrow(
        f.name === 'LabelSmoothing.forward' ? `${f.name}: x must be a Float32Array or a WasmArray, received an array of length 6` : `${f.name}: ${f.arg} must be a Float32Array or a WasmArray, received an array of length 6`,
      );
      if (second[f.name]) {
        expect(() => f.call(X6(), new Float64Array(6)), f.name).toThrow(`${f.name}: ${second[f.name]} must be a Float32Array or a WasmArray, received Float64Array(6)`);
      }
    }
  });

  it('V02 a detached Float32Array (transferred buffer) is a TypeError, never an empty batch', () => {
    const expected = /must be a Float32Array with a live buffer, received a Float32Array whose buffer is detached \(it was transferred/;
    for (const f of floatFirst) {
      expect(() => f.call(detachedFloat32()), f.name).toThrow(TypeError);
      expect(() => f.call(detachedFloat32()), f.name).toThrow(expected);
      if (second[f.name]) expect(() => f.call(X6(), detachedFloat32()), f.name).toThrow(new RegExp(`${second[f.name]} must be a Float32Array with a live buffer`));
    }
    expect(() => crossEntropy(X6(), [0, 1], { numClasses: 3, weight: detachedFloat32(3) })).toThrow(/crossEntropy: options.weight must be a Float32Array with a live buffer/);
    expect(() => crossEntropyWithGrad(X6(), [0, 1], { numClasses: 3, reduction: 'none', upstream: detachedFloat32(2) })).toThrow(/options.upstream must be a Float32Array with a live buffer/);
    // An empty array that was never detached is still an empty batch.
    expect(crossEntropy(new Float32Array(0), [], { numClasses: 3, reduction: 'sum' })).toBe(0);
  });

  it('V03 a detached Int32Array target is a TypeError', () => {
    for (const f of intTargets) {
      expect(() => f.call(detachedInt32()), f.name).toThrow(TypeError);
      expect(() => f.call(detachedInt32()), f.name).toThrow(/target must be an Int32Array with a live buffer, received an Int32Array whose buffer is detached/);
    }
  });

  it('V04 a WasmArray.view that wasm memory growth detached is a TypeError pointing at the WasmArray', () => {
    const w = allocFloat32(3);
    const view = w.view;
    // Grow the memory past its current size: the old view is detached.
    const big = allocFloat32(wasmMemoryBytes() / 4 + 1024);
    big.free();
    expect(() => crossEntropy(X6(), [0, 1], { numClasses: 3, weight: view })).toThrow(
      /options.weight must be a Float32Array with a live buffer, received a Float32Array whose buffer is detached \(it was a view of labelsmooth's WebAssembly memory \(WasmArray.view\), which grew since: pass the WasmArray itself/,
    );
    w.view.set([1, 1, 1]);
    expect(crossEntropy(X6(), [0, 1], { numClasses: 3, weight: w })).toBe(crossEntropy(X6(), [0, 1], { numClasses: 3 }));
    w.free();
  });

  it('V05 SharedArrayBuffer-backed arrays are accepted (inputs copied, outputs written)', () => {
    const x = X6();
    const shared = sharedFloat32(x);
    for (const f of floatFirst) {
      const plain = f.call(x.slice()) as unknown;
      const fromShared = f.call(sharedFloat32(x)) as unknown;
      expect(fromShared, f.name).toEqual(plain);
    }
    const gradOut = sharedFloat32(new Array(6).fill(0));
    const r = crossEntropyWithGrad(shared, new Int32Array(new SharedArrayBuffer(8)).fill(1), { numClasses: 3, gradOut });
    expect(r.grad).toBe(gradOut);
    expect(Array.from(gradOut)).toEqual(Array.from(crossEntropyWithGrad(x, [1, 1], { numClasses: 3 }).grad as Float32Array));
    const inPlace = sharedFloat32(x);
    expect(crossEntropyWithGrad(inPlace, [1, 1], { numClasses: 3, inPlace: true }).grad).toBe(inPlace);
    expect(Array.from(inPlace)).toEqual(Array.from(gradOut));
  });

  it('V06 a live view of wasm memory (WasmArray.view, a subarray) is accepted as input and as gradOut', () => {
    const w = allocFloat32(12);
    w.view.set([...X6(), 0, 0, 0, 0, 0, 0]);
    const want = crossEntropyWithGrad(X6(), [0, 1], { numClasses: 3, labelSmoothing: 0.1 });
    const got = crossEntropyWithGrad(w.view.subarray(0, 6), [0, 1], { numClasses: 3, labelSmoothing: 0.1, gradOut: w.view.subarray(6, 12) });
    expect(got.loss).toBe(want.loss);
    expect(Array.from(w.view.subarray(6, 12))).toEqual(Array.from(want.grad as Float32Array));
    w.free();
  });

  it('V07 a freed WasmArray is a TypeError', () => {
    const w = allocFloat32(6);
    w.free();
    w.free(); // harmless
    expect(() => crossEntropy(w, [0, 1], { numClasses: 3 })).toThrow('crossEntropy: logits is a WasmArray that was freed');
    expect(() => klDiv(X6(), w, { numClasses: 3 })).toThrow('klDiv: target is a WasmArray that was freed');
    expect(() => w.view).toThrow('WasmArray.view: the WasmArray was freed');
  });

  it('V08 a WasmArray of the other wasm build is a TypeError', () => {
    const w = allocFloat32(6);
    const other = backend() === 'simd128' ? 'scalar' : 'simd128';
    withBackend(other, () => {
      expect(() => crossEntropy(w, [0, 1], { numClasses: 3 })).toThrow('crossEntropy: logits is a WasmArray of another wasm build (allocate it after choosing the backend)');
    });
    w.free();
  });

  it('V09 a Float32Array / Int32Array from another realm (vm, iframe) is accepted', () => {
    const foreign = vm.runInNewContext('[new Float32Array([1, 2, 3, 0.5, -1, 2]), new Int32Array([0, 1])]') as [Float32Array, Int32Array];
    expect(foreign[0] instanceof Float32Array).toBe(false);
    expect(crossEntropy(foreign[0], foreign[1], { numClasses: 3 })).toBe(crossEntropy(X6(), [0, 1], { numClasses: 3 }));
    expect(Array.from(smoothTargets(foreign[1], 3))).toEqual([1, 0, 0, 0, 1, 0]);
  });

  // ------------------------------------------------------------------ options and shapes

  it('V10 options that are not an object are a TypeError', () => {
    for (const bad of [null, 5, 'x', [1]]) {
      expect(() => crossEntropy(X6(), [0, 1], bad as never)).toThrow('crossEntropy: options must be an object');
      expect(() => klDiv(X6(), X6(), bad as never)).toThrow('klDiv: options must be an object');
      expect(() => smoothTargets([0], 3, bad as never)).toThrow('smoothTargets: options must be an object');
      expect(() => new LabelSmoothing(bad as never)).toThrow('LabelSmoothing: options must be an object');
    }
    expect(() => klDiv(X6(), X6(), undefined as never)).toThrow('klDiv: options.numClasses must be a positive integer, received undefined');
    // Every function that takes options, the heatmaps included (an array was taken as options there).
    for (const row of OPTION_TABLE.filter((r) => r.name !== 'init')) {
      for (const bad of [null, 5, 'x', [1]]) {
        expect(() => row.call(bad as never), `${row.name} ${JSON.stringify(bad)}`).toThrow(new TypeError(`${row.name}: options must be an object, received ${bad === null ? 'null' : Array.isArray(bad) ? 'an array of length 1' : JSON.stringify(bad)}`));
      }
    }
  });

  it('V11 numClasses: missing or not a number is a TypeError; 0, negative, fractional, NaN, ≥ 2^31 a RangeError', () => {
    for (const f of floatFirst.filter((f) => f.name !== 'LabelSmoothing.forward')) {
      expect(() => f.call(X6(), undefined, { numClasses: '3' }), f.name).toThrow(TypeError);
      for (const bad of [0, -3, 1.5, NaN, Infinity, 2 ** 31]) expect(() => f.call(X6(), undefined, { numClasses: bad }), `${f.name} ${bad}`).toThrow(RangeError);
    }
    expect(() => smoothTargets([0], 0)).toThrow('smoothTargets: numClasses must be a positive integer, received 0');
    expect(() => crossEntropy(X6(), [0, 1], { numClasses: 2 ** 31 })).toThrow(/crossEntropy: (options\.)?numClasses must be a positive integer, received 2147483648/);
    expect(() => new LabelSmoothing({ size: 2.5, paddingIdx: 0, smoothing: 0 })).toThrow(/LabelSmoothing: .*must be a positive integer, received 2\.5/);
  });

  it('V12 a float array whose length is not N×numClasses is a RangeError', () => {
    for (const f of floatFirst) expect(() => f.call(F([1, 2, 3, 4])), f.name).toThrow(/must hold N×numClasses values \(a multiple of 3\), received 4 values/);
  });

  it('V13 a second array of another length than the first is a RangeError', () => {
    for (const [name, what] of Object.entries(second)) {
      const f = floatFirst.find((g) => g.name === name)!;
      expect(() => f.call(X6(), F([1, 2, 3])), name).toThrow(`${name}: ${what} must have as many values as ${name.startsWith('kl') ? 'input' : 'logits'} (6), received 3 values`);
    }
  });

  it('V14 a target count that is not the number of rows is a RangeError', () => {
    expect(() => crossEntropy(X6(), [0], { numClasses: 3 })).toThrow('crossEntropy: target must have one class index per row of logits (2), received 1');
    expect(() => new LabelSmoothing({ size: 3, paddingIdx: 0, smoothing: 0 }).forward(X6(), [1, 1, 1])).toThrow('LabelSmoothing.forward: target must have one class index per row of x (2), received 3');
  });

  it('V15 class weights: wrong type TypeError, wrong length RangeError', () => {
    for (const name of ['crossEntropy', 'softCrossEntropy'] as const) {
      const call = (weight: unknown) => (name === 'crossEntropy' ? crossEntropy(X6(), [0, 1], { numClasses: 3, weight: weight as Float32Array }) : softCrossEntropy(X6(), X6(), { numClasses: 3, weight: weight as Float32Array }));
      expect(() => call([1, 1, 1])).toThrow(`${name}: options.weight must be a Float32Array or a WasmArray, received an array of length 3`);
      expect(() => call(F([1, 1]))).toThrow(`${name}: options.weight must have numClasses (3) values, received 2 values`);
    }
  });

  it('V16 upstream: an array for a reduced loss is a TypeError; a wrong length for reduction none a RangeError', () => {
    expect(() => crossEntropyWithGrad(X6(), [0, 1], { numClasses: 3, upstream: F([1]) })).toThrow('crossEntropyWithGrad: options.upstream must be a number for a reduced loss, received Float32Array(1)');
    expect(() => crossEntropyWithGrad(X6(), [0, 1], { numClasses: 3, reduction: 'none', upstream: F([1]) })).toThrow('crossEntropyWithGrad: options.upstream must have one value per row (2), received 1 values');
    expect(() => klDivWithGrad(X6(), X6(), { numClasses: 3, reduction: 'none', upstream: F([1]) })).toThrow('klDivWithGrad: options.upstream must have as many values as input (6), received 1 values');
    expect(() => softmaxCrossEntropyWithGrad(X6(), X6(), { numClasses: 3, reduction: Reduction.NONE, upstream: F([1]) })).toThrow(/options.upstream must have the shape of the unreduced loss \(2 values\), received 1 values/);
    // A non-finite upstream number is allowed and propagates (as autograd would).
    expect(Array.from(crossEntropyWithGrad(X6(), [0, 1], { numClasses: 3, upstream: NaN }).grad as Float32Array).every(Number.isNaN)).toBe(true);
  });

  it('V17 gradOut / inPlace: wrong type, wrong length, both at once, a non-boolean inPlace', () => {
    for (const f of withGrad) {
      expect(() => f.call(X6(), undefined, { gradOut: [0, 0, 0, 0, 0, 0] }), f.name).toThrow(`${f.name}: options.gradOut must be a Float32Array or a WasmArray, received an array of length 6`);
      expect(() => f.call(X6(), undefined, { gradOut: new Float32Array(5) }), f.name).toThrow(`${f.name}: options.gradOut must have 6 values (N×numClasses), received 5 values`);
      expect(() => f.call(X6(), undefined, { gradOut: new Float32Array(6), inPlace: true }), f.name).toThrow(`${f.name}: give options.gradOut or options.inPlace, not both`);
      expect(() => f.call(X6(), undefined, { inPlace: 1 }), f.name).toThrow(`${f.name}: options.inPlace must be true or false, received 1`);
    }
  });

  // ------------------------------------------------------------------ integer targets

  it('V18 targets that are not 32-bit integers are a TypeError naming the index', () => {
    for (const f of intTargets) {
      for (const [bad, shown] of [
        [0.5, '0.5'],
        [NaN, 'NaN'],
        ['1', '"1"'],
        [2 ** 31, '2147483648'],
        [null, 'null'],
        [1n, '1n'],
      ] as const) {
        expect(() => f.call([0, bad]), `${f.name} ${shown}`).toThrow(`${f.name}: target[1] must be a 32-bit integer, received ${shown}`);
      }
      expect(() => f.call(new Float32Array([0, 1])), f.name).toThrow(`${f.name}: target must be an Int32Array or an array of integers, received Float32Array(2)`);
      expect(() => f.call(new Uint32Array([0, 1])), f.name).toThrow(TypeError);
      expect(() => f.call('01'), f.name).toThrow(TypeError);
    }
  });

  it('V19 a target outside [0, K) that is not the ignore index is a RangeError naming row and value', () => {
    for (const f of intTargets) {
      const k = f.name === 'LabelSmoothing.forward' ? 3 : 3;
      for (const bad of [3, -1, -(2 ** 31), 2 ** 31 - 1]) {
        // LabelSmoothing has no ignore index (V44): its message names none.
        const rule = f.name === 'LabelSmoothing.forward' ? '[0, 3)' : '[0, 3) or ignoreIndex (-100)';
        expect(() => f.call([1, bad], k), `${f.name} ${bad}`).toThrow(`${f.name}: target[1] must be a class index in ${rule}, received ${bad}`);
        expect(() => f.call(new Int32Array([1, bad]), k), `${f.name} ${bad}`).toThrow(RangeError);
      }
    }
  });

  it('V20 ignoreIndex: not an integer is a RangeError, not a number a TypeError; an in-range ignoreIndex skips those rows', () => {
    expect(() => smoothTargets([0], 3, { ignoreIndex: 1.5 })).toThrow('smoothTargets: options.ignoreIndex must be a 32-bit integer, received 1.5');
    expect(() => crossEntropy(X6(), [0, 1], { numClasses: 3, ignoreIndex: 2 ** 31 })).toThrow(RangeError);
    expect(() => crossEntropy(X6(), [0, 1], { numClasses: 3, ignoreIndex: '0' as never })).toThrow('crossEntropy: options.ignoreIndex must be an integer, received "0"');
    expect(Array.from(smoothTargets([0, 1], 3, { ignoreIndex: 0 }))).toEqual([0, 0, 0, 0, 1, 0]);
    expect(crossEntropy(X6(), [0, 1], { numClasses: 3, ignoreIndex: 0 })).toBe(crossEntropy(X6().subarray(3), [1], { numClasses: 3 }));
  });

  // ------------------------------------------------------------------ ε and conventions

  it('V21 ε NaN, < 0, > 1 or ±Infinity is a RangeError; not a number a TypeError', () => {
    for (const f of epsilonTakers) {
      for (const bad of [NaN, -0.1, -Number.MIN_VALUE, 1.0000001, 1.5, Infinity, -Infinity]) {
        expect(() => f.call(bad), `${f.name} ${bad}`).toThrow(`${f.name}: ${f.what} must be a number in [0, 1], received ${bad}`);
      }
      expect(() => f.call('0.1'), f.name).toThrow(`${f.name}: ${f.what} must be a number in [0, 1], received "0.1"`);
      expect(() => f.call('0.1'), f.name).toThrow(TypeError);
    }
  });

  it('V22 ε at the bounds 0 and 1 is accepted with the defined targets', () => {
    expect(Array.from(smoothTargets([1], 4, { labelSmoothing: 0 }))).toEqual([0, 1, 0, 0]);
    expect(Array.from(smoothTargets([1], 4, { labelSmoothing: -0 }))).toEqual([0, 1, 0, 0]);
    expect(Array.from(smoothTargets([1], 4, { labelSmoothing: 1 }))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(smoothTargets([1], 4, { labelSmoothing: 1, convention: 'fairseq' }))).toEqual([1 / 3, 0, 1 / 3, 1 / 3].map(Math.fround));
    expect(Array.from(smoothTargets([1], 4, { labelSmoothing: 1, convention: 'annotated', paddingIdx: 0 }))).toEqual([0, 0, 0.5, 0.5]);
    // ε = 1 with uniform: the loss does not depend on the target.
    expect(crossEntropy(X6(), [0, 0], { numClasses: 3, labelSmoothing: 1 })).toBeCloseTo(crossEntropy(X6(), [2, 1], { numClasses: 3, labelSmoothing: 1 }), 6);
  });

  it('V23 convention and paddingIdx errors', () => {
    expect(() => smoothTargets([0], 3, { convention: 'torch' as never })).toThrow("smoothTargets: options.convention must be one of 'uniform', 'fairseq', 'annotated', received \"torch\"");
    expect(() => smoothTargets([0], 3, { convention: 1 as never })).toThrow(TypeError);
    expect(() => smoothTargets([0], 3, { paddingIdx: 0 })).toThrow("smoothTargets: options.paddingIdx only applies to convention 'annotated'");
    expect(() => crossEntropy(X6(), [0, 1], { numClasses: 3, convention: 'annotated' })).toThrow("crossEntropy: convention 'annotated' needs options.paddingIdx (an integer in [0, 3)), received undefined");
    expect(() => smoothTargets([0], 3, { convention: 'annotated', paddingIdx: 3 })).toThrow('smoothTargets: options.paddingIdx must be an integer in [0, 3), received 3');
    expect(() => smoothTargets([0], 3, { convention: 'annotated', paddingIdx: -1 })).toThrow(RangeError);
    expect(() => new LabelSmoothing({ size: 5, smoothing: 0.5 } as never)).toThrow(TypeError);
  });

  it('V24 K = 1: uniform losses are 0 with a zero gradient; fairseq and annotated refuse it', () => {
    const x = F([3, -2]);
    const ce = crossEntropyWithGrad(x, [0, 0], { numClasses: 1, labelSmoothing: 0.3 });
    expect(ce.loss).toBe(0);
    expect(Array.from(ce.grad as Float32Array)).toEqual([0, 0]);
    const soft = softCrossEntropyWithGrad(x, F([1, 0.5]), { numClasses: 1, labelSmoothing: 0.3 });
    expect(soft.loss).toBe(0);
    expect(Array.from(soft.grad as Float32Array)).toEqual([0, 0]);
    expect(softmaxCrossEntropy(F([1, 1]), x, { numClasses: 1 })).toBe(0);
    expect(Array.from(smoothTargets([0, 0], 1, { labelSmoothing: 0.7 }))).toEqual([1, 1]);
    expect(() => crossEntropy(x, [0, 0], { numClasses: 1, convention: 'fairseq' })).toThrow("crossEntropy: convention 'fairseq' needs options.numClasses >= 2 (it spreads ε over K-1 classes), received 1");
    expect(() => smoothTargets([0], 1, { convention: 'annotated', paddingIdx: 0 })).toThrow("smoothTargets: convention 'annotated' needs numClasses >= 3 (it spreads ε over K-2 classes), received 1");
    // The message names K as the function's caller knows it.
    expect(() => smoothTargets([0], 1, { convention: 'fairseq' })).toThrow("smoothTargets: convention 'fairseq' needs numClasses >= 2");
    expect(() => linearCrossEntropy(F([1]), F([1]), [0], { hiddenSize: 1, convention: 'fairseq' })).toThrow(
      "linearCrossEntropy: convention 'fairseq' needs V (the rows of weight) >= 2 (it spreads ε over K-1 classes), received 1",
    );
    expect(sigmoidCrossEntropy(F([1]), F([0]), { numClasses: 1, reduction: Reduction.SUM })).toBeCloseTo(Math.log(2), 6);
  });

  it('V25 K = 2: uniform (1−ε/2, ε/2), fairseq (1−ε, ε); annotated refuses it', () => {
    expect(Array.from(smoothTargets([0], 2, { labelSmoothing: 0.2 }))).toEqual([0.9, 0.1].map(Math.fround));
    expect(Array.from(smoothTargets([1], 2, { labelSmoothing: 0.2, convention: 'fairseq' }))).toEqual([0.2, 0.8].map(Math.fround));
    const r = crossEntropyWithGrad(F([0, 0]), [0], { numClasses: 2, labelSmoothing: 0.2 });
    expect(r.loss).toBeCloseTo(Math.log(2), 6);
    expect((r.grad as Float32Array)[0]).toBeCloseTo(-0.4, 6);
    expect((r.grad as Float32Array)[1]).toBeCloseTo(0.4, 6);
    expect(() => new LabelSmoothing({ size: 2, paddingIdx: 0, smoothing: 0 })).toThrow(/LabelSmoothing: .*needs .*>= 3.*received 2/);
  });

  // ------------------------------------------------------------------ empty and degenerate batches

  it('V26 empty batch (N = 0): NaN for means, 0 for sums, empty arrays, as the frameworks', () => {
    const e = new Float32Array(0);
    expect(crossEntropy(e, [], { numClasses: 3 })).toBeNaN();
    expect(crossEntropy(e, [], { numClasses: 3, reduction: 'sum' })).toBe(0);
    expect(crossEntropy(e, [], { numClasses: 3, reduction: 'none' })).toEqual(new Float32Array(0));
    expect(crossEntropyWithGrad(e, [], { numClasses: 3 }).grad).toEqual(new Float32Array(0));
    expect(softCrossEntropy(e, e, { numClasses: 3 })).toBeNaN();
    expect(softCrossEntropy(e, e, { numClasses: 3, reduction: 'sum' })).toBe(0);
    expect(klDiv(e, e, { numClasses: 3 })).toBeNaN();
    expect(klDiv(e, e, { numClasses: 3, reduction: 'batchmean' })).toBeNaN();
    expect(klDiv(e, e, { numClasses: 3, reduction: 'sum' })).toBe(0);
    // tfjs: MEAN 0, SUM 0, SUM_BY_NONZERO_WEIGHTS NaN (docs/semantics.md §10).
    expect(softmaxCrossEntropy(e, e, { numClasses: 3, reduction: Reduction.MEAN })).toBe(0);
    expect(softmaxCrossEntropy(e, e, { numClasses: 3, reduction: Reduction.SUM })).toBe(0);
    expect(softmaxCrossEntropy(e, e, { numClasses: 3 })).toBeNaN();
    expect(sigmoidCrossEntropy(e, e, { numClasses: 3, reduction: Reduction.NONE })).toEqual(new Float32Array(0));
    expect(smoothTargets([], 3)).toEqual(new Float32Array(0));
    expect(new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 0.1 }).forward(e, [])).toBe(0);
  });

  it('V27 every row ignored: mean NaN with a zero gradient, sum 0', () => {
    const r = crossEntropyWithGrad(X6(), [-100, -100], { numClasses: 3, labelSmoothing: 0.1 });
    expect(r.loss).toBeNaN();
    expect(Array.from(r.grad as Float32Array)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(crossEntropy(X6(), [-100, -100], { numClasses: 3, reduction: 'sum' })).toBe(0);
    expect(new LabelSmoothing({ size: 3, paddingIdx: 0, smoothing: 0.1 }).forward(X6(), [0, 0])).toBe(0);
  });

  it('V28 every target class of weight 0: mean NaN; all sample weights 0: tfjs SUM_BY_NONZERO_WEIGHTS NaN', () => {
    expect(crossEntropy(X6(), [0, 0], { numClasses: 3, labelSmoothing: 0.1, weight: F([0, 1, 1]) })).toBeNaN();
    expect(softmaxCrossEntropy(X6(), X6(), { numClasses: 3, weights: F([0, 0]) })).toBeNaN();
  });

  // ------------------------------------------------------------------ non-finite and huge values

  it('V29 NaN in a row of logits: that row NaN (loss and gradient), the other rows exact', () => {
    const r = crossEntropyWithGrad(F([NaN, 2, 3, 0.5, -1, 2]), [0, 1], { numClasses: 3, reduction: 'none' });
    const clean = crossEntropyWithGrad(F([0.5, -1, 2]), [1], { numClasses: 3, reduction: 'none' });
    expect((r.loss as Float32Array)[0]).toBeNaN();
    expect((r.loss as Float32Array)[1]).toBe((clean.loss as Float32Array)[0]);
    expect(Array.from((r.grad as Float32Array).subarray(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Array.from((r.grad as Float32Array).subarray(3))).toEqual(Array.from(clean.grad as Float32Array));
    expect(crossEntropy(F([NaN, 2, 3, 0.5, -1, 2]), [0, 1], { numClasses: 3 })).toBeNaN();
    expect(softCrossEntropy(F([NaN, 2, 3]), F([1, 0, 0]), { numClasses: 3 })).toBeNaN();
    expect(klDiv(F([NaN, -1, -1]), F([0.2, 0.3, 0.5]), { numClasses: 3 })).toBeNaN();
  });

  it('V30 +Infinity in a row of logits: that row NaN', () => {
    expect((crossEntropy(F([Infinity, 2, 3, 0.5, -1, 2]), [1, 1], { numClasses: 3, reduction: 'none' }) as Float32Array)[0]).toBeNaN();
    expect(softmaxCrossEntropy(F([1, 0, 0]), F([Infinity, 2, 3]), { numClasses: 3 })).toBeNaN();
  });

  it('V31 −Infinity in a non-target logit: ε = 0 finite; ε > 0 loss +Infinity with a finite gradient', () => {
    const x = F([1, -Infinity, 3]);
    const r0 = crossEntropyWithGrad(x, [0], { numClasses: 3 });
    expect(r0.loss).toBeCloseTo(2.126928, 5);
    const r1 = crossEntropyWithGrad(x, [0], { numClasses: 3, labelSmoothing: 0.1 });
    expect(r1.loss).toBe(Infinity);
    expect(Array.from(r1.grad as Float32Array).every(Number.isFinite)).toBe(true);
    // Soft targets (literal product): t = 0 there gives NaN at ε = 0, +Infinity at ε > 0.
    expect(softCrossEntropy(x, F([1, 0, 0]), { numClasses: 3 })).toBeNaN();
    expect(softCrossEntropy(x, F([1, 0, 0]), { numClasses: 3, labelSmoothing: 0.1 })).toBe(Infinity);
    // −Infinity in the padding column of the annotated convention: finite.
    expect(Number.isFinite(crossEntropy(F([-Infinity, 1, 2]), [1], { numClasses: 3, labelSmoothing: 0.1, convention: 'annotated', paddingIdx: 0 }))).toBe(true);
  });

  it('V32 −Infinity in a row whose target is ignored: the mean stays finite', () => {
    expect(crossEntropy(F([1, -Infinity, 3, 1, 2, 3]), [-100, 0], { numClasses: 3, labelSmoothing: 0.1 })).toBeCloseTo(crossEntropy(F([1, 2, 3]), [0], { numClasses: 3, labelSmoothing: 0.1 }), 12);
  });

  it('V33 huge logits (±3e38): x − max overflows, ε > 0 gives +Infinity, ε = 0 stays finite (as PyTorch)', () => {
    expect((crossEntropy(F([-3e38, 3e38, 0]), [1], { numClasses: 3, labelSmoothing: 0.1, reduction: 'none' }) as Float32Array)[0]).toBe(Infinity);
    expect((crossEntropy(F([-3e38, 3e38, 0]), [1], { numClasses: 3, reduction: 'none' }) as Float32Array)[0]).toBe(0);
    // |x| = 1e4 is exact enough (max subtracted first).
    expect(crossEntropy(F([1e4, 1e4 - 1, 1e4 - 2]), [0], { numClasses: 3 })).toBeCloseTo(crossEntropy(F([0, -1, -2]), [0], { numClasses: 3 }), 6);
  });

  it('V34 NaN / Infinity in class weights propagate (NaN, or +Infinity where the weight multiplies a positive loss)', () => {
    // At ε = 0 only the target's weight is read (PyTorch's NLL path): elsewhere NaN does not matter.
    expect(crossEntropy(F([1, 2, 3]), [0], { numClasses: 3, weight: F([1, NaN, 1]) })).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1, 5);
    expect(crossEntropy(F([1, 2, 3]), [0], { numClasses: 3, weight: F([1, NaN, 1]), labelSmoothing: 0.1 })).toBeNaN();
    expect(crossEntropy(F([1, 2, 3]), [0], { numClasses: 3, weight: F([1, Infinity, 1]), labelSmoothing: 0.1 })).toBe(Infinity);
    expect(crossEntropy(F([1, 2, 3]), [0], { numClasses: 3, weight: F([NaN, 1, 1]), reduction: 'sum' })).toBeNaN();
  });

  it('V35 NaN / ±Infinity / huge in soft targets and labels: NaN or ±Infinity by the literal formula', () => {
    expect(softCrossEntropy(F([1, 2, 3]), F([NaN, 0, 0]), { numClasses: 3 })).toBeNaN();
    expect(softCrossEntropy(F([1, 2, 3]), F([Infinity, 0, 0]), { numClasses: 3 })).toBe(Infinity);
    expect(softCrossEntropy(F([1, 2, 3]), F([-Infinity, 0, 0]), { numClasses: 3 })).toBe(-Infinity);
    expect(softmaxCrossEntropy(F([NaN, 0, 0]), F([1, 2, 3]), { numClasses: 3 })).toBeNaN();
    expect(sigmoidCrossEntropy(F([NaN]), F([1]), { numClasses: 1, reduction: Reduction.NONE })).toEqual(F([NaN]));
    // A huge finite target overflows float32 in q·log p: +Infinity, not NaN.
    expect(softCrossEntropy(F([1, 2, 3]), F([3e38, 0, 0]), { numClasses: 3 })).toBe(Infinity);
  });

  it('V36 KL: target 0 contributes exactly 0 even against −Infinity; target > 0 against −Infinity +Infinity; negative target NaN', () => {
    const terms = klDiv(F([-Infinity, -1, -Infinity, 0]), F([0, 0.5, 0.5, -0.1]), { numClasses: 4, reduction: 'none' });
    expect(terms[0]).toBe(0);
    expect(terms[1]).toBeCloseTo(0.5 * (Math.log(0.5) + 1), 6);
    expect(terms[2]).toBe(Infinity);
    expect(terms[3]).toBeNaN();
    expect(klDiv(F([0, 0]), F([NaN, 0]), { numClasses: 2 })).toBeNaN();
    // logTarget: t = +Infinity gives +Infinity; t = −Infinity (probability 0) contributes exactly
    // 0, the same rule as above (torch 1.13 gives NaN: exp(t)·(t − x) = 0·(−∞)).
    expect(klDiv(F([-1, -1]), F([-Infinity, Infinity]), { numClasses: 2, logTarget: true, reduction: 'none' })).toEqual(F([0, Infinity]));
  });

  it('V37 sigmoid: x = +Infinity NaN (tfjs), x = −Infinity +Infinity for q > 0, gradient σ(x) − q', () => {
    const r = sigmoidCrossEntropyWithGrad(F([1, 1, 1, 0]), F([Infinity, -Infinity, NaN, 0]), { numClasses: 4, reduction: Reduction.NONE, labelSmoothing: 0.1 });
    const l = r.loss as Float32Array;
    expect(l[0]).toBeNaN();
    expect(l[1]).toBe(Infinity);
    expect(l[2]).toBeNaN();
    expect(l[3]).toBeCloseTo(Math.log(2), 6);
    expect(Array.from(r.grad as Float32Array).map((v) => (Number.isNaN(v) ? 'NaN' : v.toFixed(4)))).toEqual(['0.0500', '-0.9500', 'NaN', '0.4500']);
  });

  it('V38 tfjs sample weights: wrong type TypeError, wrong length RangeError, NaN weight NaN loss', () => {
    expect(() => softmaxCrossEntropy(X6(), X6(), { numClasses: 3, weights: new Float64Array(2) as never })).toThrow('softmaxCrossEntropy: options.weights must be a number, a Float32Array or a WasmArray, received Float64Array(2)');
    expect(() => softmaxCrossEntropy(X6(), X6(), { numClasses: 3, weights: F([1, 1, 1]) })).toThrow('softmaxCrossEntropy: options.weights must have N (2) values, received 3 values');
    expect(() => sigmoidCrossEntropy(X6(), X6(), { numClasses: 3, weights: F([1, 1, 1, 1]) })).toThrow('sigmoidCrossEntropy: options.weights must have N (2), numClasses (3) or N×numClasses (6) values, received 4 values');
    expect(softmaxCrossEntropy(X6(), X6(), { numClasses: 3, weights: NaN })).toBeNaN();
    expect(softmaxCrossEntropy(X6(), X6(), { numClasses: 3, weights: F([NaN, 1]) })).toBeNaN();
  });

  it('V39 reductions: an unknown name is a RangeError, a wrong type a TypeError', () => {
    expect(() => crossEntropy(X6(), [0, 1], { numClasses: 3, reduction: 'avg' as never })).toThrow("crossEntropy: options.reduction must be one of 'none', 'mean', 'sum', received \"avg\"");
    expect(() => crossEntropy(X6(), [0, 1], { numClasses: 3, reduction: 1 as never })).toThrow(TypeError);
    expect(() => klDiv(X6(), X6(), { numClasses: 3, reduction: 'avg' as never })).toThrow("klDiv: options.reduction must be one of 'none', 'sum', 'mean', 'batchmean', received \"avg\"");
    expect(() => softmaxCrossEntropy(X6(), X6(), { numClasses: 3, reduction: 4 as never })).toThrow('softmaxCrossEntropy: options.reduction must be one of Reduction.NONE, MEAN, SUM, SUM_BY_NONZERO_WEIGHTS (0 to 3), received 4');
    expect(() => softmaxCrossEntropy(X6(), X6(), { numClasses: 3, reduction: 'mean' as never })).toThrow(TypeError);
    expect(() => klDiv(X6(), X6(), { numClasses: 3, logTarget: 'yes' as never })).toThrow('klDiv: options.logTarget must be true or false, received "yes"');
  });

  it('V40 zLoss: negative, NaN or Infinity is a RangeError, not a number a TypeError', () => {
    for (const bad of [-1, NaN, Infinity]) expect(() => crossEntropy(X6(), [0, 1], { numClasses: 3, zLoss: bad })).toThrow(`crossEntropy: options.zLoss must be a finite number >= 0, received ${bad}`);
    expect(() => crossEntropy(X6(), [0, 1], { numClasses: 3, zLoss: '0.1' as never })).toThrow(TypeError);
  });

  // ------------------------------------------------------------------ the linear head

  const H6 = () => F([1, 2, 3, 0.5, -1, 2]); // N = 2, D = 3
  const W9 = () => F([0.1, 0.2, 0.3, -0.1, 0, 0.5, 1, -1, 0.25]); // V = 3, D = 3
  const linear = (o: Record<string, unknown>, hidden: unknown = H6(), weight: unknown = W9()) =>
    () => linearCrossEntropyWithGrad(hidden as Float32Array, weight as Float32Array, [0, 2], { hiddenSize: 3, ...o } as never);

  it('L01 hiddenSize missing or not a positive integer; weight not V×hiddenSize values', () => {
    expect(linear({ hiddenSize: undefined })).toThrow(new TypeError('linearCrossEntropyWithGrad: options.hiddenSize must be a positive integer, received undefined'));
    expect(linear({ hiddenSize: 1.5 })).toThrow(new RangeError('linearCrossEntropyWithGrad: options.hiddenSize must be a positive integer, received 1.5'));
    expect(linear({ hiddenSize: 2 })).toThrow(new RangeError('linearCrossEntropyWithGrad: weight must hold V×hiddenSize values (a positive multiple of 2), received 9 values'));
    expect(linear({}, H6(), F([]))).toThrow(new RangeError('linearCrossEntropyWithGrad: weight must hold V×hiddenSize values (a positive multiple of 3), received 0 values'));
    expect(linear({}, H6(), [1, 2, 3])).toThrow(new TypeError('linearCrossEntropyWithGrad: weight must be a Float32Array or a WasmArray, received an array of length 3'));
  });

  it('L02 hidden that is not N×hiddenSize values (N = the number of targets)', () => {
    expect(linear({}, F([1, 2, 3]))).toThrow(new RangeError('linearCrossEntropyWithGrad: hidden must have N×hiddenSize values (2×3: one row per target), received 3 values'));
    expect(linear({}, 'x')).toThrow(new TypeError('linearCrossEntropyWithGrad: hidden must be a Float32Array or a WasmArray, received "x"'));
  });

  it('L03 bias, tokenWeights, gradients out: wrong length or type; an input as an output; accumulate without its destinations', () => {
    expect(linear({ bias: F([1]) })).toThrow(new RangeError('linearCrossEntropyWithGrad: options.bias must have V (3) values, received 1 values'));
    expect(linear({ tokenWeights: F([1]) })).toThrow(new RangeError('linearCrossEntropyWithGrad: options.tokenWeights must have one value per target (2), received 1 values'));
    expect(linear({ gradHiddenOut: F([1]) })).toThrow(new RangeError('linearCrossEntropyWithGrad: options.gradHiddenOut must have N×hiddenSize values (2×3), received 1 values'));
    expect(linear({ gradBiasOut: [0, 0, 0] })).toThrow(new TypeError('linearCrossEntropyWithGrad: options.gradBiasOut must be a Float32Array or a WasmArray, received an array of length 3'));
    const w = W9();
    expect(linear({ gradWeightOut: w }, H6(), w)).toThrow(
      new TypeError('linearCrossEntropyWithGrad: options.gradWeightOut must not be one of the inputs (the kernel reads them while it writes the gradients), received an input array'),
    );
    expect(linear({ accumulate: true, gradHiddenOut: new Float32Array(6) })).toThrow(
      new TypeError('linearCrossEntropyWithGrad: options.accumulate adds into options.gradWeightOut, received undefined (give options.gradWeightOut, or leave accumulate out)'),
    );
    expect(linear({ accumulate: 1 })).toThrow(new TypeError('linearCrossEntropyWithGrad: options.accumulate must be true or false, received 1'));
  });

  it('L04 softcap, memoryBudget, chunkRows out of range or of the wrong type', () => {
    for (const bad of [-1, NaN, Infinity]) expect(linear({ softcap: bad })).toThrow(`linearCrossEntropyWithGrad: options.softcap must be a finite number >= 0, received ${bad}`);
    expect(linear({ softcap: '1' })).toThrow(TypeError);
    expect(linear({ memoryBudget: 0 })).toThrow(new RangeError('linearCrossEntropyWithGrad: options.memoryBudget must be a positive integer, received 0'));
    expect(linear({ chunkRows: 2.5 })).toThrow(new RangeError('linearCrossEntropyWithGrad: options.chunkRows must be a positive integer, received 2.5'));
    // A budget smaller than one row still runs, one row at a time.
    expect(linear({ memoryBudget: 1 })().loss).toBe(linear({})().loss);
  });

  it('L05 N = 0 and every row ignored: as crossEntropy (mean NaN with all-zero gradients, sum 0, none empty)', () => {
    const none = linearCrossEntropyWithGrad(F([]), W9(), [], { hiddenSize: 3 });
    expect(none.loss).toBeNaN();
    expect(none.gradHidden).toEqual(F([]));
    expect(Array.from(none.gradWeight as Float32Array)).toEqual(new Array(9).fill(0));
    expect(linearCrossEntropy(F([]), W9(), [], { hiddenSize: 3, reduction: 'sum' })).toBe(0);
    expect(linearCrossEntropy(F([]), W9(), [], { hiddenSize: 3, reduction: 'none' })).toEqual(F([]));
    const ignored = linearCrossEntropyWithGrad(H6(), W9(), [-100, -100], { hiddenSize: 3 });
    expect(ignored.loss).toBeNaN();
    expect(Array.from(ignored.gradHidden as Float32Array)).toEqual(new Array(6).fill(0));
    expect(Array.from(ignored.gradWeight as Float32Array)).toEqual(new Array(9).fill(0));
  });

  // ------------------------------------------------------------------ memory limits

  it('V41 N·K beyond wasm memory is a RangeError before anything is allocated', () => {
    const before = wasmMemoryBytes();
    expect(() => smoothTargets(new Int32Array(100_000), 2 ** 31 - 1)).toThrow(/smoothed targets would need 858993458800000 bytes of WebAssembly memory, more than one block can hold \(2\.00 GiB\)/);
    expect(() => smoothTargets(new Int32Array(70_000), 10_000)).toThrow(RangeError); // 2.8 GB
    expect(() => allocFloat32(2 ** 31)).toThrow(/allocFloat32 would need 8589934592 bytes/);
    expect(wasmMemoryBytes()).toBe(before);
    expect(() => allocFloat32(-1)).toThrow('allocFloat32: length must be a non-negative integer, received -1');
    expect(() => allocFloat32(1.5)).toThrow(RangeError);
    expect(() => allocFloat32('3' as never)).toThrow(TypeError);
  });

  // ------------------------------------------------------------------ the class and the runtime

  it('V42 LabelSmoothing: constructor checks, forward checks, backward before forward', () => {
    expect(() => new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 1.5 })).toThrow('LabelSmoothing: options.smoothing must be a number in [0, 1], received 1.5');
    expect(() => new LabelSmoothing({ size: 5, paddingIdx: 5, smoothing: 0.1 })).toThrow('LabelSmoothing: options.paddingIdx must be an integer in [0, 5), received 5');
    expect(() => new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 0.1, fromLogits: 'y' as never })).toThrow('LabelSmoothing: options.fromLogits must be true or false, received "y"');
    const crit = new LabelSmoothing({ size: 3, paddingIdx: 0, smoothing: 0.1 });
    expect(() => crit.backward()).toThrow('LabelSmoothing.backward: call forward(x, target) first');
    expect(() => crit.forward(X6(), [1, 3])).toThrow('LabelSmoothing.forward: target[1] must be a class index in [0, 3), received 3');
    // A refused forward leaves the previous state alone.
    expect(crit.trueDist).toBeNull();
  });

  it('V43 init / initSync: bad backend, bad module, bad options', async () => {
    const active = backend();
    const good = crossEntropy(X6(), [0, 1], { numClasses: 3 });
    expect(() => initSync({ backend: 'gpu' as never })).toThrow("initSync: options.backend must be one of 'auto', 'relaxed-simd', 'simd128', 'scalar', received \"gpu\"");
    expect(() => initSync({ backend: 3 as never })).toThrow(TypeError);
    expect(() => initSync(5 as never)).toThrow('initSync: options must be an object, received 5');
    expect(() => initSync({ module: 5 as never })).toThrow('initSync: options.module must be a WebAssembly.Module or the bytes of a .wasm (an ArrayBuffer or a typed array), received 5');
    await expect(init({ module: true as never })).rejects.toThrow(/^init: options.module must be a WebAssembly.Module, the bytes of a .wasm, a URL, a URL string, a Response or a promise of one of these, received true/);
    await expect(init({ backend: 'gpu' as never })).rejects.toThrow(RangeError);
    expect(backend()).toBe(active);
    expect(crossEntropy(X6(), [0, 1], { numClasses: 3 })).toBe(good);
  });
  // ------------------------------------------------------------------ issue 10: one rule per kind of input

  it('V44 LabelSmoothing.forward has no ignore index: −100 (any target outside [0, size)) is a RangeError; padding rows stay zero', () => {
    for (const fromLogits of [false, true]) {
      const crit = new LabelSmoothing({ size: 5, paddingIdx: 0, smoothing: 0.4, fromLogits });
      const x = new Float32Array(15).fill(-1.6);
      for (const bad of [-100, -1, 5]) {
        expect(() => crit.forward(x, [2, 1, bad]), `${bad}`).toThrow(RangeError);
        expect(() => crit.forward(x, [2, 1, bad]), `${bad}`).toThrow(`LabelSmoothing.forward: target[2] must be a class index in [0, 5), received ${bad}`);
        expect(crit.trueDist, 'a refused forward leaves trueDist alone').toBeNull();
      }
      // A padding row (target = paddingIdx) is still zero: no loss, no gradient, zero targets.
      const withPadding = crit.forward(x, [2, 1, 0]);
      const grad = crit.backward();
      expect(Array.from(crit.trueDist!.subarray(10))).toEqual([0, 0, 0, 0, 0]);
      expect(Array.from(grad.subarray(10))).toEqual([0, 0, 0, 0, 0]);
      expect(withPadding).toBe(crit.forward(x.subarray(0, 10), [2, 1]));
    }
  });

  // One test per function: the whole table in one test took over a second on a loaded 2-core machine.
  describe('V45 null for any option of any function is a TypeError naming the option; undefined (or absent) is the default', () => {
    /** What a call threw or rejected with (undefined when it succeeded). */
    const thrown = async (body: () => unknown): Promise<unknown> => {
      try {
        await body();
        return undefined;
      } catch (e) {
        return e;
      }
    };
    // Results compared as bytes: vitest's deep equality is slow on a PNG's thousands of bytes.
    const canonical = (v: unknown): unknown =>
      ArrayBuffer.isView(v)
        ? `${v.constructor.name}:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([key, x]) => [key, canonical(x)]))
          : v;
    it.each(OPTION_TABLE.map((row, i) => [`${row.name} (row ${i + 1} of test/hostile/option-table.ts)`, row] as const))('%s', async (_, row) => {
      // The table is complete: a valid call reads no option the table does not list.
      const { proxy, read } = recordingReads(row.base());
      const baseline = await row.call(proxy);
      expect([...read].filter((o) => !row.options.includes(o)), `${row.name}: options read but missing from test/hostile/option-table.ts`).toEqual([]);
      expect(row.options.length).toBeGreaterThan(0);
      for (const option of row.options) {
        const e = await thrown(() => row.call({ ...row.base(), [option]: null }));
        expect(e, `${row.name}: options.${option} = null`).toBeInstanceOf(TypeError);
        expect((e as Error).message, `${row.name}: options.${option} = null`).toMatch(new RegExp(`^${row.name}: options\\.${option} .*received null`));
        if (!(option in row.base())) {
          // undefined is the same as leaving the option out.
          expect(canonical(await row.call({ ...row.base(), [option]: undefined })), `${row.name}: options.${option} = undefined`).toEqual(canonical(baseline));
        }
      }
    });
  });

  it('V46 tfjs weights: what they are per is never chosen by a length coincidence (options.weightsPer)', () => {
    const X9 = () => F([10, -10, -10, -10, 10, -10, -10, -10, 10]); // N = K = 3
    const sig = (o: Record<string, unknown>) => sigmoidCrossEntropy(X9(), X9(), { numClasses: 3, ...o });
    // N = K: a length of 3 is per row or per class; 9 (N·K) is per element only.
    expect(() => sig({ weights: F([0.1, 0.2, 0.3]) })).toThrow(TypeError);
    expect(() => sig({ weights: F([0.1, 0.2, 0.3]) })).toThrow(
      "sigmoidCrossEntropy: options.weightsPer must say what the 3 weights are per: 'row' (N = 3) or 'class' (numClasses = 3), received undefined",
    );
    expect(() => sig({ weights: F([1, 1, 1, 1, 1, 1, 1, 1, 1]) })).not.toThrow();
    // K = 1: N weights are per row or per element; N = 1: K weights per class or per element.
    expect(() => sigmoidCrossEntropy(F([1, 0]), F([1, 2]), { numClasses: 1, weights: F([1, 2]) })).toThrow(/options.weightsPer must say what the 2 weights are per: 'row' \(N = 2\) or 'element' \(N×numClasses = 2\)/);
    expect(() => sigmoidCrossEntropy(F([1, 0, 1]), F([1, 2, 3]), { numClasses: 3, weights: F([1, 2, 3]) })).toThrow(/'class' \(numClasses = 3\) or 'element' \(N×numClasses = 3\)/);
    // No reading fits: the expected lengths; a reading that does not fit: its length.
    expect(() => sigmoidCrossEntropy(X6(), X6(), { numClasses: 3, weights: F([1, 1, 1, 1]) })).toThrow(
      'sigmoidCrossEntropy: options.weights must have N (2), numClasses (3) or N×numClasses (6) values, received 4 values',
    );
    expect(() => sigmoidCrossEntropy(X6(), X6(), { numClasses: 3, weights: F([1, 1]), weightsPer: 'class' })).toThrow(
      "sigmoidCrossEntropy: options.weights must have numClasses (3) values for weightsPer 'class', received 2 values",
    );
    // weightsPer: the wrong kind, an unknown name, a reading softmax does not have, no array.
    expect(() => sig({ weights: F([1, 1, 1]), weightsPer: 1 })).toThrow("sigmoidCrossEntropy: options.weightsPer must be one of 'row', 'class', 'element', received 1");
    expect(() => sig({ weights: F([1, 1, 1]), weightsPer: 1 })).toThrow(TypeError);
    expect(() => sig({ weights: F([1, 1, 1]), weightsPer: 'column' })).toThrow(RangeError);
    for (const per of ['class', 'element']) {
      expect(() => softmaxCrossEntropy(X6(), X6(), { numClasses: 3, weights: F([1, 1, 1]), weightsPer: per as never })).toThrow(RangeError);
      expect(() => softmaxCrossEntropy(X6(), X6(), { numClasses: 3, weights: F([1, 1, 1]), weightsPer: per as never })).toThrow(
        `softmaxCrossEntropy: options.weightsPer must be 'row' (tfjs's softmax loss is one value per row, so its weights are per row; for class weights use softCrossEntropy's options.weight), received "${per}"`,
      );
    }
    expect(() => sig({ weights: 2, weightsPer: 'row' })).toThrow("sigmoidCrossEntropy: options.weightsPer only applies to a Float32Array or WasmArray of weights, received \"row\" with options.weights 2");
    expect(() => sig({ weightsPer: 'row' })).toThrow(TypeError);
    // Softmax has one reading: N weights need no weightsPer, even when N = K.
    expect(softmaxCrossEntropy(X9(), X9(), { numClasses: 3, weights: F([1, 0, 2]) })).toBe(softmaxCrossEntropy(X9(), X9(), { numClasses: 3, weights: F([1, 0, 2]), weightsPer: 'row' }));
  });

  it('V47 tfjs weights get the same array checks as every other float argument', () => {
    const call = (weights: unknown) => sigmoidCrossEntropyWithGrad(X6(), X6(), { numClasses: 3, weights: weights as Float32Array, weightsPer: 'class', reduction: Reduction.MEAN });
    const want = call(F([0.5, 1, 2]));
    for (const f of [softmaxCrossEntropy, sigmoidCrossEntropy] as const) {
      expect(() => f(X6(), X6(), { numClasses: 3, weights: detachedFloat32(2) }), f.name).toThrow(TypeError);
      expect(() => f(X6(), X6(), { numClasses: 3, weights: detachedFloat32(2) }), f.name).toThrow(
        /^(softmax|sigmoid)CrossEntropy: options.weights must be a Float32Array with a live buffer, received a Float32Array whose buffer is detached/,
      );
      // An empty batch with detached weights is refused too, not read as no weights.
      expect(() => f(F([]), F([]), { numClasses: 3, weights: detachedFloat32(0), weightsPer: 'row' }), f.name).toThrow(/options.weights must be a Float32Array with a live buffer/);
    }
    // Another realm's Float32Array, a SharedArrayBuffer, a WasmArray: accepted, the same result.
    const foreign = vm.runInNewContext('new Float32Array([0.5, 1, 2])') as Float32Array;
    expect(foreign instanceof Float32Array).toBe(false);
    expect(call(foreign)).toEqual(want);
    expect(call(sharedFloat32([0.5, 1, 2]))).toEqual(want);
    const w = allocFloat32(3);
    w.view.set([0.5, 1, 2]);
    expect(call(w)).toEqual(want);
    expect(call(w.view)).toEqual(want);
    w.free();
    expect(() => call(w)).toThrow('sigmoidCrossEntropyWithGrad: options.weights is a WasmArray that was freed');
    const other = backend() === 'simd128' ? 'scalar' : 'simd128';
    const v = allocFloat32(3);
    withBackend(other, () => expect(() => call(v)).toThrow('sigmoidCrossEntropyWithGrad: options.weights is a WasmArray of another wasm build'));
    v.free();
  });
});
