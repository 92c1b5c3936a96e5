// Checks the float64 reference (helpers/reference.ts) itself against the framework vectors, so
// that the loss suites can trust it. It does not call labelsmooth's losses. Where the reference
// deliberately differs from a framework (kl_div / AT exact zeros, tfjs's true gradient for labels
// that do not sum to 1, tfjs's float32 artefacts), the case says why and checks what it can.
import { describe, expect, it } from 'vitest';
import {
  annotatedRef,
  centralDifferences,
  crossEntropyRef,
  entropy,
  klDivRef,
  sigmoidCrossEntropyRef,
  smoothTargetsRef,
  softCrossEntropyRef,
  softmaxCrossEntropyRef,
  type TfReduction,
} from './helpers/reference';
import { expectClose, expectWithinVector, flat, loadVectors, SMALL, softmaxLossBounds, U64, type Nested } from './helpers/vectors';

const tfReduction = (r: string): TfReduction =>
  r.startsWith('default') ? 'sum_by_nonzero_weights' : (r.toLowerCase() as TfReduction);
const numbersOrUndefined = (v: unknown) => (v === null || v === undefined ? undefined : flat(v as Nested));
/** A vector input as the float32 values the framework computed with (the JSON holds decimals). */
const float32s = (v: unknown) => flat(v as Nested).map(Math.fround);
const float32sOrUndefined = (v: unknown) => (v === null || v === undefined ? undefined : float32s(v));

/**
 * The torch cases are compared with one reference: outputs_f64, torch's float64 run on the same
 * float32 inputs. Both it and the reference compute in float64 with K-term sums of one sign, so
 * each value is within σ = 2·(K + 8)·2^-53 (two sequential sums) of the other, relative to the
 * size of its terms (softmaxLossBounds in helpers/vectors.ts).
 */
function torchF64Bounds(k: number, q: ArrayLike<number>, weight: number[] | undefined, rowScale: number[]) {
  return softmaxLossBounds({ k, q, weight, rowScale, sigma: 2 * (k + 8) * U64 });
}

/** q and the row scale (1/D for 'mean') of a torch class-index case. */
function classIndexTerms(target: number[], k: number, opts: { labelSmoothing: number; ignoreIndex?: number; weight?: number[] }, reduction: string) {
  const ignore = opts.ignoreIndex ?? -100;
  let d = 0;
  for (const t of target) if (t !== ignore) d += opts.weight ? opts.weight[t] : 1;
  return { q: smoothTargetsRef(target, k, opts), rowScale: target.map(() => (reduction === 'mean' ? 1 / d : 1)) };
}

function expectTorchF64(actual: ArrayLike<number> | number, expected: Nested | undefined, b: ReturnType<typeof softmaxLossBounds>, kind: 'loss' | 'row' | 'grad', label: string) {
  expect(expected, `${label}: outputs_f64`).toBeDefined();
  const tol = kind === 'grad' ? b.grad : kind === 'row' ? b.row : (_: number, v: number) => b.loss(v);
  expectWithinVector(actual, expected!, tol, label);
}

const counts: Record<string, number> = {};
const count = (file: string) => (counts[file] = (counts[file] ?? 0) + 1);

describe('reference vs torch_cross_entropy', () => {
  for (const c of loadVectors('torch_cross_entropy').cases) {
    const p = c.params as { label_smoothing: number; reduction: 'none' | 'mean' | 'sum'; ignore_index: number; weight: number[] | null };
    if (c.error || p.label_smoothing < 0) continue; // refusals: tested against labelsmooth only
    count('torch_cross_entropy');
    it(c.id, () => {
      const shape = c.inputs.shape as number[];
      const k = shape[shape.length - 1];
      const target = Array.isArray(c.inputs.target) ? (c.inputs.target as number[]) : [c.inputs.target as number];
      const opts = { labelSmoothing: p.label_smoothing, ignoreIndex: p.ignore_index, weight: float32sOrUndefined(p.weight) };
      const logits = float32s(c.inputs.logits);
      const r = crossEntropyRef(logits, target, k, { ...opts, reduction: p.reduction });
      const t = classIndexTerms(target, k, opts, p.reduction);
      const b = torchF64Bounds(k, t.q, opts.weight, t.rowScale);
      expectTorchF64(r.loss as never, c.outputs_f64?.loss, b, p.reduction === 'none' ? 'row' : 'loss', 'loss');
      expectTorchF64(r.grad, c.outputs_f64?.grad_logits, b, 'grad', 'grad');
      if (c.outputs!.per_row) {
        const none = crossEntropyRef(logits, target, k, { ...opts, reduction: 'none' });
        expectTorchF64(none.loss as Float64Array, c.outputs_f64?.per_row, b, 'row', 'per_row');
      }
      if (c.outputs!.smoothed_target) expectClose(smoothTargetsRef(target, k, opts), c.outputs!.smoothed_target, SMALL, 'q');
    });
  }
});

