// Before/after: the public API of two builds of the package side by side in one Node process,
// the two builds' calls alternating round by round, so that a refactoring or a kernel change is
// judged by ratios from one run (bench/README.md, "Comparing two builds").
//   node bench/compare-builds.mjs BEFORE_DIST AFTER_DIST [--rounds R] [--quick]
// Each DIST is a built packages/labelsmooth/dist directory (its index.mjs is imported). Rows: the
// benchmark's three shapes and a small one where the per-call overhead shows; forward+gradient
// on WasmArrays (the kernel), forward only, and forward+gradient on plain Float32Arrays.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fillLogits, makeTargets } from './bench.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dists = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1] === '--rounds'));
if (dists.length !== 2) {
  console.error('usage: node bench/compare-builds.mjs BEFORE_DIST AFTER_DIST [--rounds R] [--quick]');
  process.exit(2);
}
const rounds = Number(value('--rounds', flag('--quick') ? '7' : '21'));
const shapes = flag('--quick') ? [[1024, 1000], [32, 10]] : [[8192, 1000], [1024, 32000], [128, 256000], [32, 10]];
const EPS = 0.1;

// The benchmark's logits and targets (bench/bench.mjs).
function problem(n, k) {
  const logits = new Float32Array(n * k);
  fillLogits(logits, n, k);
  return { logits, targets: makeTargets(n, k) };
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const builds = [];
for (const dist of dists) {
  const ls = await import(pathToFileURL(resolve(dist, 'index.mjs')).href);
  ls.initSync({ backend: 'simd128' });
  builds.push({ dist, ls });
}
console.log(`compare-builds: ${rounds} alternating rounds, simd128; A = ${dists[0]}, B = ${dists[1]}`);
console.log(`${'shape'.padEnd(12)} ${'row'.padEnd(30)} ${'A ms'.padStart(9)} ${'B ms'.padStart(9)} ${'B ÷ A'.padStart(7)}`);
for (const [n, k] of shapes) {
  const { logits, targets } = problem(n, k);
  // Calls per timed sample: enough that a small shape's sample lasts about a millisecond.
  const reps = Math.max(1, Math.round(2e5 / (n * k)));
  const rows = new Map();
  const setups = builds.map(({ ls }) => {
    const x = ls.allocFloat32(n * k);
    const g = ls.allocFloat32(n * k);
    x.view.set(logits);
    const opts = { numClasses: k, labelSmoothing: EPS };
    return {
      free: () => (x.free(), g.free()),
      rows: {
        'fwd+grad, WasmArray': () => ls.crossEntropyWithGrad(x, targets, { ...opts, gradOut: g }),
        'forward, WasmArray': () => ls.crossEntropy(x, targets, opts),
        'fwd+grad, Float32Array': () => ls.crossEntropyWithGrad(logits, targets, opts),
      },
    };
  });
  for (const name of Object.keys(setups[0].rows)) rows.set(name, builds.map(() => []));
  for (const s of setups) for (const run of Object.values(s.rows)) for (let i = 0; i < 3; i++) run();
  for (let r = 0; r < rounds; r++) {
    for (const name of rows.keys()) {
      setups.forEach((s, b) => {
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) s.rows[name]();
        rows.get(name)[b].push((performance.now() - t0) / reps);
      });
    }
  }
  for (const [name, [a, b]] of rows) {
    const [ma, mb] = [median(a), median(b)];
    console.log(`${`${n}×${k}`.padEnd(12)} ${name.padEnd(30)} ${ma.toFixed(4).padStart(9)} ${mb.toFixed(4).padStart(9)} ${(mb / ma).toFixed(3).padStart(7)}`);
  }
  for (const s of setups) s.free();
}
