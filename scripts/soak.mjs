#!/usr/bin/env node
// Soak test (issue 7): 100,000 mixed calls over every public function, with random sizes up to
// 4 MB per array (log-uniform: most calls small, some of a million floats), ~5 % of them refused
// on purpose (bad targets, detached buffers, wrong lengths), 1 call in 14 through a WasmArray.
// Measures the wasm memory and the process RSS before, after and at the peak, prints them, and
// exits non-zero when growth exceeds the bound:
//   * wasm memory: after the warm-up (every function at the largest sizes and extreme shapes,
//     then 2 % of the calls), it may not grow by more than 50 % (wasm memory never shrinks, so a
//     leak shows as growth; the 50 % is room for fragmentation by random sizes);
//   * the allocator hands out the same address for a fresh 16 KiB block before and after
//     (nothing leaked inside the heap);
//   * RSS after a final GC: at most 256 MiB above the RSS after the warm-up.
//
//   node scripts/soak.mjs            100,000 calls, arrays up to 4 MiB
//   node scripts/soak.mjs --quick    10,000 calls, arrays up to 1 MiB, for CI
//   node scripts/soak.mjs --calls N --seed S --backend scalar|simd128
//   node scripts/soak.mjs --quick --threads 2   the same calls over the worker pool (the threaded build)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