describe('reference vs torch_cross_entropy_soft', () => {
  for (const c of loadVectors('torch_cross_entropy_soft').cases) {
    const p = c.params as { label_smoothing: number; reduction: 'none' | 'mean' | 'sum'; weight: number[] | null };
    if (c.error) continue;
    count('torch_cross_entropy_soft');
    it(c.id, () => {
      const shape = c.inputs.shape as number[];
      const k = shape[shape.length - 1];
      const logits = float32s(c.inputs.logits);
      const weight = float32sOrUndefined(p.weight);
      const probs = c.inputs.target_probs ? float32s(c.inputs.target_probs) : undefined;
      const r = probs
        ? softCrossEntropyRef(logits, probs, k, { labelSmoothing: p.label_smoothing, weight, reduction: p.reduction })
        : crossEntropyRef(logits, c.inputs.target as number[], k, { labelSmoothing: p.label_smoothing, weight, reduction: p.reduction });
      // torch's probability targets: q = (1 − ε)·t + ε/K, 'mean' over N rows.
      const t = probs
        ? { q: probs.map((v) => (1 - p.label_smoothing) * v + p.label_smoothing / k), rowScale: Array.from({ length: probs.length / k }, () => (p.reduction === 'mean' ? k / probs.length : 1)) }
        : classIndexTerms(c.inputs.target as number[], k, { labelSmoothing: p.label_smoothing, weight }, p.reduction);
      const b = torchF64Bounds(k, t.q, weight, t.rowScale);
      expectTorchF64(r.loss as never, c.outputs_f64?.loss, b, p.reduction === 'none' ? 'row' : 'loss', 'loss');
      expectTorchF64(r.grad, c.outputs_f64?.grad_logits, b, 'grad', 'grad');
    });
  }
});

describe('reference vs torch_kl_div', () => {
  for (const c of loadVectors('torch_kl_div').cases) {
    const p = c.params as { reduction: 'none' | 'sum' | 'mean' | 'batchmean'; log_target: boolean };
    count('torch_kl_div');
    it(c.id, () => {
      const inputNested = (typeof c.inputs.input === 'string' ? c.outputs!.input_logprobs : c.inputs.input_logprobs) as Nested;
      const input = flat(inputNested);
      const k = (inputNested as Nested[])[0] ? ((inputNested as Nested[])[0] as Nested[]).length : 1;
      const r = klDivRef(input, flat(c.inputs.target as Nested), k, { reduction: p.reduction, logTarget: p.log_target });
      expectClose(r.grad, c.outputs!.grad_input_logprobs, SMALL, 'grad');
      if (c.id.startsWith('kl_neg_inf_input')) {
        // Deliberate difference: torch gives NaN for 0·(−inf); the reference gives 0 there, so the
        // result is +Infinity where q > 0 meets −inf and finite elsewhere.
        const e = flat(c.outputs!.loss);
        const got = typeof r.loss === 'number' ? [r.loss] : Array.from(r.loss);
        got.forEach((v, i) => (Number.isNaN(e[i]) ? expect(v === Infinity || Number.isFinite(v)).toBe(true) : expect(v).toBeCloseTo(e[i], 5)));
        if (typeof r.loss === 'number') expect(r.loss).toBe(Infinity);
      } else {
        expectClose(r.loss as never, c.outputs!.loss, SMALL, 'loss');
      }
    });
  }
});

