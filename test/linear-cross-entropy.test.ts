// linearCrossEntropy / linearCrossEntropyWithGrad against crossEntropyWithGrad on the explicit
// logits (computed here in float64, softcapped in float64, rounded once), for every option, odd
// N, D, V and chunk sizes that do not divide N; destinations, WasmArrays, accumulation; typed
// errors. (Finite differences of a float64 reference: crates/kernels/src/linear_head_tests.rs.)
import { describe, expect, it } from 'vitest';
import { rng } from './helpers/pseudo-random';
import { allocFloat32, crossEntropy, crossEntropyWithGrad, linearCrossEntropy, linearCrossEntropyWithGrad, type FloatArray } from 'labelsmooth';

const EPS = 2 ** -23;

interface Case {
  n: number;
  d: number;
  v: number;
  hidden: Float32Array;
  weight: Float32Array;
  bias?: Float32Array;
  target: Int32Array;
  opts: Record<string, unknown>;
  tokenWeights?: Float32Array;
  softcap: number;
  reduction: 'mean' | 'sum' | 'none';
  upstream?: Float32Array | number;
}

function makeCase(seed: number, n: number, d: number, v: number, bits: number): Case {
  const r = rng(seed);
  const vals = (len: number, lo: number, hi: number) => Float32Array.from({ length: len }, () => lo + (hi - lo) * r());
  // bits: convention, reduction and ε in base 3 (bits % 27), then one flag per option.
  const on = (b: number) => (Math.floor(bits / 27) & (1 << b)) !== 0;
  const convention = (['uniform', 'fairseq', 'annotated'] as const)[bits % 3];
  const reduction = (['mean', 'sum', 'none'] as const)[Math.floor(bits / 3) % 3];
  const target = Int32Array.from({ length: n }, (_, i) => (i % 4 === 2 ? -100 : Math.floor(r() * v)));
  const softcap = on(4) ? 1.5 : 0;
  const tokenWeights = on(2) ? vals(n, 0, 2) : undefined;
  const opts: Record<string, unknown> = {
    hiddenSize: d,
    convention,
    labelSmoothing: [0, 0.1, 0.3][Math.floor(bits / 9) % 3],
  };
  if (convention === 'annotated') opts.paddingIdx = Math.floor(v / 2);
  if (on(1)) opts.weight = vals(v, 0.2, 2);
  if (on(3)) opts.zLoss = 0.01;
  if (softcap) opts.softcap = softcap;
  if (tokenWeights) opts.tokenWeights = tokenWeights;
  opts.reduction = reduction;
  const upstream = on(5) ? (reduction === 'none' ? vals(n, -1, 2) : 0.75) : undefined;
  if (upstream !== undefined) opts.upstream = upstream;
  const c: Case = { n, d, v, hidden: vals(n * d, -1, 1), weight: vals(v * d, -1, 1), target, opts, softcap, reduction, upstream, tokenWeights };
  if (on(0)) c.bias = opts.bias = vals(v, -0.5, 0.5);
  return c;
}

interface Explicit {
  loss: number | Float32Array;
  /** Per-row bound on |loss_i(fused) − loss_i(explicit)| (before the reduction's factor). */
  lossBound: Float64Array;
  gradHidden: Float64Array;
  gradWeight: Float64Array;
  gradBias: Float64Array;
  boundHidden: Float64Array;
  boundWeight: Float64Array;
  boundBias: Float64Array;
  /** What the reduction multiplies the sum of the losses by. */
  reductionFactor: number;
}

/**
 * The explicit path: logits s = cap(h·Wᵀ + b) in float64, rounded once to float32, then
 * crossEntropyWithGrad (with the token weights folded into a per-row upstream), the softcap's
 * derivative and the three products in float64. The bounds: the fused path's logits are a float32
 * GEMM, within δ = (D + 2)·ε·(Σ|h·w| + |b|) ≤ (D + 2)·ε·(D + 0.5) of the exact ones (|h|, |w| ≤ 1,
 * |b| ≤ 0.5), the explicit ones within ε/2·|s|; each row's loss moves by Σ_k |∂L/∂s_k|·(2δ) at
 * first order; each softmax entry by its relative 3·2δ (e, Σe and lse), so dz_k by
 * 3·2δ·(|dz_k| + |scale·w_k·q_k|); the products add (V + 1)·ε (N + 1 for dW and db) of
 * Σ|terms| for the float32 sums of the fused path.
 */