if (typeof globalThis.gc !== 'function') {
  // Re-run with a collectable heap, so that RSS figures are not GC timing.
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const L = await import(path.join(root, 'packages/labelsmooth/dist/index.mjs'));

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const quick = args.includes('--quick');
const CALLS = Number(opt('--calls', quick ? 10_000 : 100_000));
const SEED = Number(opt('--seed', 7));
// Up to 4 MiB of float32 per array (1 MiB in --quick); --max-floats overrides.
const MAX_FLOATS = Number(opt('--max-floats', quick ? 1 << 18 : 1 << 20));
const WASM_GROWTH_BOUND = 0.5;
const RSS_BOUND = 256 * 2 ** 20;
if (opt('--backend')) L.initSync({ backend: opt('--backend') });
if (opt('--threads')) {
  const threads = opt('--threads') === 'auto' ? 'auto' : Number(opt('--threads'));
  await L.init({ threads });
  if (L.threadCount() < 2) {
    console.error(`soak: --threads ${threads} asked for, but ${L.threadCount()} thread serves calls: ${L.threadStatus().fallback}`);
    process.exit(1);
  }
}

// xorshift32
let state = SEED >>> 0 || 1;
const rand = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

// Shared random pools; calls take subarrays (no per-call input allocation in JS).
const pool = Float32Array.from({ length: MAX_FLOATS }, () => (rand() - 0.5) * 20);
for (let i = 0; i < 200; i++) pool[int(0, MAX_FLOATS - 1)] = [NaN, Infinity, -Infinity][i % 3];
const probs = Float32Array.from({ length: MAX_FLOATS }, () => rand());
const logp = Float32Array.from(pool, (v) => -Math.abs(v) - 0.01);
const targetsPool = Int32Array.from({ length: MAX_FLOATS }, () => int(0, 1 << 20));

function memoryBytes() {
  const a = L.allocFloat32(1);
  const n = a.view.buffer.byteLength;
  a.free();
  return n;
}
function freshAddress() {
  const a = L.allocFloat32(4096);
  const p = a.view.byteOffset;
  a.free();
  return p;
}
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** A random shape with N·K ≤ `max` floats, log-uniform in size. */
function shape(max = MAX_FLOATS) {
  const total = Math.max(1, Math.floor(Math.exp(rand() * Math.log(max))));
  const k = rand() < 0.1 ? 1 : Math.max(1, Math.min(total, Math.floor(Math.exp(rand() * Math.log(Math.min(total, 200_000))))));
  return { n: Math.floor(total / k), k };
}
function targetsFor(n, k) {
  const start = int(0, MAX_FLOATS - n);
  return Int32Array.from(targetsPool.subarray(start, start + n), (v) => (v % 11 === 0 ? -100 : v % k));
}
const slice = (src, len) => {
  const start = int(0, src.length - len);
  return src.subarray(start, start + len);
};

const kinds = [
  'smoothTargets', 'crossEntropy', 'crossEntropyWithGrad', 'crossEntropyParts', 'softCrossEntropy', 'softCrossEntropyWithGrad',
  'softmaxCrossEntropy', 'softmaxCrossEntropyWithGrad', 'sigmoidCrossEntropy', 'sigmoidCrossEntropyWithGrad', 'klDiv', 'klDivWithGrad',
  'LabelSmoothing', 'WasmArray',
];

function call(kind, s, bad) {
  const { n, k } = s;
  const x = slice(pool, n * k);
  const t = targetsFor(n, k);
  if (bad) t[n - 1] = k + 3; // refused by the kernel after staging (n ≥ 1 is ensured below)
  const eps = rand() < 0.3 ? 0 : rand();
  switch (kind) {
    case 'smoothTargets': return L.smoothTargets(t, k, { labelSmoothing: eps });
    case 'crossEntropy': return L.crossEntropy(x, t, { numClasses: k, labelSmoothing: eps, reduction: ['none', 'mean', 'sum'][int(0, 2)] });
    case 'crossEntropyWithGrad': return L.crossEntropyWithGrad(x, t, { numClasses: k, labelSmoothing: eps, zLoss: rand() < 0.5 ? 0 : 1e-4 });
    case 'crossEntropyParts': return L.crossEntropyParts(x, t, { numClasses: k, labelSmoothing: eps, convention: k >= 2 ? 'fairseq' : 'uniform' });
    case 'softCrossEntropy': return L.softCrossEntropy(x, slice(probs, n * k + (bad ? 1 : 0)), { numClasses: k, labelSmoothing: eps });
    case 'softCrossEntropyWithGrad': return L.softCrossEntropyWithGrad(x, slice(probs, n * k + (bad ? 1 : 0)), { numClasses: k, labelSmoothing: eps, reduction: 'sum' });
    case 'softmaxCrossEntropy': return L.softmaxCrossEntropy(slice(probs, n * k), x, { numClasses: k, labelSmoothing: eps, weights: bad ? new Float32Array(n + 1) : undefined });
    case 'softmaxCrossEntropyWithGrad': return L.softmaxCrossEntropyWithGrad(slice(probs, n * k), x, { numClasses: k, reduction: int(0, 3) });
    case 'sigmoidCrossEntropy': return L.sigmoidCrossEntropy(slice(probs, n * k), x, { numClasses: k, labelSmoothing: bad ? 2 : eps });
    case 'sigmoidCrossEntropyWithGrad': return L.sigmoidCrossEntropyWithGrad(slice(probs, n * k), x, { numClasses: k, reduction: L.Reduction.SUM });
    case 'klDiv': return L.klDiv(slice(logp, n * k), slice(probs, n * k), { numClasses: k, reduction: 'batchmean' });
    case 'klDivWithGrad': {
      const input = bad ? new Float32Array(n * k) : slice(logp, n * k);
      if (bad) structuredClone(input.buffer, { transfer: [input.buffer] }); // detached: refused
      return L.klDivWithGrad(input, slice(probs, n * k), { numClasses: k, reduction: 'none' });
    }
    case 'LabelSmoothing': {
      const size = Math.max(k, 3);
      const rows = Math.min(n, Math.floor(MAX_FLOATS / size));
      const crit = new L.LabelSmoothing({ size, paddingIdx: 0, smoothing: eps, fromLogits: rand() < 0.5 });
      const xx = slice(logp, rows * size);
      const tt = Int32Array.from(t.subarray(0, rows), (v) => (v < 0 ? 0 : v % size));
      if (rows === 0) return 0;
      if (bad) tt[0] = size;
      const loss = crit.forward(xx, tt);
      crit.backward();
      return loss;
    }
    case 'WasmArray': {
      const a = L.allocFloat32(n * k);
      a.view.set(x);
      try {
        if (bad) return L.crossEntropyWithGrad(a, t, { numClasses: k, inPlace: true });
        return L.crossEntropyWithGrad(a, t, { numClasses: k, labelSmoothing: eps, gradOut: a });
      } finally {
        a.free();
      }
    }
  }
  throw new Error(`unknown kind ${kind}`);
}

/** Kinds without a refused variant in `call`. */
const noBadVariant = new Set(['softmaxCrossEntropyWithGrad', 'sigmoidCrossEntropyWithGrad', 'klDiv']);

const started = performance.now();
globalThis.gc();
const before = { wasm: memoryBytes(), rss: process.memoryUsage().rss };

// Warm-up: every kind at the largest sizes and extreme shapes (K = 1, K = 1024, one row), so the
// heap reaches its working size; then 2 % of the calls at random.
for (const s of [{ n: MAX_FLOATS, k: 1 }, { n: MAX_FLOATS / 1024, k: 1024 }, { n: 1, k: MAX_FLOATS }]) for (const kind of kinds) call(kind, s, false);
for (let i = 0; i < CALLS / 50; i++) call(kinds[i % kinds.length], shape(), false);
globalThis.gc();
const warm = { wasm: memoryBytes(), rss: process.memoryUsage().rss, address: freshAddress() };

let peakRss = warm.rss;
let peakWasm = warm.wasm;
let refused = 0;
let traps = 0;
let unexpected = 0;
const perKind = Object.fromEntries(kinds.map((k) => [k, 0]));
for (let i = 0; i < CALLS; i++) {
  const kind = kinds[i % kinds.length];
  const bad = rand() < 0.05;
  const s = shape();
  if (bad && s.n < 1) s.n = 1;
  perKind[kind]++;
  const mustRefuse = bad && !noBadVariant.has(kind);
  try {
    call(kind, s, mustRefuse);
    if (mustRefuse) {
      unexpected++;
      if (unexpected <= 5) console.error(`call ${i} (${kind}, n=${s.n}, k=${s.k}) was not refused`);
    }
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) traps++;
    else if (mustRefuse && (e instanceof RangeError || e instanceof TypeError)) refused++;
    else {
      unexpected++;
      if (unexpected <= 5) console.error(`call ${i} (${kind}, n=${s.n}, k=${s.k}, bad=${bad}):`, e);
    }
  }
  if (i % 1000 === 999) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakWasm = Math.max(peakWasm, memoryBytes());
    if (!quick && i % 20_000 === 19_999) console.log(`  ${i + 1} calls, ${((performance.now() - started) / 1000).toFixed(1)} s, wasm ${mib(memoryBytes())}, rss ${mib(process.memoryUsage().rss)}`);
  }
}
globalThis.gc();
await new Promise((r) => setTimeout(r, 50)); // let the FinalizationRegistry run
globalThis.gc();
const after = { wasm: memoryBytes(), rss: process.memoryUsage().rss, address: freshAddress() };
peakRss = Math.max(peakRss, after.rss);
peakWasm = Math.max(peakWasm, after.wasm);
const seconds = (performance.now() - started) / 1000;

