// Two wasm builds side by side through their raw exports (no package around them), their calls
// alternating round by round: the exp bound (Σ exp(x − max), the `exp_sum` export), the
// cross-entropy forward pass and forward+gradient (ε = 0.1, mean), at the benchmark's three shapes
// and a small one. For a kernel change judged by ratios from one run, or two builds of one
// checkout (relaxed-simd against simd128): bench/README.md, "Relaxed SIMD".
//   node [--experimental-wasm-relaxed-simd] bench/compare-raw.mjs DIR_A DIR_B [--rounds R] [--median] [--shapes NxK,…]
//   deno run --allow-read bench/compare-raw.mjs DIR_A DIR_B [same options]
//   bun bench/compare-raw.mjs DIR_A DIR_B [same options]
// Each DIR holds a build's labelsmooth_wasm.js and labelsmooth_wasm_bg.wasm (for instance
// packages/labelsmooth/wasm/relaxed-simd after scripts/build.sh). Prints M elements/s of each, A → B,
// and B's speed-up; the best of R rounds (default 15), the round least disturbed on a shared
// machine, or with --median the median of the R rounds. --shapes replaces the four shapes; the exp
// bound of a shape runs over its N·K logits, in cache or not as the forward pass's are.
import { crossEntropyKernel, expSumKernel, invokeKernel } from './wasm-interface.generated.mjs';

const args = (globalThis.Deno?.args ?? globalThis.process?.argv.slice(2)) || [];
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 15);
const median = args.includes('--median');
const shapes = args.includes('--shapes')
  ? args[args.indexOf('--shapes') + 1].split(',').map((s) => s.split('x').map(Number))
  : [[8192, 1000], [1024, 32000], [128, 256000], [16, 2048]];
const dirs = args.filter((a, i) => !a.startsWith('--') && !['--rounds', '--shapes'].includes(args[i - 1]));
if (dirs.length !== 2) throw new Error('usage: bench/compare-raw.mjs DIR_A DIR_B [--rounds R] [--median] [--shapes NxK,…]');
const cwd = globalThis.Deno ? `file://${Deno.cwd()}/` : (await import('node:url')).pathToFileURL(`${process.cwd()}/`).href;
const read = async (url) => (globalThis.Deno ? Deno.readFileSync(url) : (await import('node:fs')).readFileSync(url));

const builds = [];
for (const dir of dirs) {
  const base = new URL(dir.endsWith('/') ? dir : `${dir}/`, cwd);
  const glue = await import(new URL('labelsmooth_wasm.js', base).href);
  builds.push(glue.initSync({ module: await read(new URL('labelsmooth_wasm_bg.wasm', base)) }));
}

const ROWS = ['exp bound', 'forward', 'fwd+grad'];
console.log(`compare-raw: ${median ? 'median' : 'best'} of ${rounds} alternating rounds; A = ${dirs[0]}, B = ${dirs[1]} (M elements/s, A → B, B's speed-up)`);
for (const [n, k] of shapes) {
  const area = n * k;
  // Calls per timed sample: enough that a small shape's sample lasts about a millisecond.
  const reps = Math.max(1, Math.round(2e6 / area));
  const setups = builds.map((w) => {
    const x = w.alloc(area * 4);
    const g = w.alloc(area * 4);
    const t = w.alloc(n * 4);
    const frame = w.alloc(256);
    const logits = new Float32Array(w.memory.buffer, x, area);
    for (let i = 0; i < area; i++) logits[i] = Math.sin(i * 0.37) * 4;
    const targets = new Int32Array(w.memory.buffer, t, n);
    for (let i = 0; i < n; i++) targets[i] = (i * 7919) % k;
    const smoothing = { numClasses: k, convention: 0, paddingIdx: 0, ignoreIndex: -100, epsilon: 0.1 };
    const ce = (grad) =>
      invokeKernel(w, crossEntropyKernel, frame, { smoothing, logits: x, targets: t, numRows: n, classWeights: 0, zLoss: 0, upstreamPerRow: 0, gradScale: 1 / n, perRowLosses: 0, grad });
    return {
      run: [() => invokeKernel(w, expSumKernel, frame, { x, len: area, shift: 4 }), () => ce(0), () => ce(g)],
      free: () => [[x, area * 4], [g, area * 4], [t, n * 4], [frame, 256]].forEach(([p, size]) => w.dealloc(p, size)),
    };
  });
  const samples = ROWS.map(() => builds.map(() => []));
  // Warm-up: three samples' worth of calls, so that a small first shape is timed in the optimised tier.
  for (const s of setups) for (const run of s.run) for (let i = 0; i < 3 * reps; i++) run();
  for (let r = 0; r < rounds; r++) {
    ROWS.forEach((_, j) =>
      setups.forEach((s, b) => {
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) s.run[j]();
        samples[j][b].push((performance.now() - t0) / reps);
      }),
    );
  }
  const pick = (xs) => (median ? [...xs].sort((x, y) => x - y)[xs.length >> 1] : Math.min(...xs));
  const cells = ROWS.map((name, j) => {
    const [a, b] = samples[j].map(pick);
    return `${name} ${(area / a / 1e3).toFixed(0)} → ${(area / b / 1e3).toFixed(0)} (${(a / b).toFixed(2)}×)`;
  });
  console.log(`${`${n}×${k}`.padEnd(11)} ${cells.join('   ')}`);
  for (const s of setups) s.free();
}
