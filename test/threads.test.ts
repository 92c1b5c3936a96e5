// The worker pool (packages/labelsmooth/src/threads/): results bit-identical for 1, 2 and 3
// threads and equal to the single-thread simd128 build, for every loss with its options; a
// worker that throws or exits becomes an error on the caller and the pool recovers; the
// process exits with a pool alive; no SharedArrayBuffer is a fallback with a reason.
// Shapes are above the split threshold (SPLIT_MIN_CHUNKS = 1.5 chunks of rows_per_chunk(K)
// rows) so that every call is split into a few chunks, the last one short.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pseudoRandom } from './helpers/pseudo-random';
import * as ls from 'labelsmooth';

const DIST = fileURLToPath(new URL('../packages/labelsmooth/dist/index.mjs', import.meta.url));


/** N×K: 131×1003 (chunks of 65, 65, 1 rows) and 18,733×7 (9,362, 9,362, 9). */
const SHAPES = [
  [131, 1003],
  [18733, 7],
] as const;

/** Every result as bits: numbers, Float32Arrays, and objects of them. */
function bits(value: unknown): unknown {
  if (typeof value === 'number') return Buffer.from(new Float64Array([value]).buffer).toString('hex');
  if (value instanceof Float32Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (ls.WasmArray && value instanceof ls.WasmArray) return bits(value.view.slice());
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bits(v)]));
  return value;
}

/** Every public function that splits, with options that use every per-row input. */
function runAll(n: number, k: number): Record<string, unknown> {
  const x = pseudoRandom(n * k, n + k);
  const probs = pseudoRandom(n * k, 7 * n + k, 0, 1);
  const logProbs = probs.map((p) => Math.log(p + 1e-3));
  const targets = Int32Array.from({ length: n }, (_, i) => (i % 5 === 2 ? -100 : (i * 7919) % k));
  const weight = pseudoRandom(k, 3, 0.1, 3);
  const upstream = pseudoRandom(n, 5, 0.5, 2);
  const out: Record<string, unknown> = {};
  for (const convention of ['uniform', 'fairseq', 'annotated'] as const) {
    const base = { numClasses: k, labelSmoothing: 0.1, convention, ...(convention === 'annotated' ? { paddingIdx: 1 } : {}) };
    out[`ce ${convention} mean weight zLoss`] = ls.crossEntropyWithGrad(x, targets, { ...base, weight, zLoss: 1e-3 });
    out[`ce ${convention} none`] = ls.crossEntropyWithGrad(x, targets, { ...base, reduction: 'none', upstream });
    out[`ce ${convention} sum forward`] = ls.crossEntropy(x, targets, { ...base, reduction: 'sum' });
    out[`parts ${convention}`] = ls.crossEntropyParts(x, targets, { ...base, weight });
    out[`smoothTargets ${convention}`] = ls.smoothTargets(targets, k, { labelSmoothing: 0.1, convention, ...(convention === 'annotated' ? { paddingIdx: 1 } : {}) });
  }
  const wx = ls.allocFloat32(n * k);
  const wg = ls.allocFloat32(n * k);
  wx.view.set(x);
  out['ce WasmArray gradOut'] = { ...ls.crossEntropyWithGrad(wx, targets, { numClasses: k, labelSmoothing: 0.1, gradOut: wg }), grad: bits(wg) };
  out['ce WasmArray inPlace'] = { ...ls.crossEntropyWithGrad(wx, targets, { numClasses: k, labelSmoothing: 0.1, inPlace: true }), grad: bits(wx) };
  wx.free();
  wg.free();
  out.soft = ls.softCrossEntropyWithGrad(x, probs, { numClasses: k, labelSmoothing: 0.1, weight, reduction: 'none', upstream });
  out.sigmoid = ls.sigmoidCrossEntropyWithGrad(x, probs, { numClasses: k, labelSmoothing: 0.1, weights: upstream, weightsPer: 'row' });
  out.kl = ls.klDivWithGrad(logProbs, probs, { numClasses: k, reduction: 'batchmean' });
  const criterion = new ls.LabelSmoothing({ size: k, paddingIdx: 0, smoothing: 0.1 });
  // The criterion has no ignore index: the ignored rows become padding rows (target = paddingIdx).
  out.labelSmoothing = { loss: criterion.forward(logProbs, targets.map((t) => (t < 0 ? 0 : t))), trueDist: criterion.trueDist };
  // Not split over the pool (its weight gradient sums over every row): with a pool it runs on the
  // calling thread, and must still give the single-thread build's bits.
  const d = 8;
  out.linear = ls.linearCrossEntropyWithGrad(pseudoRandom(n * d, 13), pseudoRandom(k * d, 17, -0.5, 0.5), targets, { hiddenSize: d, labelSmoothing: 0.1 });
  return bits(out) as Record<string, unknown>;
}

