// Property tests (fast-check) over the whole public API (issue 7): random shapes (N = 0, K = 1,
// odd K, K ≥ 100,000 in a few runs), random NaN / ±Infinity placement, random ignore patterns and
// weights. Every result agrees with the float64 reference of test/helpers/reference.ts where
// finite and in kind where not; the simd128 and scalar builds agree with each other; no call
// ever traps (a wasm trap is a WebAssembly.RuntimeError).
//
// Runs per property are stated in RUNS; the file runs once (the `node` project: it runs both
// builds itself) and takes 3–8 s.
//
// Cross-entropy tolerances are float32 error bounds per value (ceBounds): with u = 2^-24, the
// kernel sums a row's K exponentials and K weighted shifted logits in partial sums of at most
// K/4 + 2 additions each (crates/kernels/src/row_passes.rs exp_pass: a tree of 4 per block, then one
// accumulator), and every term is of one sign, so each sum is within (K/4 + 2)·u of its value;
// exp, the shift x − m, the log and the products add a few u more: σ = (K/4 + 8)·u per row
// (≈ 2e-3 at K = 131,071, 1.5e-6 at K = 67). A row's loss ln S·c − Σ_k w_k q_k d_k is then within
// σ·(c·(1 + ln S) + off·Σ_k w_k|d_k| + |on − off|·w_y|d_y|) (+ the z-loss's 2z|lse|·Δlse), which
// is σ·|loss| when there is no cancellation. A gradient entry s·(p_k·c′ − w_k q_k) is within
// σ·(T1 + T2) of the reference, T1 = |s·p_k·c′| and T2 = |s·w_k·q_k| the sizes of its two terms
// (c′ = c + 2z·lse, s the row's reduction factor). So an all-zero gradient, or a loss 1% off, fails.
// softCrossEntropy is held to the same bounds (softmaxLossBounds in ../helpers/vectors.ts). The
// other properties keep their earlier tolerances.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LabelSmoothing,
  Reduction,
  crossEntropyWithGrad,
  klDivWithGrad,
  sigmoidCrossEntropyWithGrad,
  smoothTargets,
  softCrossEntropyWithGrad,
  softmaxCrossEntropyWithGrad,
} from 'labelsmooth';
import {
  annotatedRef,
  crossEntropyRef,
  logSoftmaxRow,
  skipped,
  smoothedRow,
  klDivRef,
  sigmoidCrossEntropyRef,
  smoothTargetsRef,
  softCrossEntropyRef,
  softmaxCrossEntropyRef,
  type Convention,
} from '../helpers/reference';
import { softmaxLossBounds } from '../helpers/vectors';
import { disagreement, expectAgree, expectAllAgree, expectNoTrap, expectSameResult, kind, withBackend } from './util';

/** fast-check runs per property (small shapes) and for the K ≥ 100,000 properties. */
const RUNS = 150;
const BIG_RUNS = 3;
const SEED = Number(process.env.FC_SEED ?? 20240607);

// ------------------------------------------------------------------------------- generators

/** A logit: finite in [-30, 30] mostly, sometimes NaN or ±Infinity (when `special`). */
const logit = (special: boolean) =>
  special
    ? fc.oneof(
        { weight: 12, arbitrary: fc.float({ min: -30, max: 30, noNaN: true, noDefaultInfinity: true }) },
        { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity) },
      )
    : fc.float({ min: -30, max: 30, noNaN: true, noDefaultInfinity: true });

const kSmall = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9), fc.integer({ min: 1, max: 67 }));
const nSmall = fc.integer({ min: 0, max: 7 });
// ε is float32 in the kernels: draw float32 values and no subnormals (ε/K of a subnormal ε
// underflows to 0 in float32 and not in the float64 reference).
const epsilon = fc.oneof(fc.constantFrom(0, 1, 0.1), fc.float({ min: Math.fround(1e-6), max: 1, noNaN: true }));
/** Weights: 0 or in [1e-3, 3] (with subnormal weights 1/Σw overflows in float32, which the float64 reference does not). */
const weightValues = (len: number) =>
  fc.float32Array({ minLength: len, maxLength: len, min: 0, max: 3, noNaN: true, noDefaultInfinity: true }).map((w) => w.map((v) => (v < 1e-3 ? 0 : v)));