console.log(`labelsmooth soak (${L.backend()} build, ${L.threadCount()} thread${L.threadCount() > 1 ? 's' : ''}): ${CALLS} calls (${refused} refused on purpose), seed ${SEED}, ${seconds.toFixed(1)} s`);
console.log(`  wasm memory: before ${mib(before.wasm)}, after warm-up ${mib(warm.wasm)}, after ${mib(after.wasm)}, peak ${mib(peakWasm)}`);
console.log(`  process RSS: before ${mib(before.rss)}, after warm-up ${mib(warm.rss)}, after ${mib(after.rss)}, peak ${mib(peakRss)}`);
console.log(`  fresh-block address: after warm-up ${warm.address}, after ${after.address}`);
const failures = [];
if (traps) failures.push(`${traps} wasm traps`);
if (unexpected) failures.push(`${unexpected} unexpected results or errors`);
if (after.wasm > warm.wasm * (1 + WASM_GROWTH_BOUND)) failures.push(`wasm memory grew ${mib(after.wasm - warm.wasm)} (> ${WASM_GROWTH_BOUND * 100} % of ${mib(warm.wasm)})`);
if (after.address !== warm.address) failures.push(`the allocator moved a fresh block from ${warm.address} to ${after.address} (a leak in the heap)`);
if (after.rss > warm.rss + RSS_BOUND) failures.push(`RSS grew ${mib(after.rss - warm.rss)} (> ${mib(RSS_BOUND)})`);
console.log(`  bounds: wasm growth ≤ ${WASM_GROWTH_BOUND * 100} % after warm-up, same fresh-block address, RSS growth ≤ ${mib(RSS_BOUND)} after warm-up`);
if (failures.length) {
  console.error(`soak FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('soak passed');