describe('reference vs torch_bce_with_logits (no pos_weight, finite logits)', () => {
  for (const c of loadVectors('torch_bce_with_logits').cases) {
    const p = c.params as { reduction: 'none' | 'mean' | 'sum'; weight: number[][] | null; pos_weight: number[] | null };
    if (p.pos_weight || c.id.includes('inf_logits')) continue; // torch's own semantics there (§7)
    count('torch_bce_with_logits');
    it(c.id, () => {
      const logits = flat(c.inputs.logits as Nested);
      const q = flat(c.outputs!.smoothed_target);
      const size = logits.length;
      const weights = numbersOrUndefined(p.weight);
      // torch 'mean' = Σ w·l / (N·K) = tfjs SUM / (N·K).
      const reduction: TfReduction = p.reduction === 'mean' ? 'sum' : p.reduction === 'sum' ? 'sum' : 'none';
      const r = sigmoidCrossEntropyRef(q, logits, { weights, reduction });
      const div = p.reduction === 'mean' ? size : 1;
      const loss = typeof r.loss === 'number' ? r.loss / div : r.loss;
      expectClose(loss as never, c.outputs!.loss, SMALL, 'loss');
      expectClose(r.grad.map((g) => g / div), c.outputs!.grad_logits, SMALL, 'grad');
    });
  }
});

describe('reference vs community_impls', () => {
  for (const c of loadVectors('community_impls').cases) {
    if (c.id === 'hf_LabelSmoother_negative_label') continue; // HF clamps -5 to class 0; refused by labelsmooth
    count('community_impls');
    it(c.id, () => {
      const logits = flat(c.inputs.logits as Nested);
      const k = (c.inputs.logits as number[][])[0].length;
      const p = c.params as Record<string, number | boolean | null | string>;
      let r;
      let nll: number | Float64Array | undefined;
      const target = c.inputs.target as number[];
      switch (c.implementation) {
        case 'fairseq_current':
        case 'fairseq_pre2021': {
          const opts = {
            labelSmoothing: p.epsilon as number,
            ignoreIndex: (p.ignore_index as number | null) ?? -100,
            convention: c.implementation === 'fairseq_current' ? ('fairseq' as const) : ('uniform' as const),
            reduction: p.reduce ? ('sum' as const) : ('none' as const),
          };
          r = crossEntropyRef(logits, target, k, opts);
          nll = crossEntropyRef(logits, target, k, { ...opts, labelSmoothing: 0 }).loss;
          break;
        }
        case 'timm':
          r = c.inputs.target_probs
            ? softCrossEntropyRef(logits, flat(c.inputs.target_probs as Nested), k, { reduction: 'mean' })
            : crossEntropyRef(logits, target, k, { labelSmoothing: p.smoothing as number });
          break;
        case 'transformers':
          r = crossEntropyRef(logits, target, k, { labelSmoothing: p.epsilon as number, ignoreIndex: p.ignore_index as number });
          break;
        default:
          r = crossEntropyRef(logits, target, k, {
            labelSmoothing: p.label_smoothing as number,
            ignoreIndex: (p.ignore_index as number | undefined) ?? -100,
            reduction: (p.reduction as 'sum' | undefined) ?? 'mean',
          });
      }
      expectClose(r.loss as never, c.outputs!.loss, SMALL, 'loss');
      expectClose(r.grad, c.outputs!.grad_logits, SMALL, 'grad');
      if (nll !== undefined) expectClose(nll as never, c.outputs!.nll_loss, SMALL, 'nll');
    });
  }
});

// The tfjs vector cases whose outputs are tfjs float32 artefacts (fixtures/vectors/README.md).
const TFJS_ARTEFACTS = new Set(['large_logits_eps0_NONE', 'large_logits_eps0.1_NONE', 'huge_logits_eps0.1_NONE']);

