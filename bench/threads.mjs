// Threads, side by side in one Node process: the simd128 build (no pool) against the threaded
// build with 1, 2 and 'auto' threads (init({ threads }) / setThreads), configurations alternating
// round by round, medians and the ratio to the threaded build's one thread. The first ratio is
// the threaded build's single-thread cost; the others, the pool's speed-up (bench/README.md).
//   node bench/threads.mjs [DIST] [--rounds R] [--quick] [--shapes 8192x1000,1024x32000]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { fillLogits, makeTargets } from './bench.mjs';
import { median, warmUp } from './timing.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dist = args.find((a, i) => !a.startsWith('--') && !(i > 0 && ['--rounds', '--shapes'].includes(args[i - 1]))) ?? 'packages/labelsmooth/dist';
const rounds = Number(value('--rounds', flag('--quick') ? '5' : '15'));
const shapes = value('--shapes')
  ? value('--shapes').split(',').map((s) => s.split('x').map(Number))
  : flag('--quick')
  ? [[64, 1000], [1024, 1000], [32, 32000]]
  : [[64, 1000], [8192, 1000], [1024, 32000], [128, 256000], [4, 256000], [1, 256000]];
const EPS = 0.1;
const ls = await import(pathToFileURL(resolve(dist, 'index.mjs')).href);


const auto = availableParallelism();
/** Each configuration: how to make it active. */
const configs = [
  ['simd128, no pool', async () => ls.initSync({ backend: 'simd128' })],
  ['threads build, 1 thread', () => ls.setThreads(1)],
  ['threads build, 2 threads', () => ls.setThreads(2)],
  [`threads build, auto (${auto})`, () => ls.setThreads('auto')],
];
await ls.init({ threads: 2 });
if (ls.threadCount() !== 2) {
  console.error(`threads unavailable: ${ls.threadStatus().fallback}`);
  process.exit(1);
}
console.log(`threads: ${rounds} alternating rounds; ${dist}; ${auto} cores available`);
console.log(`${'shape'.padEnd(12)} ${'row'.padEnd(24)} ${'configuration'.padEnd(28)} ${'ms'.padStart(9)} ${'÷ 1 thread'.padStart(10)}`);
for (const [n, k] of shapes) {
  const logits = new Float32Array(n * k);
  fillLogits(logits, n, k);
  const targets = makeTargets(n, k);
  const opts = { numClasses: k, labelSmoothing: EPS };
  // Calls per timed sample: enough that a small shape's sample lasts about 10 ms (samples of one
  // millisecond right after a reconfiguration measured the warm-up, not the call: bench/README.md).
  const reps = Math.max(1, Math.round(5e6 / (n * k)));
  const times = new Map();
  for (let r = 0; r < rounds; r++) {
    for (const [name, activate] of configs) {
      await activate();
      // WasmArrays belong to one build: made for the build active now.
      const x = ls.allocFloat32(n * k);
      const g = ls.allocFloat32(n * k);
      x.view.set(logits);
      const rows = {
        'fwd+grad, WasmArray': () => ls.crossEntropyWithGrad(x, targets, { ...opts, gradOut: g }),
        'fwd+grad, Float32Array': () => ls.crossEntropyWithGrad(logits, targets, opts),
      };
      for (const [row, run] of Object.entries(rows)) {
        warmUp(run);
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) run();
        const key = `${row}|${name}`;
        if (!times.has(key)) times.set(key, []);
        times.get(key).push((performance.now() - t0) / reps);
      }
      x.free();
      g.free();
    }
  }
  for (const row of ['fwd+grad, WasmArray', 'fwd+grad, Float32Array']) {
    const one = median(times.get(`${row}|threads build, 1 thread`));
    for (const [name] of configs) {
      const m = median(times.get(`${row}|${name}`));
      console.log(`${`${n}×${k}`.padEnd(12)} ${row.padEnd(24)} ${name.padEnd(28)} ${m.toFixed(4).padStart(9)} ${(one / m).toFixed(3).padStart(10)}`);
    }
  }
}
await ls.setThreads(1);
