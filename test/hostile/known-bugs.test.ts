// Bugs found by the hostile-input suites in code outside test/hostile's owner's files, pinned
// with `it.fails`: each passes while the bug is there and FAILS once it is fixed — then turn it
// into a plain `it` (and drop the matching exclusion in properties.test.ts / crates/fuzz).
import { describe, expect, it } from 'vitest';
import { crossEntropy, klDiv } from 'labelsmooth';

describe('known bugs (reported; it.fails until fixed)', () => {
  it.fails("B1 'fairseq'/'annotated' at ε = 1 with a −Infinity target logit: NaN instead of the finite loss (q = 0 at the target)", () => {
    // q = (0, 1/2, 1/2): the loss is −½(ℓ1 + ℓ3), finite; the kernel's fold gives −∞ + ∞ = NaN.
    const loss = crossEntropy(new Float32Array([-Infinity, 1, 3]), [0], { numClasses: 3, labelSmoothing: 1, convention: 'fairseq', reduction: 'sum' });
    expect(loss).toBeCloseTo(0.5 * (Math.log(Math.exp(1) + Math.exp(3)) - 1) + 0.5 * (Math.log(Math.exp(1) + Math.exp(3)) - 3), 5);
  });

  it.fails('B2 an Infinity class weight at ε = 0: NaN instead of the finite NLL (PyTorch reads only the target column)', () => {
    expect(crossEntropy(new Float32Array([1, 2, 3]), [0], { numClasses: 3, weight: new Float32Array([1, Infinity, 1]) })).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1, 5);
  });

  it.fails('B3 klDiv with logTarget: a target of −Infinity (probability 0) gives NaN, not the documented exact 0', () => {
    expect(klDiv(new Float32Array([-1, -2]), new Float32Array([-Infinity, 0]), { numClasses: 2, logTarget: true, reduction: 'none' })[0]).toBe(0);
  });
});
