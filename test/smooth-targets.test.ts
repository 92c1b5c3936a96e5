import { describe, expect, it } from 'vitest';
import { smoothTargets, type SmoothTargetsOptions } from 'labelsmooth';
import { expectClose, flat, loadVectors, type VectorCase } from './helpers/vectors';

describe('smoothTargets: the seed example', () => {
  it('matches the Annotated Transformer true_dist (size 5, padding 0, smoothing 0.5, targets [2,1,0])', () => {
    const seed = loadVectors('annotated_transformer').cases.find((c) => c.id === 'seed_blog_example_2018')!;
    const got = smoothTargets([2, 1, 0], 5, { labelSmoothing: 0.5, convention: 'annotated', paddingIdx: 0 });
    expectClose(got, seed.outputs!.true_dist);
    // The same numbers written out, so that the expectation is readable here.
    const sixth = Math.fround(0.5 / 3);
    expect(Array.from(got)).toEqual([0, sixth, 0.5, sixth, sixth, 0, 0.5, sixth, sixth, sixth, 0, 0, 0, 0, 0]);
  });
});

describe('smoothTargets: conventions', () => {
  it('uniform gives 1-ε+ε/K at the target and ε/K elsewhere', () => {
    const got = smoothTargets(new Int32Array([1, 3]), 4, { labelSmoothing: 0.2 });
    expect(Array.from(got)).toEqual([0.05, 0.85, 0.05, 0.05, 0.05, 0.05, 0.05, 0.85].map(Math.fround));
  });
  it('fairseq gives 1-ε at the target and ε/(K-1) elsewhere, padding rows via ignoreIndex', () => {
    const got = smoothTargets([0, 1, 2], 5, { labelSmoothing: 0.1, convention: 'fairseq', ignoreIndex: 1 });
    const off = Math.fround(0.1 / 4);
    expect(Array.from(got)).toEqual([0.9, off, off, off, off, 0, 0, 0, 0, 0, off, off, 0.9, off, off].map(Math.fround));
  });
  it('annotated zeroes the padding column wherever it is', () => {
    const got = smoothTargets([0, 4], 5, { labelSmoothing: 0.3, convention: 'annotated', paddingIdx: 2 });
    const off = Math.fround(0.1);
    expect(Array.from(got)).toEqual([0.7, off, 0, off, off, off, off, 0, off, 0.7].map(Math.fround));
  });
  it('ε = 0 is one-hot and ε = 1 is uniform (uniform convention)', () => {
    expect(Array.from(smoothTargets([2], 3))).toEqual([0, 0, 1]);
    expect(Array.from(smoothTargets([2], 4, { labelSmoothing: 1 }))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
  it('rows sum to 1, or 0 when skipped, for every K from 1 to 67', () => {
    for (let k = 1; k <= 67; k++) {
      const targets = [k - 1, 0, -100, Math.floor(k / 2)];
      const got = smoothTargets(targets, k, { labelSmoothing: 0.37 });
      for (let row = 0; row < targets.length; row++) {
        const sum = got.subarray(row * k, row * k + k).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(targets[row] === -100 ? 0 : 1, 5);
        if (targets[row] !== -100) expect(got[row * k + targets[row]]).toBeCloseTo(1 - 0.37 + 0.37 / k, 6);
      }
    }
  });
  it('returns an empty matrix for an empty batch', () => {
    expect(smoothTargets([], 5, { labelSmoothing: 0.1 })).toEqual(new Float32Array(0));
  });
  it('returns arrays that do not alias each other or wasm memory', () => {
    const a = smoothTargets([0], 3, { labelSmoothing: 0.3 });
    const b = smoothTargets([1], 3, { labelSmoothing: 0.6 });
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(12);
    expect(Array.from(a)).toEqual([0.8, 0.1, 0.1].map(Math.fround));
  });
});

describe('smoothTargets: invalid input throws a typed error naming the argument', () => {
  const cases: Array<[string, () => unknown, ErrorConstructor, RegExp]> = [
    ['ε above 1', () => smoothTargets([0], 3, { labelSmoothing: 1.5 }), RangeError, /options\.labelSmoothing must be a number in \[0, 1\], received 1\.5/],
    ['ε below 0', () => smoothTargets([0], 3, { labelSmoothing: -0.1 }), RangeError, /received -0\.1/],
    ['ε NaN', () => smoothTargets([0], 3, { labelSmoothing: NaN }), RangeError, /received NaN/],
    ['ε a string', () => smoothTargets([0], 3, { labelSmoothing: '0.1' as never }), TypeError, /received "0\.1"/],
    ['target too large', () => smoothTargets([0, 3], 3), RangeError, /target\[1\] must be a class index in \[0, 3\) or ignoreIndex \(-100\), received 3/],
    ['negative target', () => smoothTargets([-1], 3), RangeError, /target\[0\] .* received -1/],
    ['non-integer target', () => smoothTargets([0.5], 3), TypeError, /target\[0\] must be a 32-bit integer, received 0\.5/],
    ['Float32Array target', () => smoothTargets(new Float32Array([1]) as never, 3), TypeError, /target must be an Int32Array or an array of integers, received Float32Array\(1\)/],
    ['K = 0', () => smoothTargets([0], 0), RangeError, /numClasses must be a positive integer, received 0/],
    ['K fractional', () => smoothTargets([0], 2.5), RangeError, /numClasses must be a positive integer, received 2\.5/],
    ['K missing', () => smoothTargets([0], undefined as never), TypeError, /numClasses must be a positive integer, received undefined/],
    ['annotated K < 3', () => smoothTargets([0], 2, { convention: 'annotated', paddingIdx: 0 }), RangeError, /needs numClasses >= 3.*received 2/],
    ['annotated without paddingIdx', () => smoothTargets([0], 5, { convention: 'annotated' }), TypeError, /needs options\.paddingIdx/],
    ['annotated paddingIdx out of range', () => smoothTargets([0], 5, { convention: 'annotated', paddingIdx: 5 }), RangeError, /options\.paddingIdx must be an integer in \[0, 5\), received 5/],
    ['paddingIdx with uniform', () => smoothTargets([0], 5, { paddingIdx: 0 }), TypeError, /paddingIdx only applies to convention 'annotated'/],
    ['fairseq K = 1', () => smoothTargets([0], 1, { convention: 'fairseq' }), RangeError, /needs numClasses >= 2/],
    ['unknown convention', () => smoothTargets([0], 5, { convention: 'keras' as never }), RangeError, /options\.convention must be one of 'uniform', 'fairseq', 'annotated', received "keras"/],
    ['options not an object', () => smoothTargets([0], 5, 0.1 as never), TypeError, /options must be an object, received 0\.1/],
  ];
  for (const [name, call, type, message] of cases) {
    it(name, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
  it('keeps working after refusing input', () => {
    expect(() => smoothTargets([9], 3)).toThrow(RangeError);
    expect(Array.from(smoothTargets([1], 3, { labelSmoothing: 0.3 }))).toEqual([0.1, 0.8, 0.1].map(Math.fround));
  });
});

// Every smoothed target in the shared vectors that smoothTargets can express. A case is either
// compared, or expected to throw (a deliberate difference: labelsmooth refuses what frameworks
// silently accept), or not expressible (soft labels, tfjs's all-zero rows for out-of-range ids).
interface Derived {
  target: number[];
  numClasses: number;
  options: SmoothTargetsOptions;
  expected: unknown;
}

function fromAnnotated(c: VectorCase): Derived {
  const p = c.params as { size: number; padding_idx: number; smoothing: number };
  return {
    target: c.inputs.target as number[],
    numClasses: p.size,
    options: { convention: 'annotated', paddingIdx: p.padding_idx, labelSmoothing: p.smoothing },
    expected: c.outputs?.true_dist,
  };
}

function fromTorch(c: VectorCase): Derived | undefined {
  const p = c.params as { label_smoothing: number; ignore_index: number };
  const shape = c.inputs.shape as number[];
  if (!Array.isArray(c.inputs.target)) return undefined;
  return {
    target: c.inputs.target as number[],
    numClasses: shape[shape.length - 1],
    options: { labelSmoothing: p.label_smoothing, ignoreIndex: p.ignore_index },
    expected: c.outputs?.smoothed_target,
  };
}

function fromTfjs(c: VectorCase): Derived | undefined {
  const labels = c.inputs.onehot_labels;
  if (!Array.isArray(labels)) return undefined;
  const target: number[] = [];
  for (const row of labels as number[][]) {
    const ones = row.flatMap((v, i) => (v === 1 ? [i] : []));
    if (ones.length !== 1 || row.some((v) => v !== 0 && v !== 1)) return undefined; // not one-hot
    target.push(ones[0]);
  }
  const shape = c.inputs.shape as number[];
  return {
    target,
    numClasses: shape[1],
    options: { labelSmoothing: (c.params as { labelSmoothing: number }).labelSmoothing },
    expected: c.outputs?.smoothed_target,
  };
}

function outsideDomain(d: Derived): boolean {
  const eps = d.options.labelSmoothing ?? 0;
  const k = d.numClasses;
  const badTarget = d.target.some((t) => t !== (d.options.ignoreIndex ?? -100) && (t < 0 || t >= k));
  return eps < 0 || eps > 1 || badTarget || (d.options.convention === 'annotated' && k < 3);
}

describe('smoothTargets: every expressible true_dist / smoothed_target in the shared vectors', () => {
  const sources: Array<[string, (c: VectorCase) => Derived | undefined]> = [
    ['annotated_transformer', fromAnnotated],
    ['torch_cross_entropy', fromTorch],
    ['tfjs_softmax_cross_entropy', fromTfjs],
  ];
  const tally = { compared: 0, refused: 0, notExpressible: 0 };
  for (const [file, derive] of sources) {
    for (const c of loadVectors(file).cases) {
      const derived = derive(c);
      if (!derived || (derived.expected === undefined && !outsideDomain(derived))) {
        if (c.outputs?.true_dist || c.outputs?.smoothed_target) tally.notExpressible++;
        continue;
      }
      if (outsideDomain(derived)) {
        tally.refused++;
        it(`${file}/${c.id}: refused (deliberate difference)`, () => {
          expect(() => smoothTargets(derived.target, derived.numClasses, derived.options)).toThrow(RangeError);
        });
        continue;
      }
      tally.compared++;
      it(`${file}/${c.id}`, () => {
        const got = smoothTargets(derived.target, derived.numClasses, derived.options);
        expect(got.length).toBe(flat(derived.expected as never).length);
        expectClose(got, derived.expected as never, undefined, c.id);
      });
    }
  }
  it('covers the vectors (counts)', () => {
    // 25 annotated true_dist, 69 torch and 39 one-hot tfjs smoothed targets exist; the annotated
    // K=1 and ε outside [0, 1] cases are refused on purpose.
    expect(tally.compared).toBeGreaterThanOrEqual(110);
    expect(tally.refused).toBeGreaterThanOrEqual(3);
  });
});