interface Problem {
  n: number;
  k: number;
  x: Float32Array;
  special: boolean;
}

const problem = (k: fc.Arbitrary<number>, n: fc.Arbitrary<number>) =>
  fc.record({ n, k, special: fc.boolean() }).chain(({ n, k, special }) =>
    fc.float32Array({ minLength: n * k, maxLength: n * k, noNaN: true, noDefaultInfinity: true, min: -30, max: 30 }).chain((base) =>
      // Special values at random places.
      (special ? fc.array(fc.tuple(fc.nat(), logit(true)), { maxLength: 4 }) : fc.constant([] as Array<[number, number]>)).map((spots) => {
        const x = Float32Array.from(base);
        if (x.length) for (const [at, v] of spots) x[at % x.length] = v;
        return { n, k, x, special } as Problem;
      }),
    ),
  );

/** A big problem: K ≥ 100,000 with N ∈ {1, 2} (N = 0 is covered by the small shapes). */
const bigProblem = problem(fc.integer({ min: 100_000, max: 131_071 }), fc.integer({ min: 1, max: 2 }));

interface Smoothing {
  labelSmoothing: number;
  convention: Convention;
  paddingIdx?: number;
  ignoreIndex: number;
}

const smoothing = (k: number) =>
  fc.record({
    labelSmoothing: epsilon,
    convention: fc.constantFrom<Convention>(...(k >= 3 ? (['uniform', 'fairseq', 'annotated'] as const) : k === 2 ? (['uniform', 'fairseq'] as const) : (['uniform'] as const))),
    pad: fc.integer({ min: 0, max: k - 1 }),
    ignoreIndex: fc.constantFrom(-100, 0, k - 1),
  }).map(({ pad, ...s }): Smoothing => (s.convention === 'annotated' ? { ...s, paddingIdx: pad } : s));

/** Targets: classes, the ignore index and the padding class at random. */
const targets = (n: number, k: number, s: Smoothing) =>
  fc.array(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: k - 1 }) }, { weight: 1, arbitrary: fc.constant(s.ignoreIndex) }, { weight: 1, arbitrary: fc.constant(s.paddingIdx ?? 0) }), {
    minLength: n,
    maxLength: n,
  });

const weights = (len: number) => fc.option(weightValues(len), { nil: undefined });

/** Runs `call` on both builds; checks that neither traps and that they agree. */
function bothBuilds<T extends { loss: number | Float32Array; grad: unknown }>(call: () => T, what: string): T {
  const a = expectNoTrap(() => withBackend('simd128', call)) as T;
  const b = expectNoTrap(() => withBackend('scalar', call)) as T;
  if (a instanceof Error || b instanceof Error) {
    if (!(a instanceof Error && b instanceof Error) || a.message !== b.message) throw new Error(`${what}: builds disagree: ${String(a)} vs ${String(b)}`);
    throw a;
  }
  expectSameResult(a.loss, b.loss, `${what}: simd128 vs scalar loss`, 1e-4, 1e-4);
  expectSameResult(a.grad as Float32Array, b.grad as Float32Array, `${what}: simd128 vs scalar grad`, 1e-5, 1e-4);
  return a;
}

function lossAgrees(got: number | Float32Array, want: number | Float64Array, what: string, abs: number): void {
  if (typeof got === 'number') expectAgree(got, want as number, what, abs);
  else expectAllAgree(got, want as Float64Array, what, abs);
}

const cfg = (runs: number) => ({ numRuns: runs, seed: SEED, endOnFailure: true });

const U = 2 ** -24;