describe('reference vs tfjs_softmax_cross_entropy', () => {
  for (const c of loadVectors('tfjs_softmax_cross_entropy').cases) {
    const p = c.params as { labelSmoothing: number; reduction: string; weights: number | number[] | number[][] | null };
    if (p.labelSmoothing < 0 || p.labelSmoothing > 1 || Array.isArray((p.weights as unknown[] | null)?.[0])) continue;
    count('tfjs_softmax_cross_entropy');
    it(c.id, () => {
      const k = (c.inputs.shape as number[])[1];
      const labels = float32s(c.inputs.onehot_labels);
      const logits = float32s(c.inputs.logits);
      const weights = typeof p.weights === 'number' ? p.weights : numbersOrUndefined(p.weights);
      const r = softmaxCrossEntropyRef(labels, logits, k, { labelSmoothing: p.labelSmoothing, weights, reduction: tfReduction(p.reduction) });
      if (TFJS_ARTEFACTS.has(c.id)) {
        // tfjs computes x − (m + lse) in float32; compare with torch's exact values of the same inputs.
        const torch = loadVectors('torch_cross_entropy').cases.find((t) => t.id === c.id.replace('_NONE', '_none').replace('eps0_', 'eps0.0_'));
        expect(torch, `the torch case of ${c.id}`).toBeDefined();
        const tp = torch!.params as { label_smoothing: number; reduction: string; ignore_index: number; weight: number[] | null };
        const target = Array.isArray(torch!.inputs.target) ? (torch!.inputs.target as number[]) : [torch!.inputs.target as number];
        const t = classIndexTerms(target, k, { labelSmoothing: tp.label_smoothing, ignoreIndex: tp.ignore_index, weight: tp.weight ?? undefined }, tp.reduction);
        expectTorchF64(r.loss as never, torch!.outputs_f64?.loss, torchF64Bounds(k, t.q, tp.weight ?? undefined, t.rowScale), tp.reduction === 'none' ? 'row' : 'loss', 'loss vs torch');
        return;
      }
      expectClose(r.loss as never, c.outputs!.loss, SMALL, 'loss');
      if (!c.outputs!.grad_logits) return;
      // tfjs's gradient is softmax − q; it equals the true one only when every q row sums to 1.
      const rowsSumToOne = rowsSum(labels, k).every((s) => Math.abs(s - 1) < 1e-6);
      if (rowsSumToOne) expectClose(r.grad, c.outputs!.grad_logits, SMALL, 'grad');
      else expect(flat(c.outputs!.grad_logits).some((g, e) => Math.abs(g - r.grad[e]) > 1e-4)).toBe(true);
    });
  }
});

function rowsSum(labels: number[], k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < labels.length / k; i++) out.push(labels.slice(i * k, i * k + k).reduce((a, b) => a + b, 0));
  return out;
}

describe('reference vs tfjs_sigmoid_cross_entropy', () => {
  for (const c of loadVectors('tfjs_sigmoid_cross_entropy').cases) {
    const p = c.params as { labelSmoothing: number; reduction: string; weights: number[][] | null };
    count('tfjs_sigmoid_cross_entropy');
    it(c.id, () => {
      const r = sigmoidCrossEntropyRef(flat(c.inputs.multi_class_labels as Nested), flat(c.inputs.logits as Nested), {
        labelSmoothing: p.labelSmoothing,
        weights: numbersOrUndefined(p.weights),
        reduction: tfReduction(p.reduction),
      });
      expectClose(r.loss as never, c.outputs!.loss, SMALL, 'loss');
      expectClose(r.grad, c.outputs!.grad_logits, SMALL, 'grad');
    });
  }
});

describe('reference vs annotated_transformer', () => {
  for (const c of loadVectors('annotated_transformer').cases) {
    const p = c.params as { size: number; padding_idx: number; smoothing: number };
    if (c.error || p.smoothing < 0 || p.smoothing > 1 || p.size < 3) continue; // refused by labelsmooth
    count('annotated_transformer');
    it(c.id, () => {
      const target = c.inputs.target as number[];
      const xNested = (typeof c.inputs.x === 'string' ? c.outputs!.x : c.inputs.x) as Nested;
      const r = annotatedRef(flat(xNested), target, p.size, p.padding_idx, p.smoothing);
      expectClose(r.trueDist, c.outputs!.true_dist, SMALL, 'true_dist');
      expectClose(r.gradX, c.outputs!.grad_x, SMALL, 'grad_x');
      const x = flat(xNested);
      if (x.some((v, e) => v === -Infinity && r.trueDist[e] === 0)) {
        // Deliberate: torch 1.13 gives NaN (0·(−inf)); with exact zeros the loss is finite, or
        // +Infinity where q > 0 meets −inf (the seed with log(predict): q = 1/6 where p = 0).
        expect(c.outputs!.loss).toBe('NaN');
        expect(Number.isNaN(r.loss)).toBe(false);
        if (c.id.startsWith('seed_example_with_log')) expect(r.loss).toBe(Infinity);
      } else {
        expectClose(r.loss, c.outputs!.loss, SMALL, 'loss');
      }
      if (c.inputs.logits) {
        const fl = annotatedRef(flat(c.inputs.logits as Nested), target, p.size, p.padding_idx, p.smoothing, true);
        expectClose(fl.loss, c.outputs!.loss, SMALL, 'loss from logits');
        expectClose(fl.gradLogits!, c.outputs!.grad_logits, SMALL, 'grad_logits');
        // crossEntropy 'annotated' = KL + Σ H(q_i), same gradient.
        const ce = crossEntropyRef(flat(c.inputs.logits as Nested), target, p.size, {
          labelSmoothing: p.smoothing,
          convention: 'annotated',
          paddingIdx: p.padding_idx,
          reduction: 'sum',
        });
        let h = 0;
        for (let i = 0; i < target.length; i++) h += entropy(r.trueDist.subarray(i * p.size, (i + 1) * p.size));
        expectClose(ce.loss as number, (flat(c.outputs!.loss)[0] as number) + h, SMALL, 'CE form');
        expectClose(ce.grad, c.outputs!.grad_logits, SMALL, 'CE grad');
      }
    });
  }
});