function explicit(c: Case): Explicit {
  const { n, d, v } = c;
  const s = new Float32Array(n * v);
  const sAbs = new Float64Array(n); // Σ|h·w| + |b| max per row, for δ
  for (let i = 0; i < n; i++) {
    let rowMax = 0;
    for (let k = 0; k < v; k++) {
      let z = c.bias ? c.bias[k] : 0;
      let abs = c.bias ? Math.abs(c.bias[k]) : 0;
      for (let j = 0; j < d; j++) {
        z += c.hidden[i * d + j] * c.weight[k * d + j];
        abs += Math.abs(c.hidden[i * d + j] * c.weight[k * d + j]);
      }
      s[i * v + k] = c.softcap ? c.softcap * Math.tanh(z / c.softcap) : z;
      rowMax = Math.max(rowMax, abs);
    }
    sAbs[i] = rowMax;
  }
  const ceOpts: Record<string, unknown> = { ...c.opts, numClasses: v };
  for (const key of ['hiddenSize', 'softcap', 'tokenWeights', 'bias', 'upstream', 'reduction']) delete ceOpts[key];
  const t = (i: number) => (c.tokenWeights ? c.tokenWeights[i] : 1);
  const classW = c.opts.weight as Float32Array | undefined;
  // The mean's divisor with token weights: Σ t_i·w_{y_i} over the rows that count.
  const counts = (i: number) => c.target[i] !== -100 && !(c.opts.convention === 'annotated' && c.target[i] === c.opts.paddingIdx);
  let divisor = 0;
  for (let i = 0; i < n; i++) if (counts(i)) divisor += t(i) * (classW ? classW[c.target[i]] : 1);
  const up = typeof c.upstream === 'number' ? c.upstream : 1;
  const factor = c.reduction === 'mean' ? up / divisor : c.reduction === 'sum' ? up : 1;
  const rowScale = Float32Array.from({ length: n }, (_, i) => t(i) * (c.reduction === 'none' ? (c.upstream instanceof Float32Array ? c.upstream[i] : 1) : factor));
  const per = crossEntropy(s, c.target, { ...ceOpts, reduction: 'none' } as never) as Float32Array;
  const unit = crossEntropyWithGrad(s, c.target, { ...ceOpts, reduction: 'none' } as never).grad as Float32Array;
  const g = crossEntropyWithGrad(s, c.target, { ...ceOpts, reduction: 'none', upstream: rowScale } as never).grad as Float32Array;
  let loss: number | Float32Array;
  if (c.reduction === 'none') loss = Float32Array.from(per, (l, i) => l * t(i));
  else {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += t(i) * per[i];
    // The upstream scales the gradients, not the loss (as crossEntropyWithGrad).
    loss = c.reduction === 'mean' ? sum / divisor : sum;
  }
  const lossBound = new Float64Array(n);
  const dz = new Float64Array(n * v);
  const dzBound = new Float64Array(n * v);
  const ls = Number(c.opts.labelSmoothing);
  const offMax = ls / Math.max(1, v - 2);
  for (let i = 0; i < n; i++) {
    const delta = (d + 2) * EPS * (sAbs[i] + 0.5) + EPS * Math.abs(c.softcap);
    let gsum = 0;
    for (let k = 0; k < v; k++) gsum += Math.abs(unit[i * v + k]);
    lossBound[i] = Math.abs(t(i)) * (2 * delta * gsum + 4 * EPS * Math.abs(per[i]));
    for (let k = 0; k < v; k++) {
      const x = i * v + k;
      const capT = c.softcap ? s[x] / c.softcap : 0;
      const chain = c.softcap ? 1 - capT * capT : 1;
      dz[x] = g[x] * chain;
      const wq = Math.abs(rowScale[i]) * (classW ? classW[k] : 1) * (k === c.target[i] ? 1 : offMax);
      const capErr = c.softcap ? Math.abs(g[x]) * (4 * Math.abs(capT) * (delta / c.softcap) + 2 * EPS) : 0;
      dzBound[x] = 6 * delta * (Math.abs(g[x]) + wq) + 2 * EPS * Math.abs(g[x]) + capErr;
    }
  }
  const gh = new Float64Array(n * d), bh = new Float64Array(n * d);
  const gw = new Float64Array(v * d), bw = new Float64Array(v * d);
  const gb = new Float64Array(v), bb = new Float64Array(v);
  const absW = new Float64Array(v * d), absB = new Float64Array(v);
  const absH = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < v; k++) {
      const x = i * v + k;
      gb[k] += dz[x];
      bb[k] += dzBound[x];
      absB[k] += Math.abs(dz[x]);
      for (let j = 0; j < d; j++) {
        const w = c.weight[k * d + j], h = c.hidden[i * d + j];
        gh[i * d + j] += dz[x] * w;
        bh[i * d + j] += dzBound[x] * Math.abs(w);
        absH[i * d + j] += Math.abs(dz[x] * w);
        gw[k * d + j] += dz[x] * h;
        bw[k * d + j] += dzBound[x] * Math.abs(h);
        absW[k * d + j] += Math.abs(dz[x] * h);
      }
    }
  for (let x = 0; x < n * d; x++) bh[x] += 2 * (v + 1) * EPS * absH[x];
  for (let x = 0; x < v * d; x++) bw[x] += 2 * (n + 1) * EPS * absW[x];
  for (let k = 0; k < v; k++) bb[k] += 2 * (n + 1) * EPS * absB[k];
  return { loss, lossBound, gradHidden: gh, gradWeight: gw, gradBias: gb, boundHidden: bh, boundWeight: bw, boundBias: bb, reductionFactor: c.reduction === 'mean' ? 1 / divisor : 1 };
}

