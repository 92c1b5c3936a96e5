// Where splitting a call over 2 threads starts to pay: fwd+grad on WasmArrays, 1 thread against
// 2, for several K and N·K around the chunk size, configurations alternating round by round,
// medians and the ratio. It runs a copy of the built package with the threshold set to 0 (every
// call of two chunks or more splits), so that the rows below today's threshold are measured too;
// SPLIT_MIN_CHUNKS (packages/labelsmooth/src/threads/split.ts) is set from what this prints.
//   node bench/split-threshold.mjs [DIST] [--rounds R] [--ks 100,1000,32000]
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fillLogits, makeTargets } from './bench.mjs';
import { median, warmUp } from './timing.mjs';

const args = process.argv.slice(2);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dist = args.find((a, i) => !a.startsWith('--') && !(i > 0 && ['--rounds', '--ks'].includes(args[i - 1]))) ?? 'packages/labelsmooth/dist';
const rounds = Number(value('--rounds', '15'));
const ks = value('--ks', '100,1000,32000').split(',').map(Number);

// The copy: the whole dist (the worker file and the threaded .wasm sit beside the entry).
const copy = resolve('target/split-threshold-dist');
mkdirSync(copy, { recursive: true });
cpSync(resolve(dist), copy, { recursive: true });
const entry = resolve(copy, 'index.mjs');
const source = readFileSync(entry, 'utf8');
const pattern = /const SPLIT_MIN_CHUNKS = [^;]+;/g;
if ((source.match(pattern) ?? []).length !== 1) throw new Error(`split-threshold: ${entry} does not declare SPLIT_MIN_CHUNKS exactly once`);
writeFileSync(entry, source.replace(pattern, 'const SPLIT_MIN_CHUNKS = 0;'));
const ls = await import(pathToFileURL(entry).href);

await ls.init({ threads: 2 });
if (ls.threadCount() !== 2) {
  console.error(`threads unavailable: ${ls.threadStatus().fallback}`);
  process.exit(1);
}
const CHUNK_VALUES = 2 ** 16; // crates/kernels/src/chunks.rs
console.log(`split threshold: ${rounds} alternating rounds; ${dist}; fwd+grad on WasmArrays; the chunk holds ${CHUNK_VALUES} values`);
console.log(`${'K'.padStart(6)} ${'N'.padStart(6)} ${'N·K'.padStart(9)} ${'chunks'.padStart(6)} ${'1 thread ms'.padStart(12)} ${'2 threads ms'.padStart(13)} ${'speed-up'.padStart(9)}`);
for (const k of ks) {
  const perChunk = Math.max(1, Math.floor(CHUNK_VALUES / k));
  // Calls of 1 chunk and a row, 1.5 chunks, and 2, 3, 4 and 8 whole chunks.
  const ns = [...new Set([perChunk + 1, Math.ceil(1.5 * perChunk), 2 * perChunk, 3 * perChunk, 4 * perChunk, 8 * perChunk])];
  for (const n of ns) {
    const logits = new Float32Array(n * k);
    fillLogits(logits, n, k);
    const targets = makeTargets(n, k);
    const reps = Math.max(1, Math.round(5e6 / (n * k)));
    const times = { 1: [], 2: [] };
    for (let r = 0; r < rounds; r++) {
      for (const threads of [1, 2]) {
        await ls.setThreads(threads);
        const x = ls.allocFloat32(n * k);
        const g = ls.allocFloat32(n * k);
        x.view.set(logits);
        const options = { numClasses: k, labelSmoothing: 0.1, gradOut: g };
        const run = () => ls.crossEntropyWithGrad(x, targets, options);
        warmUp(run);
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) run();
        times[threads].push((performance.now() - t0) / reps);
        x.free();
        g.free();
      }
    }
    const one = median(times[1]);
    const two = median(times[2]);
    const chunks = n / perChunk;
    console.log(`${String(k).padStart(6)} ${String(n).padStart(6)} ${String(n * k).padStart(9)} ${chunks.toFixed(2).padStart(6)} ${one.toFixed(4).padStart(12)} ${two.toFixed(4).padStart(13)} ${(one / two).toFixed(3).padStart(9)}`);
  }
}
await ls.setThreads(1);