describe('reference gradients vs float64 central differences', () => {
  const logits = [1, 2, 0.5, -1, 0, 0.1, -0.2, 0.3, 2.5, -1.5, -2, 0, 1, 0.5, 3];
  const target = [1, 0, 4];
  const weight = [0.5, 1, 2, 1, 0.25];
  const check = (f: (x: Float64Array) => { loss: number | Float64Array; grad: Float64Array }) => {
    const analytic = f(Float64Array.from(logits)).grad;
    const numeric = centralDifferences((x) => f(x).loss as number, logits);
    expectClose(analytic, Array.from(numeric), { abs: 1e-7, rel: 1e-6 });
  };
  for (const convention of ['uniform', 'fairseq', 'annotated'] as const) {
    for (const reduction of ['mean', 'sum'] as const) {
      it(`crossEntropy ${convention} ${reduction} with weights and z-loss`, () =>
        check((x) => crossEntropyRef(x, [1, 0, 4], 5, { labelSmoothing: 0.3, convention, paddingIdx: convention === 'annotated' ? 0 : undefined, weight, zLoss: 0.01, reduction })));
    }
  }
  it('softCrossEntropy with unnormalised targets and weights', () =>
    check((x) => softCrossEntropyRef(x, [0.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.1, 0, 0, 0.3], 5, { labelSmoothing: 0.2, weight })));
  for (const reduction of ['mean', 'sum', 'sum_by_nonzero_weights'] as const) {
    it(`softmaxCrossEntropy ${reduction} (labels not summing to 1)`, () =>
      check((x) => softmaxCrossEntropyRef([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0.5, 0.5, 0], x, 5, { labelSmoothing: 0.1, weights: [1, 0, 2], reduction })));
    it(`sigmoidCrossEntropy ${reduction} with element weights`, () =>
      check((x) => sigmoidCrossEntropyRef(target.flatMap((t) => [0, 1, 0, 1, 0].map((v, j) => (j === t ? 1 : v))), x, { labelSmoothing: 0.2, weights: logits.map((_, e) => (e % 4) * 0.5), reduction })));
  }
  it('klDiv batchmean (gradient wrt the input)', () => {
    const q = smoothTargetsRef(target, 5, { labelSmoothing: 0.1 });
    check((x) => klDivRef(x, q, 5, { reduction: 'batchmean' }));
  });
  it('Annotated Transformer fromLogits', () =>
    check((x) => {
      const r = annotatedRef(x, [2, 0, 3], 5, 0, 0.4, true);
      return { loss: r.loss, grad: r.gradLogits! };
    }));
});

describe('reference self-check coverage', () => {
  it('ran the vector cases', () => {
    expect(counts.torch_cross_entropy).toBeGreaterThanOrEqual(60);
    expect(counts.torch_cross_entropy_soft).toBeGreaterThanOrEqual(20);
    expect(counts.torch_kl_div).toBe(8);
    expect(counts.torch_bce_with_logits).toBeGreaterThanOrEqual(11);
    expect(counts.community_impls).toBe(13);
    expect(counts.tfjs_softmax_cross_entropy).toBeGreaterThanOrEqual(45);
    expect(counts.tfjs_sigmoid_cross_entropy).toBe(23);
    expect(counts.annotated_transformer).toBeGreaterThanOrEqual(20);
  });
});
