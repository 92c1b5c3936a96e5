#!/usr/bin/env node
// The linear head (linearCrossEntropy, issue 15), three measures, each printed as it is made:
//   gemm    the kernel crate's GEMM (the head's three products) against tfjs-wasm's matMul
//           (XNNPACK, one thread) on the same shapes, GFLOP/s, medians of runs interleaved;
//   head    one training step of a language-model head, loss + gradients of hidden and weight:
//           linearCrossEntropyWithGrad against tfjs-wasm (matMul + tf.losses.softmaxCrossEntropy
//           + tf.grads), medians interleaved;
//   memory  the wasm memory one linearCrossEntropyWithGrad call adds (its chunk buffers), against
//           the explicit path's logits and gradient, each in a fresh Node process (wasm memory
//           only grows, so the growth over the call is the most it held at once).
//   node bench/linear-head.mjs [gemm|head|memory]... [--quick] [--memory-shape NxDxV]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { frameBytes, gemmKernel, invokeKernel, linearScratchLenKernel } from './wasm-interface.generated.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const shapeArg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback).split('x').map(Number);
const lsUrl = pathToFileURL(join(root, 'packages/labelsmooth/dist/index.mjs')).href;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const MiB = 2 ** 20;

/** Times each of `fns` `runs` times, interleaved, after a warm-up; the median ms of each. */
function interleaved(fns, runs) {
  for (const f of fns) f();
  const times = fns.map(() => []);
  for (let r = 0; r < runs; r++) {
    fns.forEach((f, i) => {
      const t0 = performance.now();
      f();
      times[i].push(performance.now() - t0);
    });
  }
  return times.map(median);
}

/** The simd128 build instantiated through its glue, so the GEMM export (not public API) can be called. */
async function rawModule() {
  const dir = join(root, 'packages/labelsmooth/wasm/simd128');
  const glue = await import(pathToFileURL(join(dir, 'labelsmooth_wasm.js')).href);
  return glue.initSync({ module: readFileSync(join(dir, 'labelsmooth_wasm_bg.wasm')) });
}

async function tfjs() {
  // tfjs logs its platform and backend choice: quiet while it loads.
  const saved = { log: console.log, warn: console.warn };
  console.log = console.warn = () => {};
  try {
    const { tfjsOnWasm } = await import('./tfjs-wasm.mjs');
    return await tfjsOnWasm(root);
  } finally {
    Object.assign(console, saved);
  }
}

function random(len, seed) {
  const a = new Float32Array(len);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    a[i] = (x >>> 0) / 2 ** 32 - 0.5;
  }
  return a;
}

async function gemmBench() {
  const w = await rawModule();
  const { tf, threads } = await tfjs();
  const frame = w.alloc(Math.max(256, frameBytes(gemmKernel), frameBytes(linearScratchLenKernel)));
  const wsFloats = invokeKernel(w, linearScratchLenKernel, frame, { chunkRows: 0, numClasses: 1, softcap: 0 }).result.floats;
  const ws = w.alloc(wsFloats * 4);
  console.log(`## GEMM: labelsmooth gemm (simd128, one thread) vs tfjs-wasm matMul (backend ${tf.getBackend()}, threads: ${threads}), GFLOP/s, median of ${quick ? 5 : 9}`);
  console.log('| product | m×n×k | labelsmooth | tfjs-wasm | ratio |');
  console.log('|---|---|---|---|---|');
  // The head's products at a chunk of 256 rows, D = 512, a vocabulary slice of 4096 classes.
  const shapes = [
    ['z = h·Wᵀ', 256, 4096, 512, false, true],
    ['dH = dz·W', 256, 512, 4096, false, false],
    ['dW = dzᵀ·h', 4096, 512, 256, true, false],
    ['square', 512, 512, 512, false, false],
  ];
  for (const [name, m, n, k, aT, bT] of shapes) {
    const a = random(m * k, 1), b = random(k * n, 2);
    const pa = w.alloc(a.length * 4), pb = w.alloc(b.length * 4), pc = w.alloc(m * n * 4);
    new Float32Array(w.memory.buffer, pa, a.length).set(a);
    new Float32Array(w.memory.buffer, pb, b.length).set(b);
    const ta = tf.tensor2d(a, aT ? [k, m] : [m, k]), tb = tf.tensor2d(b, bT ? [n, k] : [k, n]);
    const ours = () => invokeKernel(w, gemmKernel, frame, { a: pa, b: pb, c: pc, m, n, k, aTransposed: aT ? 1 : 0, bTransposed: bT ? 1 : 0, accumulate: 0, workspace: ws });
    // dataSync: tfjs-wasm runs the kernel when the op is called; the read-back copies m·n floats.
    // No tf.tidy around it: inside tidy, tfjs-wasm's matMul measured 20–30× slower here (512³:
    // 550–770 ms against 21–28 ms), so the fastest way tfjs offers is the one measured.
    const theirs = () => {
      const c = tf.matMul(ta, tb, aT, bT);
      c.dataSync();
      c.dispose();
    };
    const check = new Float32Array(w.memory.buffer, pc, m * n);
    ours();
    const cRef = tf.matMul(ta, tb, aT, bT);
    const ref = cRef.dataSync();
    cRef.dispose();
    let worst = 0;
    for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(check[i] - ref[i]));
    if (!(worst <= k * 2 ** -23 * k)) throw new Error(`${name}: results differ by ${worst}`);
    const [mine, tfMs] = interleaved([ours, theirs], quick ? 5 : 9);
    const gflops = (ms) => (2 * m * n * k) / ms / 1e6;
    console.log(`| ${name} | ${m}×${n}×${k} | ${gflops(mine).toFixed(2)} | ${gflops(tfMs).toFixed(2)} | ${(tfMs / mine).toFixed(2)} |`);
    ta.dispose();
    tb.dispose();
    for (const p of [[pa, a.length], [pb, b.length], [pc, m * n]]) w.dealloc(p[0], p[1] * 4);
  }
}