/**
 * Every loss the pool serves on plain Float32Arrays with a gradient, into each destination: a new
 * array, a caller's gradOut, inPlace, and a gradOut that overlaps the logits (the same buffer 585
 * rows on, 9 chunks: more than the pipeline's ring holds with 2 or 3 threads, so a pipeline that
 * copied a chunk's gradient out before every chunk's logits were in would read gradient values as
 * logits; so would the one-thread block path, whose blocks are 65 rows here).
 */
function runPlain(n: number, k: number): Record<string, unknown> {
  const x = pseudoRandom(n * k, n + 2 * k);
  const probs = pseudoRandom(n * k, 3 * n + k, 0, 1);
  const logProbs = probs.map((p) => Math.log(p + 1e-3));
  const targets = Int32Array.from({ length: n }, (_, i) => (i % 61 === 5 ? -100 : (i * 7919) % k));
  const opts = { numClasses: k, labelSmoothing: 0.1 };
  const out: Record<string, unknown> = {};
  out['ce new'] = ls.crossEntropyWithGrad(x, targets, opts);
  const gradOut = new Float32Array(n * k);
  out['ce gradOut'] = { ...ls.crossEntropyWithGrad(x, targets, { ...opts, reduction: 'sum', gradOut }), gradOut: bits(gradOut) };
  const inPlace = x.slice();
  out['ce inPlace'] = { ...ls.crossEntropyWithGrad(inPlace, targets, { ...opts, inPlace: true }), logits: bits(inPlace) };
  const own = x.slice();
  out['ce gradOut = logits'] = { ...ls.crossEntropyWithGrad(own, targets, { ...opts, gradOut: own }), logits: bits(own) };
  const shared = new Float32Array((n + 585) * k);
  shared.set(x);
  const overlapping = shared.subarray(585 * k, (n + 585) * k);
  // Returns `overlapping` as its gradient: the test expects 'ce new' here.
  out['ce gradOut overlapping the logits'] = ls.crossEntropyWithGrad(shared.subarray(0, n * k), targets, { ...opts, gradOut: overlapping });
  out['ce forward'] = ls.crossEntropy(x, targets, opts);
  const softIn = x.slice();
  out['soft inPlace'] = { ...ls.softCrossEntropyWithGrad(softIn, probs, { ...opts, inPlace: true }), logits: bits(softIn) };
  const sigmoidOut = new Float32Array(n * k);
  out['sigmoid gradOut'] = { ...ls.sigmoidCrossEntropyWithGrad(probs, x, { ...opts, gradOut: sigmoidOut }), gradOut: bits(sigmoidOut) };
  out['kl new'] = ls.klDivWithGrad(logProbs, probs, { numClasses: k, reduction: 'batchmean' });
  const criterion = new ls.LabelSmoothing({ size: k, paddingIdx: 0, smoothing: 0.1 });
  out.labelSmoothing = { loss: criterion.forward(logProbs, targets.map((t) => (t < 0 ? 0 : t))), trueDist: criterion.trueDist };
  return bits(out) as Record<string, unknown>;
}