function within(got: FloatArray | undefined, want: Float64Array, bound: Float64Array, what: string): void {
  // Plain comparisons (not expect) in these loops: the suite runs thousands of them.
  if (got === undefined) throw new Error(`${what}: missing`);
  const g = got instanceof Float32Array ? got : got.view;
  if (g.length !== want.length) throw new Error(`${what}: ${g.length} values, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(g[i] - want[i]) <= bound[i])) throw new Error(`${what}[${i}]: ${g[i]} vs ${want[i]} (bound ${bound[i]})`);
  }
}

function checkCase(c: Case, chunkRows: number, label: string): void {
  const want = explicit(c);
  const got = linearCrossEntropyWithGrad(c.hidden, c.weight, c.target, { ...c.opts, chunkRows } as never);
  const fwd = linearCrossEntropy(c.hidden, c.weight, c.target, { ...c.opts, chunkRows } as never);
  if (c.reduction === 'none') {
    const l = got.loss as Float32Array;
    const f = fwd as Float32Array;
    for (let i = 0; i < c.n; i++) if (!Object.is(f[i], l[i])) throw new Error(`${label} forward loss[${i}]: ${f[i]} vs ${l[i]}`);
    for (let i = 0; i < c.n; i++) {
      const w = (want.loss as Float32Array)[i];
      if (!(Math.abs(l[i] - w) <= want.lossBound[i] + EPS * Math.abs(w))) throw new Error(`${label} loss[${i}]: ${l[i]} vs ${w}`);
    }
  } else {
    const bound = Math.abs(want.reductionFactor) * want.lossBound.reduce((a, b) => a + b, 0) + 8 * c.n * EPS * Math.abs(want.loss as number);
    if (!(Math.abs((got.loss as unknown as number) - (want.loss as number)) <= bound)) throw new Error(`${label} loss ${got.loss} vs ${want.loss} (bound ${bound})`);
    if (!Object.is(fwd, got.loss)) throw new Error(`${label}: linearCrossEntropy ${fwd} vs the WithGrad loss ${got.loss}`);
  }
  within(got.gradHidden, want.gradHidden, want.boundHidden, `${label} gradHidden`);
  within(got.gradWeight, want.gradWeight, want.boundWeight, `${label} gradWeight`);
  if (c.bias) within(got.gradBias, want.gradBias, want.boundBias, `${label} gradBias`);
  else if (got.gradBias !== undefined) throw new Error(`${label}: gradBias without a bias`);
}

describe('destinations, WasmArrays and accumulation', () => {
  const c = makeCase(5, 6, 4, 7, 27); // bias, uniform, mean, ε = 0
  it('gradHiddenOut, gradWeightOut, gradBiasOut receive the gradients; accumulate adds into them', () => {
    const ref = linearCrossEntropyWithGrad(c.hidden, c.weight, c.target, c.opts as never);
    const gh = new Float32Array(6 * 4).fill(1), gw = new Float32Array(7 * 4).fill(2), gb = new Float32Array(7).fill(3);
    const r = linearCrossEntropyWithGrad(c.hidden, c.weight, c.target, { ...(c.opts as object), gradHiddenOut: gh, gradWeightOut: gw, gradBiasOut: gb, accumulate: true } as never);
    expect(r.gradHidden).toBe(gh);
    expect(r.gradWeight).toBe(gw);
    expect(r.gradBias).toBe(gb);
    // gradHidden: one f32 addition to the same product; weight and bias: the start value enters
    // the f32 sum first (N + 1 additions in another order).
    expect(Array.from(gh)).toEqual(Array.from(ref.gradHidden as Float32Array, (x) => Math.fround(x + 1)));
    (ref.gradWeight as Float32Array).forEach((x, i) => expect(Math.abs(gw[i] - (x + 2))).toBeLessThanOrEqual(2 * 7 * EPS * 4));
    (ref.gradBias as Float32Array).forEach((x, i) => expect(Math.abs(gb[i] - (x + 3))).toBeLessThanOrEqual(2 * 7 * EPS * 4));
    const over = linearCrossEntropyWithGrad(c.hidden, c.weight, c.target, { ...(c.opts as object), gradHiddenOut: gh, gradWeightOut: gw, gradBiasOut: gb } as never);
    expect(over.loss).toBe(ref.loss);
    expect(Array.from(gw)).toEqual(Array.from(ref.gradWeight as Float32Array));
  });

  it('WasmArray inputs and outputs, zero copy, give the Float32Array results bit for bit', () => {
    const ref = linearCrossEntropyWithGrad(c.hidden, c.weight, c.target, c.opts as never);
    const [h, w, b] = [allocFloat32(c.hidden.length), allocFloat32(c.weight.length), allocFloat32(7)];
    const [gh, gw, gb] = [allocFloat32(c.hidden.length), allocFloat32(c.weight.length), allocFloat32(7)];
    try {
      h.view.set(c.hidden);
      w.view.set(c.weight);
      b.view.set(c.bias!);
      const r = linearCrossEntropyWithGrad(h, w, c.target, { ...(c.opts as object), bias: b, gradHiddenOut: gh, gradWeightOut: gw, gradBiasOut: gb } as never);
      expect(r.loss).toBe(ref.loss);
      expect(r.gradHidden).toBe(gh);
      expect(Array.from(gh.view)).toEqual(Array.from(ref.gradHidden as Float32Array));
      expect(Array.from(gw.view)).toEqual(Array.from(ref.gradWeight as Float32Array));
      expect(Array.from(gb.view)).toEqual(Array.from(ref.gradBias as Float32Array));
    } finally {
      for (const a of [h, w, b, gh, gw, gb]) a.free();
    }
  });

  it('a memory budget of one row gives the default chunking result (rows are independent)', () => {
    const ref = linearCrossEntropyWithGrad(c.hidden, c.weight, c.target, { ...(c.opts as object), reduction: 'none' } as never);
    const one = linearCrossEntropyWithGrad(c.hidden, c.weight, c.target, { ...(c.opts as object), reduction: 'none', memoryBudget: 1 } as never);
    expect(Array.from(one.loss)).toEqual(Array.from(ref.loss));
    expect(Array.from(one.gradHidden as Float32Array)).toEqual(Array.from(ref.gradHidden as Float32Array));
  });
});

describe('linearCrossEntropy equals crossEntropyWithGrad on the explicit logits', () => {
  const shapes: [number, number, number][] = [
    [7, 5, 11],
    [10, 9, 13],
    [5, 17, 6],
  ];
  // One test per shape and chunk size: all three chunk sizes in one test took up to 0.86 s of
  // its 5 s on a loaded 2-core machine.
  for (const [n, d, v] of shapes) {
    for (const chunk of [1, 3, n + 2]) {
      it(`every option, N=${n} D=${d} V=${v}, chunks of ${chunk} rows`, () => {
        let cases = 0;
        for (let bits = 0; bits < 27 * 64; bits += 61) {
          checkCase(makeCase(1000 + bits, n, d, v, bits), chunk, `N=${n} D=${d} V=${v} bits=${bits.toString(2)} chunk=${chunk}`);
          cases++;
        }
        expect(cases).toBe(29);
      });
    }
  }

  it('softcap against float64 with large logits (the cap active): |z| up to 12, c = 3', () => {
    const c = makeCase(77, 6, 12, 9, 27 * 0b10000);
    c.softcap = 3;
    c.opts.softcap = 3;
    checkCase(c, 4, 'softcap 3');
  });
});

describe('typed errors', () => {
  const c = makeCase(9, 3, 2, 4, 0);
  const call = (o: Record<string, unknown>, hidden: unknown = c.hidden, weight: unknown = c.weight, target: unknown = c.target) =>
    () => linearCrossEntropyWithGrad(hidden as never, weight as never, target as never, { hiddenSize: 2, ...o } as never);
  it('names the function, the argument, what was expected and what came', () => {
    expect(call({ hiddenSize: undefined })).toThrow(new TypeError('linearCrossEntropyWithGrad: options.hiddenSize must be a positive integer, received undefined'));
    expect(call({ hiddenSize: 3 })).toThrow(new RangeError('linearCrossEntropyWithGrad: weight must hold V×hiddenSize values (a positive multiple of 3), received 8 values'));
    expect(call({}, c.hidden.subarray(1))).toThrow(new RangeError('linearCrossEntropyWithGrad: hidden must have N×hiddenSize values (3×2: one row per target), received 5 values'));
    expect(call({}, c.hidden, c.weight, [0, 1, 4])).toThrow(RangeError);
    expect(call({ softcap: -1 })).toThrow(new RangeError('linearCrossEntropyWithGrad: options.softcap must be a finite number >= 0, received -1'));
    expect(call({ tokenWeights: new Float32Array(2) })).toThrow(new RangeError('linearCrossEntropyWithGrad: options.tokenWeights must have one value per target (3), received 2 values'));
    expect(call({ gradWeightOut: new Float32Array(3) })).toThrow(new RangeError('linearCrossEntropyWithGrad: options.gradWeightOut must have V×hiddenSize values (4×2), received 3 values'));
    expect(call({ gradWeightOut: c.weight })).toThrow(TypeError);
    expect(call({ accumulate: true })).toThrow(new TypeError('linearCrossEntropyWithGrad: options.accumulate adds into options.gradHiddenOut, received undefined (give options.gradHiddenOut, or leave accumulate out)'));
    expect(call({ convention: 'annotated', paddingIdx: 9 })).toThrow(RangeError);
  });
  it('a target out of range is the RangeError crossEntropy gives, naming the row', () => {
    let message = '';
    try {
      crossEntropy(new Float32Array(12), [0, 1, 4], { numClasses: 4 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(call({}, c.hidden, c.weight, [0, 1, 4])).toThrow(message.replace('crossEntropy', 'linearCrossEntropyWithGrad'));
  });
});
