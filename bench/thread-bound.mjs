// What two threads can get out of this machine on the benchmark's bytes, with no pool: the
// threaded build instantiated on one shared memory in the main thread and in one worker
// (node:worker_threads), each thread given a fixed half of the rows and started at once. Three
// loops over the same N×K logits and gradient, 1 thread against 2, alternating, medians:
//   copy  the logits into the gradient (JavaScript copyWithin, a memmove: memory traffic only)
//   exp   `exp_map`, gradient = exp(logits) (one read, one write, the kernels' exp)
//   ce    the `cross_entropy` export with its gradient (the kernel the pool runs)
// The pool's speed-up (bench/threads.mjs) can reach the `ce` row's; where `copy` is below 2, the
// memory bounds any two-thread figure at these sizes (bench/README.md, "Threads"). The last
// column compares each configuration's fastest round (the nearest to two free cores when the
// machine is shared).
//   node bench/thread-bound.mjs [--rounds R] [--shapes 8192x1000,1024x32000,128x256000]
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { median } from './timing.mjs';
import { crossEntropyKernel, expMapKernel, invokeKernel } from './wasm-interface.generated.mjs';

const dir = new URL('../packages/labelsmooth/wasm/threads/', import.meta.url);
const glue = await import(new URL('labelsmooth_wasm.js', dir).href);

/** One thread's share of a loop: rows [first, first + rows) of the job at `job`. */
function work(k, memory, job, first, rows, frame) {
  const [what, n, kk, logits, grad, targets] = job;
  const at = first * kk;
  const len = rows * kk;
  if (what === 0) new Uint8Array(memory.buffer).copyWithin(grad + 4 * at, logits + 4 * at, logits + 4 * (at + len));
  else if (what === 1) invokeKernel(k, expMapKernel, frame, { x: logits + 4 * at, len, out: grad + 4 * at });
  else {
    const smoothing = { numClasses: kk, convention: 0, paddingIdx: 0, ignoreIndex: -100, epsilon: 0.1 };
    const call = { smoothing, logits: logits + 4 * at, targets: targets + 4 * first, numRows: rows, classWeights: 0, zLoss: 0, upstreamPerRow: 0, gradScale: 1 / n, perRowLosses: 0, grad: grad + 4 * at };
    const outcome = invokeKernel(k, crossEntropyKernel, frame, call);
    if (outcome.status !== 0) throw new Error(`cross_entropy refused: status ${outcome.status}`);
  }
}

// The control words (Int32Array over their own SharedArrayBuffer): 0 go (a counter), 1 done,
// 2 stop, then the job: what, N, K, logits, grad, targets, first row, rows.
if (!isMainThread) {
  const { module, memory, control: sab, frame } = workerData;
  const k = { ...glue.initSync({ module, memory }), memory };
  const c = new Int32Array(sab);
  parentPort.postMessage('ready');
  for (let seen = 0; ; ) {
    Atomics.wait(c, 0, seen);
    seen = Atomics.load(c, 0);
    if (Atomics.load(c, 2)) break;
    work(k, memory, Array.from(c.subarray(3, 9)), c[9], c[10], frame);
    Atomics.add(c, 1, 1);
    Atomics.notify(c, 1);
  }
} else {
  const args = process.argv.slice(2);
  const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const rounds = Number(value('--rounds', '9'));
  const shapes = value('--shapes', '8192x1000,1024x32000,128x256000').split(',').map((s) => s.split('x').map(Number));
  const module = new WebAssembly.Module(readFileSync(new URL('labelsmooth_wasm_bg.wasm', dir)));
  const memory = new WebAssembly.Memory({ initial: 40, maximum: 65536, shared: true });
  const k = { ...glue.initSync({ module, memory }), memory };
  const control = new SharedArrayBuffer(64);
  const c = new Int32Array(control);
  const mainFrame = k.alloc(256);
  const worker = new Worker(new URL(import.meta.url), { workerData: { module, memory, control, frame: k.alloc(256) } });
  await new Promise((resolve) => worker.once('message', resolve));
  console.log(`thread bound: ${rounds} alternating rounds, fixed halves, no pool`);
  console.log(`${'shape'.padEnd(12)} ${'loop'.padEnd(5)} ${'1 thread ms'.padStart(12)} ${'2 threads ms'.padStart(13)} ${'speed-up'.padStart(9)} ${'GB/s (2 thr.)'.padStart(14)} ${'best-round speed-up'.padStart(20)}`);
  for (const [n, kk] of shapes) {
    const area = n * kk;
    const logits = k.alloc(4 * area);
    const grad = k.alloc(4 * area);
    const targets = k.alloc(4 * n);
    const x = new Float32Array(memory.buffer, logits, area);
    for (let i = 0; i < area; i++) x[i] = Math.sin(i * 0.37) * 4;
    new Float32Array(memory.buffer, grad, area).fill(1);
    const t = new Int32Array(memory.buffer, targets, n);
    for (let i = 0; i < n; i++) t[i] = (i * 7919) % kk;
    for (const [what, name] of [[0, 'copy'], [1, 'exp'], [2, 'ce']]) {
      const job = [what, n, kk, logits, grad, targets];
      const run = (threads) => {
        const half = threads === 2 ? Math.ceil(n / 2) : n;
        const t0 = performance.now();
        if (threads === 2) {
          c.set(job, 3);
          c[9] = half;
          c[10] = n - half;
          Atomics.store(c, 1, 0);
          Atomics.add(c, 0, 1);
          Atomics.notify(c, 0);
        }
        work(k, memory, job, 0, half, mainFrame);
        if (threads === 2) while (Atomics.load(c, 1) === 0) Atomics.wait(c, 1, 0);
        return performance.now() - t0;
      };
      const times = { 1: [], 2: [] };
      run(1);
      run(2);
      for (let r = 0; r < rounds; r++) for (const threads of [1, 2]) times[threads].push(run(threads));
      const one = median(times[1]);
      const two = median(times[2]);
      const bytes = 8 * area;
      // The fastest round of each: on a shared machine, the nearest to both cores being free.
      const best = Math.min(...times[1]) / Math.min(...times[2]);
      console.log(`${`${n}×${kk}`.padEnd(12)} ${name.padEnd(5)} ${one.toFixed(2).padStart(12)} ${two.toFixed(2).padStart(13)} ${(one / two).toFixed(3).padStart(9)} ${(bytes / two / 1e6).toFixed(1).padStart(14)} ${best.toFixed(3).padStart(20)}`);
    }
    k.dealloc(logits, 4 * area);
    k.dealloc(grad, 4 * area);
    k.dealloc(targets, 4 * n);
  }
  Atomics.store(c, 2, 1);
  Atomics.add(c, 0, 1);
  Atomics.notify(c, 0);
}
