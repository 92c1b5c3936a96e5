// What a split call costs on one thread, before any thread helps: the raw `cross_entropy`
// export (fwd+grad) over N×K rows in one call, and over the same rows in calls of
// rows_per_chunk(K) rows as the pool makes them (crates/kernels/src/chunks.rs), alternating,
// medians; then the threaded build's one thread against simd128 on a small call, and what its
// shared memory costs the glue (the `memory.buffer` getter, a DataView over it, an allocation).
// A chunk's call costing more than its share of the whole call is a cost every thread count pays.
//   node bench/chunk-cost.mjs [WASM_DIR] [--rounds R]     (WASM_DIR: packages/labelsmooth/wasm, or
//   bench/dev-build.sh's target/perf-out: its simd128 build only)
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './timing.mjs';
import { crossEntropyKernel, invokeKernel } from './wasm-interface.generated.mjs';

const args = process.argv.slice(2);
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : '15');
const dir = resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--rounds') ?? 'packages/labelsmooth/wasm');

async function load(flavour) {
  const glue = await import(pathToFileURL(resolve(dir, flavour, 'labelsmooth_wasm.js')).href);
  const module = new WebAssembly.Module(readFileSync(resolve(dir, flavour, 'labelsmooth_wasm_bg.wasm')));
  if (flavour !== 'threads') return glue.initSync({ module });
  const memory = new WebAssembly.Memory({ initial: 40, maximum: 65536, shared: true });
  return { ...glue.initSync({ module, memory }), memory };
}

/** N×K logits, targets, gradient and a frame in `w`; `call(first, rows)` runs the kernel on rows. */
function setUp(w, n, k) {
  const area = n * k;
  const xp = w.alloc(area * 4), gp = w.alloc(area * 4), tp = w.alloc(n * 4), frame = w.alloc(256);
  const x = new Float32Array(w.memory.buffer, xp, area);
  for (let i = 0; i < area; i++) x[i] = Math.sin(i * 0.37) * 4;
  const t = new Int32Array(w.memory.buffer, tp, n);
  for (let i = 0; i < n; i++) t[i] = (i * 7919) % k;
  const smoothing = { numClasses: k, convention: 0, paddingIdx: 0, ignoreIndex: -100, epsilon: 0.1 };
  const call = (first, rows) =>
    invokeKernel(w, crossEntropyKernel, frame, { smoothing, logits: xp + 4 * first * k, targets: tp + 4 * first, numRows: rows, classWeights: 0, zLoss: 0, upstreamPerRow: 0, gradScale: 1 / n, perRowLosses: 0, grad: gp + 4 * first * k });
  const free = () => [[xp, area * 4], [gp, area * 4], [tp, n * 4], [frame, 256]].forEach(([p, b]) => w.dealloc(p, b));
  return { call, free };
}

const simd = await load('simd128');
console.log(`chunk cost: ${rounds} alternating rounds; ${dir}; simd128, cross_entropy with its gradient`);
for (const k of [1000, 32000, 256000]) {
  const n = Math.ceil(4e6 / k);
  const perChunk = simd.rows_per_chunk(k);
  const { call, free } = setUp(simd, n, k);
  const whole = [], chunked = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    call(0, n);
    whole.push(performance.now() - t0);
    t0 = performance.now();
    for (let first = 0; first < n; first += perChunk) call(first, Math.min(perChunk, n - first));
    chunked.push(performance.now() - t0);
  }
  console.log(`${`${n}×${k}`.padEnd(11)} one call ${median(whole).toFixed(2)} ms, in calls of ${perChunk} row(s) ${median(chunked).toFixed(2)} ms: ${(median(chunked) / median(whole)).toFixed(3)}×`);
  free();
}

// A directory with the simd128 build alone (bench/dev-build.sh's, to compare two kernels) stops here.
if (!existsSync(resolve(dir, 'threads'))) process.exit(0);
const threads = await load('threads');
const builds = { simd128: simd, threads };
const rows = {};
for (const [name, w] of Object.entries(builds)) {
  const { call } = setUp(w, 64, 1000);
  rows[`64×1000 kernel call (µs), ${name}`] = [() => call(0, 64), 1];
  rows[`memory.buffer (ns), ${name}`] = [() => { for (let i = 0; i < 1000; i++) w.memory.buffer.byteLength; }, 1000];
  rows[`new DataView(memory.buffer) (ns), ${name}`] = [() => { for (let i = 0; i < 1000; i++) new DataView(w.memory.buffer).byteLength; }, 1000];
  rows[`alloc + dealloc 256 KB (ns), ${name}`] = [() => { for (let i = 0; i < 1000; i++) w.dealloc(w.alloc(256000), 256000); }, 1000];
}
const times = {};
for (let r = 0; r < rounds; r++) {
  for (const [row, [f, per]] of Object.entries(rows)) {
    for (let i = 0; i < 20; i++) f();
    const reps = 200;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    (times[row] ??= []).push(((performance.now() - t0) / reps / per) * (row.includes('(µs)') ? 1e3 : 1e6));
  }
}
for (const row of Object.keys(rows)) console.log(`${row.padEnd(52)} ${median(times[row]).toFixed(2).padStart(9)}`);