async function headBench() {
  const ls = await import(lsUrl);
  ls.initSync({ backend: 'simd128' });
  const { tf, threads } = await tfjs();
  const [n, d, v] = quick ? [128, 256, 4096] : [512, 512, 8192];
  const eps = 0.1;
  console.log(`## Head fwd+bwd: N=${n} D=${d} V=${v}, ε=${eps}, mean; labelsmooth (simd128) vs tfjs-wasm (threads: ${threads}), ms, median of ${quick ? 5 : 7}`);
  const h = random(n * d, 3), W = random(v * d, 4);
  const targets = Int32Array.from({ length: n }, (_, i) => (i * 7919) % v);
  const [hA, wA, ghA, gwA] = [ls.allocFloat32(n * d), ls.allocFloat32(v * d), ls.allocFloat32(n * d), ls.allocFloat32(v * d)];
  hA.view.set(h);
  wA.view.set(W);
  const ours = () => ls.linearCrossEntropyWithGrad(hA, wA, targets, { hiddenSize: d, labelSmoothing: eps, gradHiddenOut: ghA, gradWeightOut: gwA }).loss;
  const th = tf.tensor2d(h, [n, d]), tw = tf.tensor2d(W, [v, d]);
  const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(targets, 'int32'), v).cast('float32'));
  const grads = tf.grads((x, k) => tf.losses.softmaxCrossEntropy(onehot, tf.matMul(x, k, false, true), undefined, eps));
  // tf.grads disposes its intermediates itself; no tf.tidy around it (see the GEMM note).
  const theirs = () => {
    const [gh, gw] = grads([th, tw]);
    gh.dataSync();
    gw.dataSync();
    gh.dispose();
    gw.dispose();
  };
  // The same loss: tfjs's mean divides by N, as labelsmooth's 'mean' with every row counted.
  const tfLoss = tf.tidy(() => tf.losses.softmaxCrossEntropy(onehot, tf.matMul(th, tw, false, true), undefined, eps).dataSync()[0]);
  const ourLoss = ours();
  if (!(Math.abs(ourLoss - tfLoss) <= 1e-4 * Math.abs(tfLoss))) throw new Error(`losses differ: ${ourLoss} vs ${tfLoss}`);
  // labelsmooth/tfjs's op on the same tensors: the kernel D×V as a dense layer stores it.
  const lt = await import(pathToFileURL(join(root, 'packages/labelsmooth/dist/tfjs.mjs')).href);
  const tk = tf.transpose(tw);
  const tl = tf.tensor1d(targets, 'int32');
  const opGrads = tf.grads((x, k) => lt.linearSoftmaxCrossEntropy(x, k, tl, { labelSmoothing: eps }));
  const viaTfjsOp = () => {
    const [gh, gk] = opGrads([th, tk]);
    gh.dataSync();
    gk.dataSync();
    gh.dispose();
    gk.dispose();
  };
  const tensors = tf.memory().numTensors;
  const [mine, tfMs, opMs] = interleaved([ours, theirs, viaTfjsOp], quick ? 5 : 7);
  if (tf.memory().numTensors !== tensors) throw new Error(`tfjs leaked ${tf.memory().numTensors - tensors} tensors`);
  console.log(`| labelsmooth ${mine.toFixed(1)} ms | labelsmooth/tfjs linearSoftmaxCrossEntropy ${opMs.toFixed(1)} ms | tfjs-wasm ${tfMs.toFixed(1)} ms | labelsmooth ${(tfMs / mine).toFixed(2)}×, the tfjs op ${(tfMs / opMs).toFixed(2)}× faster than tfjs | loss ${ourLoss.toFixed(5)} vs ${tfLoss.toFixed(5)} |`);
}