/** Per-value float32 error bounds of crossEntropyWithGrad (derivation in the header). */
function ceBounds(x: Float32Array, k: number, t: number[], s: Smoothing, weight: Float32Array | undefined, reduction: 'none' | 'mean' | 'sum', z: number) {
  const n = t.length;
  const sigma = (k / 4 + 8) * U;
  const w = (j: number) => (weight ? weight[j] : 1);
  let denominator = 0;
  t.forEach((c) => {
    if (!skipped(c, s)) denominator += w(c);
  });
  const scale = reduction === 'mean' ? 1 / denominator : 1;
  const rowLoss = new Float64Array(n);
  const grad = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    if (skipped(t[i], s)) continue; // loss and gradient exactly 0
    const row = logSoftmaxRow(x, i * k, k, { f32Shift: true });
    const q = smoothedRow(t[i], k, s);
    let m = -Infinity;
    for (let j = 0; j < k; j++) if (x[i * k + j] > m) m = x[i * k + j];
    const lnS = row.lse - m;
    const y = t[i];
    // The off-target mass: q at a column that is neither the target nor the padding one (K = 1 has none).
    let other = 0;
    while (other < k && (other === y || other === s.paddingIdx)) other++;
    const off = other < k ? q[other] : 0;
    let c = 0;
    let wd = 0; // Σ w_k |d_k| over the finite shifts
    for (let j = 0; j < k; j++) {
      c += w(j) * q[j];
      const d = Math.fround(x[i * k + j] - m);
      if (Number.isFinite(d)) wd += w(j) * Math.abs(d);
    }
    const dy = Math.abs(Math.fround(x[i * k + y] - m));
    const lseErr = (Math.abs(m) + k / 4 + 8) * U; // absolute: m + ln S, S within σ
    const offTerm = off !== 0 ? off * wd : 0;
    rowLoss[i] = sigma * (c * (1 + lnS) + offTerm + Math.abs(q[y] - off) * w(y) * (Number.isFinite(dy) ? dy : 0)) + 2 * z * Math.abs(row.lse) * lseErr + 2 ** -149; // per-row outputs are float32 (subnormals too)
    const cz = Math.abs(c + 2 * z * row.lse);
    for (let j = 0; j < k; j++) {
      const p = row.p[j];
      const t1 = Math.abs(scale) * p * cz;
      const t2 = Math.abs(scale) * w(j) * q[j];
      grad[i * k + j] = sigma * (t1 + t2) + Math.abs(scale) * p * 2 * z * lseErr + Math.abs(scale) * (cz * 2 ** -126 + 2 ** -149);
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += rowLoss[i];
  return { denominator, rowLoss, loss: reduction === 'mean' ? total / denominator : total, grad };
}

/** `got` agrees with `want` in kind, and finite values are within tol(i); NaN bounds fail. */
function expectWithin(got: ArrayLike<number>, want: ArrayLike<number>, tol: (i: number) => number, what: string): void {
  if (got.length !== want.length) expect.fail(`${what}: length ${got.length}, reference ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    if (kind(got[i]) !== kind(want[i])) expect.fail(`${what}[${i}]: ${disagreement(got[i], want[i], 0, 0)}`);
    if (kind(want[i]) !== 'finite') continue;
    const bound = tol(i);
    if (!(Math.abs(got[i] - want[i]) <= bound)) expect.fail(`${what}[${i}]: ${got[i]} vs reference ${want[i]} (tolerance ${bound.toExponential(2)})`);
  }
}

// ------------------------------------------------------------------------------- properties

describe('property tests: the public API against the float64 reference, both builds', () => {
  it(`smoothTargets equals the reference exactly (to float32) — ${RUNS} runs`, () => {
    fc.assert(
      fc.property(
        fc.tuple(nSmall, kSmall).chain(([n, k]) => smoothing(k).chain((s) => fc.tuple(fc.constant(k), fc.constant(s), targets(n, k, s)))),
        ([k, s, t]) => {
          const got = bothBuilds(() => ({ loss: smoothTargets(t, k, s), grad: new Float32Array(0) }), 'smoothTargets').loss as Float32Array;
          const want = smoothTargetsRef(t, k, s);
          expectAllAgree(got, Float32Array.from(want), 'smoothTargets', 0, 0);
        },
      ),
      cfg(RUNS),
    );
  });

  const ceProperty = (p: fc.Arbitrary<Problem>) =>
    p.chain((pr) =>
      smoothing(pr.k).chain((s) =>
        fc.record({
          pr: fc.constant(pr),
          s: fc.constant(s),
          t: targets(pr.n, pr.k, s),
          weight: weights(pr.k),
          reduction: fc.constantFrom('none', 'mean', 'sum') as fc.Arbitrary<'none' | 'mean' | 'sum'>,
          zLoss: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.01, noNaN: true })),
        }),
      ),
    );

  type CeCase = { pr: Problem; s: Smoothing; t: number[]; weight?: Float32Array; reduction: 'none' | 'mean' | 'sum'; zLoss: number };
  const checkCrossEntropy = ({ pr, s, t, weight, reduction, zLoss }: CeCase) => {
    const opts = { numClasses: pr.k, ...s, weight, reduction, zLoss };
    const got = bothBuilds(() => crossEntropyWithGrad(pr.x, t, opts), 'crossEntropyWithGrad');
    // The kernel takes zLoss as a float32: the reference gets that float32 input.
    const z32 = Math.fround(zLoss);
    const want = crossEntropyRef(pr.x, t, pr.k, { ...s, weight, reduction, zLoss: z32, logSoftmax: { f32Shift: true } });
    const bounds = ceBounds(pr.x, pr.k, t, s, weight, reduction, z32);
    const what = `crossEntropy (${JSON.stringify({ n: pr.n, k: pr.k, ...s, reduction, zLoss, weight: !!weight })})`;
    // 'mean' with D = Σ w_y = 0 is NaN in every convention (documented, as PyTorch); the
    // reference divides the 'fairseq'/'annotated' sum by 0 (±Infinity) instead.
    if (reduction === 'mean' && bounds.denominator === 0) expectAgree(got.loss as number, NaN, 'crossEntropy mean with D = 0', 0);
    else if (typeof got.loss === 'number') expectWithin([got.loss], [want.loss as number], () => bounds.loss, `${what} loss`);
    else expectWithin(got.loss, want.loss as Float64Array, (i) => bounds.rowLoss[i], `${what} per-row loss`);
    expectWithin(got.grad as Float32Array, want.grad, (i) => bounds.grad[i], `${what} grad`);
  };

  // Each run: both builds, the float64 reference and the bounds (a second reference pass). 150
  // small runs take 0.5–1.1 s, 3 runs of up to 2 × 131,071 logits 1.9–2.5 s, on a loaded 2-core
  // machine (test/README.md).
  it(`crossEntropyWithGrad: every convention, weights, ignore patterns, NaN/±Infinity — ${RUNS} runs`, () => {
    fc.assert(fc.property(ceProperty(problem(kSmall, nSmall)), checkCrossEntropy), cfg(RUNS));
  }, 10_000);

  it(`crossEntropyWithGrad with K ≥ 100,000 — ${BIG_RUNS} runs`, () => {
    fc.assert(fc.property(ceProperty(bigProblem), checkCrossEntropy), cfg(BIG_RUNS));
  }, 20_000);

  it(`softCrossEntropyWithGrad — ${RUNS} runs`, () => {
    fc.assert(
      fc.property(
        problem(kSmall, nSmall).chain((pr) =>
          fc.record({
            pr: fc.constant(pr),
            probs: fc.float32Array({ minLength: pr.x.length, maxLength: pr.x.length, min: 0, max: 1, noNaN: true, noDefaultInfinity: true }),
            labelSmoothing: epsilon,
            weight: weights(pr.k),
            reduction: fc.constantFrom('none', 'mean', 'sum') as fc.Arbitrary<'none' | 'mean' | 'sum'>,
          }),
        ),
        ({ pr, probs, labelSmoothing, weight, reduction }) => {
          const got = bothBuilds(() => softCrossEntropyWithGrad(pr.x, probs, { numClasses: pr.k, labelSmoothing, weight, reduction }), 'softCrossEntropyWithGrad');
          const want = softCrossEntropyRef(pr.x, probs, pr.k, { labelSmoothing, weight, reduction, logSoftmax: { f32Shift: true } });
          // The same float32 bounds as cross-entropy's (softmaxLossBounds), with q = (1 − ε)·t + ε/K
          // (ε in float32, as the kernel takes it) and 'mean' over the N rows.
          const eps = Math.fround(labelSmoothing);
          const q = Float64Array.from(probs, (v) => (eps > 0 ? v * (1 - eps) + eps / pr.k : v));
          const b = softmaxLossBounds({ k: pr.k, q, weight, rowScale: Array.from({ length: pr.n }, () => (reduction === 'mean' ? 1 / pr.n : 1)), sigma: (pr.k / 4 + 8) * U });
          const what = `softCrossEntropy (${JSON.stringify({ n: pr.n, k: pr.k, labelSmoothing, reduction, weight: !!weight })})`;
          if (typeof got.loss === 'number') expectWithin([got.loss], [want.loss as number], () => b.loss(want.loss as number), `${what} loss`);
          else expectWithin(got.loss, want.loss as Float64Array, (i) => b.row(i, (want.loss as Float64Array)[i]), `${what} per-row loss`);
          expectWithin(got.grad as Float32Array, want.grad, (e) => b.grad(e, want.grad[e]), `${what} grad`);
        },
      ),
      cfg(RUNS),
    );
  });

  const tfReductions = [Reduction.NONE, Reduction.MEAN, Reduction.SUM, Reduction.SUM_BY_NONZERO_WEIGHTS] as const;
  const tfName = { 0: 'none', 1: 'mean', 2: 'sum', 3: 'sum_by_nonzero_weights' } as const;

  it(`softmaxCrossEntropyWithGrad (tfjs): sample weights with zeros, every reduction — ${RUNS} runs`, () => {
    fc.assert(
      fc.property(
        problem(kSmall, nSmall).chain((pr) =>
          fc.record({
            pr: fc.constant(pr),
            labels: fc.float32Array({ minLength: pr.x.length, maxLength: pr.x.length, min: 0, max: 1, noNaN: true, noDefaultInfinity: true }),
            labelSmoothing: epsilon,
            weights: fc.option(fc.oneof(weightValues(pr.n), fc.constant(0), fc.float({ min: Math.fround(1e-3), max: 2, noNaN: true })), { nil: undefined }),
            reduction: fc.constantFrom(...tfReductions),
          }),
        ),
        ({ pr, labels, labelSmoothing, weights: w, reduction }) => {
          const got = bothBuilds(() => softmaxCrossEntropyWithGrad(labels, pr.x, { numClasses: pr.k, labelSmoothing, weights: w, reduction }), 'softmaxCrossEntropyWithGrad');
          const want = softmaxCrossEntropyRef(labels, pr.x, pr.k, { labelSmoothing, weights: w, reduction: tfName[reduction] });
          lossAgrees(got.loss, want.loss as number | Float64Array, 'softmaxCrossEntropy loss', 1e-4 * pr.k * Math.max(1, pr.n));
          expectAllAgree(got.grad as Float32Array, want.grad, 'softmaxCrossEntropy grad', 1e-5 * pr.k, 1e-3);
        },
      ),
      cfg(RUNS),
    );
  });

  it(`sigmoidCrossEntropyWithGrad (tfjs): per-row and per-element weights — ${RUNS} runs`, () => {
    fc.assert(
      fc.property(
        problem(kSmall, nSmall).chain((pr) =>
          fc.record({
            pr: fc.constant(pr),
            labels: fc.float32Array({ minLength: pr.x.length, maxLength: pr.x.length, min: 0, max: 1, noNaN: true, noDefaultInfinity: true }),
            labelSmoothing: epsilon,
            weights: fc.option(
              fc.oneof(weightValues(pr.n), weightValues(pr.x.length)),
              { nil: undefined },
            ),
            reduction: fc.constantFrom(...tfReductions),
          }),
        ),
        ({ pr, labels, labelSmoothing, weights: w, reduction }) => {
          // An array of N values (K = 1: also N·K) is per row, in both.
          const weightsPer = w === undefined ? undefined : w.length === pr.n ? ('row' as const) : ('element' as const);
          const got = bothBuilds(() => sigmoidCrossEntropyWithGrad(labels, pr.x, { numClasses: pr.k, labelSmoothing, weights: w, weightsPer, reduction }), 'sigmoidCrossEntropyWithGrad');
          const want = sigmoidCrossEntropyRef(labels, pr.x, { labelSmoothing, weights: w, reduction: tfName[reduction] });
          lossAgrees(got.loss, want.loss as number | Float64Array, 'sigmoidCrossEntropy loss', 1e-4 * Math.max(1, pr.x.length) * 30);
          expectAllAgree(got.grad as Float32Array, want.grad, 'sigmoidCrossEntropy grad', 1e-5, 1e-3);
        },
      ),
      cfg(RUNS),
    );
  });

  it(`klDivWithGrad: probability and log targets, zeros against −Infinity — ${RUNS} runs`, () => {
    fc.assert(
      fc.property(
        problem(kSmall, nSmall).chain((pr) =>
          fc.record({
            pr: fc.constant(pr),
            target: fc.float32Array({ minLength: pr.x.length, maxLength: pr.x.length, min: 0, max: 1, noNaN: true, noDefaultInfinity: true }),
            zeros: fc.boolean(),
            logTarget: fc.boolean(),
            reduction: fc.constantFrom('none', 'sum', 'mean', 'batchmean') as fc.Arbitrary<'none' | 'sum' | 'mean' | 'batchmean'>,
          }),
        ),
        ({ pr, target, zeros, logTarget, reduction }) => {
          const t = Float32Array.from(target, (v, i) => (zeros && i % 3 === 0 ? 0 : v));
          const tt = logTarget ? Float32Array.from(t, (v) => (v === 0 ? -5 : Math.log(v))) : t;
          const got = bothBuilds(() => klDivWithGrad(pr.x, tt, { numClasses: pr.k, logTarget, reduction }), 'klDivWithGrad');
          const want = klDivRef(pr.x, tt, pr.k, { logTarget, reduction });
          lossAgrees(got.loss, want.loss, 'klDiv loss', 1e-4 * Math.max(1, pr.x.length) * 30);
          expectAllAgree(got.grad as Float32Array, want.grad, 'klDiv grad', 1e-6, 1e-5);
        },
      ),
      cfg(RUNS),
    );
  });

  it(`LabelSmoothing (Annotated Transformer) forward/backward, log-probabilities and logits — ${RUNS} runs`, () => {
    fc.assert(
      fc.property(
        problem(fc.integer({ min: 3, max: 40 }), nSmall).chain((pr) =>
          fc.record({
            pr: fc.constant(pr),
            pad: fc.integer({ min: 0, max: pr.k - 1 }),
            smoothing: epsilon,
            fromLogits: fc.boolean(),
            t: fc.array(fc.integer({ min: 0, max: pr.k - 1 }), { minLength: pr.n, maxLength: pr.n }),
          }),
        ),
        ({ pr, pad, smoothing, fromLogits, t }) => {
          const run = () => {
            const crit = new LabelSmoothing({ size: pr.k, paddingIdx: pad, smoothing, fromLogits });
            const loss = crit.forward(pr.x, t);
            return { loss, grad: crit.backward(), trueDist: crit.trueDist! };
          };
          const got = bothBuilds(run, 'LabelSmoothing');
          const want = annotatedRef(pr.x, t, pr.k, pad, smoothing, fromLogits);
          expectAgree(got.loss as number, want.loss, 'LabelSmoothing loss', 1e-4 * Math.max(1, pr.x.length) * 30);
          expectAllAgree(got.trueDist, Float32Array.from(want.trueDist), 'LabelSmoothing trueDist', 0, 0);
          // Padding rows: the gradient is exactly 0 (a term whose target is 0 contributes 0), also
          // where the reference's p·Σq − q is NaN·0 for a NaN/+Infinity row.
          const wantGrad = Float64Array.from(fromLogits ? want.gradLogits! : want.gradX, (v, e) => (t[Math.floor(e / pr.k)] === pad ? 0 : v));
          expectAllAgree(got.grad as Float32Array, wantGrad, 'LabelSmoothing grad', 1e-5, 1e-3);
        },
      ),
      cfg(RUNS),
    );
  });
});
