// Threads, side by side in one Node process (the rows of `npm run bench`'s `threads` group,
// bench/threads-rows.mjs, printed as a table): the simd128 build (no pool) against the threaded
// build with 1, 2 and 'auto' threads (init({ threads }) / setThreads), configurations alternating
// round by round, medians and the ratio to the threaded build's one thread. The first ratio is
// the threaded build's single-thread cost; the others, the pool's speed-up (bench/README.md).
//   node bench/threads.mjs [DIST] [--rounds R] [--quick] [--shapes 8192x1000,1024x32000]
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseShapes } from './bench.mjs';
import { runThreadRows, THREAD_APIS } from './threads-rows.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dist = args.find((a, i) => !a.startsWith('--') && !(i > 0 && ['--rounds', '--shapes'].includes(args[i - 1]))) ?? 'packages/labelsmooth/dist';
const ls = await import(pathToFileURL(resolve(dist, 'index.mjs')).href);

const result = await runThreadRows(
  { ls },
  { quick: flag('--quick'), rounds: value('--rounds') ? Number(value('--rounds')) : undefined, shapes: value('--shapes') ? parseShapes(value('--shapes')) : undefined },
);
if (result.fallback) {
  console.error(`threads unavailable: ${result.fallback}`);
  process.exit(1);
}
const { rounds, largeRounds } = result.rounds;
console.log(`threads: ${rounds} alternating rounds (${largeRounds} from 4 M logits); ${dist}; ${availableParallelism()} cores available; 'auto' = ${result.auto} threads`);
console.log(`${'shape'.padEnd(12)} ${'row'.padEnd(24)} ${'configuration'.padEnd(28)} ${'ms'.padStart(9)} ${'÷ 1 thread'.padStart(10)}`);
for (const r of result.rows) {
  const row = THREAD_APIS.find(([api]) => api === r.api)[1];
  console.log(`${r.shape.padEnd(12)} ${row.padEnd(24)} ${r.label.padEnd(28)} ${r.ms.median.toFixed(4).padStart(9)} ${r.speedupOverOneThread.toFixed(3).padStart(10)}`);
}