/** Child: one call of `impl` at n×d×v in this fresh process; prints the wasm memory it added. */
async function memoryChild(impl, n, d, v) {
  const ls = await import(lsUrl);
  ls.initSync({ backend: 'simd128' });
  const bytes = () => ls.allocFloat32(0).view.buffer.byteLength;
  const targets = Int32Array.from({ length: n }, (_, i) => (i * 7919) % v);
  if (impl === 'fused') {
    const [hA, wA, ghA, gwA] = [ls.allocFloat32(n * d), ls.allocFloat32(v * d), ls.allocFloat32(n * d), ls.allocFloat32(v * d)];
    hA.view.set(random(n * d, 5));
    wA.view.set(random(v * d, 6));
    const before = bytes();
    const t0 = performance.now();
    const loss = ls.linearCrossEntropyWithGrad(hA, wA, targets, { hiddenSize: d, labelSmoothing: 0.1, gradHiddenOut: ghA, gradWeightOut: gwA }).loss;
    process.stdout.write(JSON.stringify({ impl, extraBytes: bytes() - before, ms: performance.now() - t0, loss, totalBytes: bytes() }));
  } else {
    // The explicit path at its leanest: the N×V logits in a WasmArray, the gradient written over
    // them (crossEntropyWithGrad inPlace); the logits' values do not change the memory.
    const before = bytes();
    const logits = ls.allocFloat32(n * v);
    const loss = ls.crossEntropyWithGrad(logits, targets, { numClasses: v, labelSmoothing: 0.1, inPlace: true }).loss;
    process.stdout.write(JSON.stringify({ impl, extraBytes: bytes() - before, loss, totalBytes: bytes() }));
  }
}

function memoryBench() {
  const [n, d, v] = shapeArg('--memory-shape', '8192x8x50257');
  console.log(`## Peak extra wasm memory, N=${n} D=${d} V=${v} (the chunk buffers do not depend on D; a small D keeps the run short)`);
  const run = (impl) => {
    try {
      return JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', impl, String(n), String(d), String(v)], { encoding: 'utf8', maxBuffer: 1 << 20 }));
    } catch (e) {
      return { impl, error: String(e.stderr || e.message).split('\n').find((l) => /^\w*Error: /.test(l)) ?? 'failed' };
    }
  };
  const fused = run('fused');
  const explicit = run('explicit');
  const logitsAndGrad = 2 * n * v * 4;
  console.log(`| linearCrossEntropyWithGrad | ${fused.error ?? `${(fused.extraBytes / MiB).toFixed(1)} MiB extra (${(fused.ms / 1000).toFixed(1)} s, loss ${fused.loss.toFixed(4)}, wasm memory ${(fused.totalBytes / MiB).toFixed(0)} MiB in all)`} |`);
  console.log(`| explicit, in place (crossEntropyWithGrad on N×V logits) | ${explicit.error ?? `${(explicit.extraBytes / MiB).toFixed(1)} MiB extra`} |`);
  console.log(`| explicit, logits + gradient (2·N·V·4 B) | ${(logitsAndGrad / MiB).toFixed(1)} MiB (more than one wasm32 block, 2 GiB, holds: ${logitsAndGrad > 2 ** 31}) |`);
  if (!fused.error) console.log(`| ratio fused / (logits + gradient) | 1/${(logitsAndGrad / fused.extraBytes).toFixed(0)} |`);
}

if (args[0] === '--child') {
  await memoryChild(args[1], Number(args[2]), Number(args[3]), Number(args[4]));
} else {
  const which = args.filter((a) => ['gemm', 'head', 'memory'].includes(a));
  const all = which.length ? which : ['gemm', 'head', 'memory'];
  console.log(`# linear head bench (${new Date().toISOString()}, load: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')})`);
  if (all.includes('gemm')) await gemmBench();
  if (all.includes('head')) await headBench();
  if (all.includes('memory')) memoryBench();
}