describe('threads', () => {
  afterAll(async () => {
    await ls.setThreads(1);
  });

  // 20 s: starts pools of 2 and 3 workers and runs every splitting function four times on two
  // shapes just above the split threshold (1.5 s on 2 cores with the other one busy).
  it('gives the single-thread build’s results bit for bit with 1, 2 and 3 threads', { timeout: 20_000 }, async () => {
    expect(ls.threadCount()).toBe(1);
    const baseline = SHAPES.map(([n, k]) => runAll(n, k));
    await ls.init({ threads: 2 });
    expect(ls.threadStatus()).toEqual({ threads: 2, requested: 2, fallback: null });
    expect(ls.backend()).toBe('simd128');
    // The single-thread build made active again: no thread serves it but the caller.
    ls.initSync({ backend: 'simd128' });
    expect(ls.threadCount()).toBe(1);
    for (const threads of [2, 3, 1]) {
      await ls.setThreads(threads);
      expect(ls.threadCount()).toBe(threads);
      SHAPES.forEach(([n, k], s) => {
        const got = runAll(n, k);
        for (const name of Object.keys(baseline[s])) expect(got[name], `${n}×${k} ${name}, ${threads} threads`).toEqual(baseline[s][name]);
      });
    }
  });

  // 778×1003 plain arrays: on one thread the block path (2^18 values and more, K ≤ 4096); with a
  // pool, the pipeline (threads/pipeline.ts) with 12 chunks, more than its ring of 6 slots, so
  // the caller must go on past a chunk that a failed worker never finishes (the faulty worker
  // fails only if it gets chunks).
  // 10 s: starts a pool twice (0.3–0.4 s here with the other core busy).
  it.each(['throw', 'exit'])('turns a worker that fails (%s) into an error on the caller; the pool recovers', { timeout: 10_000 }, async (fault) => {
    const [n, k] = [778, 1003];
    const x = pseudoRandom(n * k, 1);
    const targets = Array.from({ length: n }, (_, i) => i % k);
    const expected = ls.crossEntropyWithGrad(x, targets, { numClasses: k });
    process.env.LABELSMOOTH_TEST_WORKER_FAULT = fault;
    await ls.setThreads(2);
    delete process.env.LABELSMOOTH_TEST_WORKER_FAULT;
    // Below the threshold the caller computes alone, so the faulty worker never runs.
    expect(() => ls.crossEntropy(pseudoRandom(64 * 1000, 2), Array(64).fill(0), { numClasses: 1000 })).not.toThrow();
    // Above it, the worker fails as soon as it claims a chunk (a call may end before it wakes).
    let error: unknown;
    for (let i = 0; i < 50 && !error; i++) {
      try {
        ls.crossEntropyWithGrad(x, targets, { numClasses: k });
      } catch (e) {
        error = e;
      }
    }
    expect(String(error)).toMatch(/a worker thread failed during the call \((a fault injected|a worker thread exited)/);
    // The call after the error runs (on the calling thread while the workers restart), right.
    expect(bits(ls.crossEntropyWithGrad(x, targets, { numClasses: k }))).toEqual(bits(expected));
    await ls.setThreads(2);
    expect(ls.threadCount()).toBe(2);
    expect(bits(ls.crossEntropyWithGrad(x, targets, { numClasses: k }))).toEqual(bits(expected));
  });

  // The plain-array pipeline (packages/labelsmooth/src/threads/pipeline.ts): with a pool, a
  // caller's Float32Arrays are copied in chunk by chunk while workers compute, and gradients
  // copied out as chunks finish, through a ring of 2·threads + 2 slots. 778×1003 is 12 chunks of
  // 65 rows (the last 63), more than the ring holds with 2 and 3 threads, so slots are reused
  // and the caller waits for a free one; 13 rows ignored. Every loss the pool serves, each
  // gradient destination, against the simd128 build (on one thread 778×1003 takes
  // cross-entropy's block path: 2^18 values and more).
  // 20 s: ten calls of 780k values on 1, 2 and 3 threads.
  it('copies plain arrays chunk by chunk with the same bits: every loss, gradOut, inPlace, an overlapping gradOut', { timeout: 20_000 }, async () => {
    const [n, k] = [778, 1003];
    ls.initSync({ backend: 'simd128' });
    const baseline = runPlain(n, k);
    // Every input is read before any gradient is written, on every path.
    expect(baseline['ce gradOut overlapping the logits'], 'one thread').toEqual(baseline['ce new']);
    for (const threads of [2, 3]) {
      await ls.setThreads(threads);
      expect(ls.threadCount()).toBe(threads);
      const got = runPlain(n, k);
      for (const name of Object.keys(baseline)) expect(got[name], `${name}, ${threads} threads`).toEqual(baseline[name]);
    }
  });

  // A refused call writes nothing into the caller's arrays: the targets are checked before any
  // chunk is copied or published. 10 s: one pool, four refused calls of 264k values.
  it('a refused target (the last row) writes nothing into gradOut or the logits (inPlace)', { timeout: 10_000 }, async () => {
    const [n, k] = [263, 1003];
    await ls.setThreads(2);
    const x = pseudoRandom(n * k, 11);
    const targets = Int32Array.from({ length: n }, (_, i) => (i === n - 1 ? k : i % k));
    const gradOut = new Float32Array(n * k).fill(7);
    const logits = x.slice();
    const message = `crossEntropyWithGrad: target[${n - 1}] must be a class index in [0, ${k}) or ignoreIndex (-100), received ${k}`;
    // 'sum' has no divisor to compute first: the pool's own check refuses it ('mean' checks before).
    for (const reduction of ['sum', 'mean'] as const) {
      expect(() => ls.crossEntropyWithGrad(logits, targets, { numClasses: k, reduction, gradOut })).toThrow(message);
      expect(() => ls.crossEntropyWithGrad(logits, targets, { numClasses: k, reduction, inPlace: true })).toThrow(message);
    }
    expect(gradOut.every((v) => v === 7)).toBe(true);
    expect(bits(logits)).toEqual(bits(x));
  });

  // Where a call starts to split (threads/split.ts, SPLIT_MIN_CHUNKS = 1.5, measured by
  // bench/split-threshold.mjs): seen through a worker that fails on any chunk it claims. At
  // K = 1000 a chunk holds 65 rows: 97 rows (under 1.5 chunks) stay on the caller, 98 split
  // (98,000 values, under the 2^17 values of the rule before).
  // 10 s: starts a pool twice (0.3–0.4 s here with the other core busy).
  it('splits a call from one and a half chunks of rows on, not below', { timeout: 10_000 }, async () => {
    const k = 1000;
    const call = (n: number) => () => ls.crossEntropyWithGrad(pseudoRandom(n * k, n), Array(n).fill(1), { numClasses: k });
    process.env.LABELSMOOTH_TEST_WORKER_FAULT = 'throw';
    await ls.setThreads(2);
    delete process.env.LABELSMOOTH_TEST_WORKER_FAULT;
    expect(call(97)).not.toThrow();
    // The worker fails as soon as it claims a chunk (a call may end before it wakes).
    let error: unknown;
    const splits = call(98);
    for (let i = 0; i < 50 && !error; i++) {
      try {
        splits();
      } catch (e) {
        error = e;
      }
    }
    expect(String(error)).toMatch(/a worker thread failed during the call \(a fault injected/);
    await ls.setThreads(1);
  });

  it('refuses a bad thread count with a typed error', async () => {
    await expect(ls.setThreads(0)).rejects.toThrow(new RangeError("setThreads: threads must be an integer from 1 to 256 or 'auto', received 0"));
    await expect(ls.setThreads('all' as never)).rejects.toThrow(RangeError);
    await expect(ls.init({ threads: null as never })).rejects.toThrow(TypeError);
  });
});

/**
 * Uniform logits over 1003 classes: every row's loss is ln 1003 (the kernel's f64 ln, within an
 * ulp of Math.log), and the mean adds 131 of them in f64 (131 roundings of 2^-53 relative each).
 */
function expectMeanOfLn1003(loss: number): void {
  expect(Math.abs(loss - Math.log(1003))).toBeLessThanOrEqual(133 * 2 ** -53 * Math.log(1003));
}

/** Runs `code` (an ES module) in a fresh Node process; returns its output. */
function node(code: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr };
}

// 10 s each: a fresh Node process that loads the package (0.4–0.6 s here with the other core busy).
describe('threads in a fresh process', { timeout: 10_000 }, () => {
  it('exits with a pool alive (the workers are unref’d)', () => {
    const r = node(`import * as ls from ${JSON.stringify(DIST)};
      await ls.init({ threads: 2 });
      const x = new Float32Array(131 * 1003).fill(1);
      console.log(JSON.stringify([ls.threadCount(), ls.crossEntropy(x, Array(131).fill(3), { numClasses: 1003 })]));`);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const [threads, loss] = JSON.parse(r.stdout);
    expect(threads).toBe(2);
    expectMeanOfLn1003(loss);
  });

  it('falls back to one thread with a reason when there is no SharedArrayBuffer', () => {
    const r = node(`delete globalThis.SharedArrayBuffer;
      const ls = await import(${JSON.stringify(DIST)});
      await ls.init({ threads: 'auto' });
      const x = new Float32Array(131 * 1003).fill(1);
      console.log(JSON.stringify([ls.threadStatus(), ls.crossEntropy(x, Array(131).fill(3), { numClasses: 1003 })]));`);
    expect(r.status, r.stderr).toBe(0);
    const [status, loss] = JSON.parse(r.stdout);
    expect(status.threads).toBe(1);
    expect(status.fallback).toBe('this runtime has no SharedArrayBuffer');
    expectMeanOfLn1003(loss);
  });
});
