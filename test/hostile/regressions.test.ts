// Bugs the hostile-input suites found (B1–B3), fixed in the kernels: each case stays as a test.
import { describe, expect, it } from 'vitest';
import { crossEntropy, klDiv } from 'labelsmooth';

describe('regressions', () => {
  it("B1 'fairseq'/'annotated' at ε = 1 with a −Infinity target logit: the finite loss (q = 0 at the target), not NaN", () => {
    // q = (0, 1/2, 1/2): the loss is −½(ℓ1 + ℓ3), finite; folding the target into Σ w·d gave −∞ + ∞.
    const loss = crossEntropy(new Float32Array([-Infinity, 1, 3]), [0], { numClasses: 3, labelSmoothing: 1, convention: 'fairseq', reduction: 'sum' });
    expect(loss).toBeCloseTo(0.5 * (Math.log(Math.exp(1) + Math.exp(3)) - 1) + 0.5 * (Math.log(Math.exp(1) + Math.exp(3)) - 3), 5);
  });

  it('B2 an Infinity class weight off the target at ε = 0: the finite NLL, as PyTorch (it reads only the target column)', () => {
    expect(crossEntropy(new Float32Array([1, 2, 3]), [0], { numClasses: 3, weight: new Float32Array([1, Infinity, 1]) })).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1, 5);
  });

  it('B3 klDiv with logTarget: a target of −Infinity (probability 0) contributes exactly 0, not NaN', () => {
    expect(klDiv(new Float32Array([-1, -2]), new Float32Array([-Infinity, 0]), { numClasses: 2, logTarget: true, reduction: 'none' })[0]).toBe(0);
  });
});
