// Dev probe: cross-entropy forward+gradient with a separate gradient vs in place, side by side
// (bench/README.md, "In place vs a separate gradient"). Calls the raw `cross_entropy` export of
// one or more wasm builds (wasm-bindgen output directories), alternating the variants call by
// call, and prints medians and the in-place ÷ separate ratio of each build.
//   node bench/probe-inplace.mjs [--builds DIR[,DIR…]] [--shape NxK] [--rounds R]
//   DIR defaults to packages/labelsmooth/wasm/simd128; e.g. a build of another commit made with
//   bench/dev-build.sh and copied aside, to compare before and after a kernel change.
// Variants: "separate" (gradOut, the benchmark's kernel row); "in place, fresh" (the logits
// restored from a pristine copy before every call, outside the timed region); "in place, as
// bench" (every call overwrites the logits with its gradient, like the benchmark's in-place row);
// "separate on gradients" (a separate gradient computed from logits that are such a gradient).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fillLogits, makeTargets } from './bench.mjs';
import { crossEntropyKernel, frameBytes, invokeKernel } from './wasm-interface.generated.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dirs = value('--builds', join(root, 'packages/labelsmooth/wasm/simd128')).split(',');
const [n, k] = value('--shape', '8192x1000').split('x').map(Number);
const rounds = Number(value('--rounds', '15'));
const area = n * k;

// The benchmark's logits (bench/bench.mjs) and targets.
const pristine = new Float32Array(area);
fillLogits(pristine, n, k);

const variants = [];
for (const [b, dir] of dirs.entries()) {
  const glue = await import(`${pathToFileURL(resolve(dir, 'labelsmooth_wasm.js')).href}?build=${b}`);
  const w = glue.initSync({ module: readFileSync(resolve(dir, 'labelsmooth_wasm_bg.wasm')) });
  const [xp, gp, ip, bp, ep, tp] = [area, area, area, area, area, n].map((len) => w.alloc(len * 4));
  const at = (p) => new Float32Array(w.memory.buffer, p, area);
  const t = new Int32Array(w.memory.buffer, tp, n);
  t.set(makeTargets(n, k));
  // ε = 0.1, mean (no ignored targets: D = n), no weights; grad address = logits address means in place. The builds must
  // share this checkout's interface (crates/abi).
  const frame = w.alloc(frameBytes(crossEntropyKernel));
  const smoothing = { numClasses: k, convention: 0, paddingIdx: 0, ignoreIndex: -100, epsilon: 0.1 };
  const call = { smoothing, targets: tp, numRows: n, classWeights: 0, zLoss: 0, upstreamPerRow: 0, gradScale: 1 / n, perRowLosses: 0 };
  const ce = (x, g) => invokeKernel(w, crossEntropyKernel, frame, { ...call, logits: x, grad: g });
  at(xp).set(pristine);
  at(bp).set(pristine);
  at(ep).set(pristine);
  for (let i = 0; i < 20; i++) ce(ep, ep); // gradient values, as the in-place row leaves them
  const label = dirs.length > 1 ? `build ${b} ` : '';
  variants.push(
    { build: b, name: `${label}separate`, run: () => ce(xp, gp) },
    { build: b, name: `${label}in place, fresh`, before: () => at(ip).set(pristine), run: () => ce(ip, ip) },
    { build: b, name: `${label}in place, as bench`, run: () => ce(bp, bp) },
    { build: b, name: `${label}separate on gradients`, run: () => ce(ep, gp) },
  );
}
for (const v of variants) {
  v.times = [];
  for (let i = 0; i < 10; i++) {
    v.before?.();
    v.run();
  }
}
for (let r = 0; r < rounds; r++) {
  for (const v of variants) {
    v.before?.();
    const t0 = performance.now();
    v.run();
    v.times.push(performance.now() - t0);
  }
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`cross_entropy fwd+grad ${n}×${k}, ε = 0.1, mean; ${rounds} alternating rounds; ${dirs.map((d, b) => `build ${b}: ${d}`).join('; ')}`);
for (const v of variants) {
  const m = median(v.times);
  const separate = median(variants.find((s) => s.build === v.build).times);
  console.log(`${v.name.padEnd(32)} ${m.toFixed(2).padStart(8)} ms  ${(area / m / 1e3).toFixed(0).padStart(5)} M logits/s  ÷ separate ${(m / separate).toFixed(3)}`);
}
