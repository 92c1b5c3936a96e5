// What copying a plain Float32Array into wasm memory and back costs when the memory is shared
// (the threaded build's) against when it is not (the single-thread builds'): the staging of every
// plain-array call the threaded build serves, on any number of threads. A copy into a
// SharedArrayBuffer must not tear values another thread may read, so an engine may use a slower
// copy for it than memcpy. Runs in Node, Bun and Deno; alternates the four copies round by round
// and prints medians per copy and the shared ÷ plain ratios.
//   node bench/shared-copy.mjs [--rounds R] [--sizes 64000,256000,8192000]
//   bun bench/shared-copy.mjs …;  deno run bench/shared-copy.mjs …
import { median, warmUp } from './timing.mjs';

const argv = globalThis.Deno ? Deno.args : process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const rounds = Number(option('--rounds', '11'));
const sizes = option('--sizes', '64000,256000,8192000').split(',').map(Number);

/** Median ms of `run` over samples of about 10 ms. */
function sample(run) {
  warmUp(run);
  let reps = 1;
  for (let t = 0; t < 5; reps *= 2) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    t = performance.now() - t0;
  }
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  return (performance.now() - t0) / reps;
}

const runtime = globalThis.Bun ? `bun ${Bun.version}` : globalThis.Deno ? `deno ${Deno.version.deno}` : `node ${process.versions.node}`;
console.log(`${runtime}: µs per copy (median of ${rounds} rounds), shared ÷ plain memory`);
for (const n of sizes) {
  const pages = Math.ceil((n * 4) / 65536) + 1;
  // The wasm side starts 192 bytes in: with both arrays at the same address mod 4096, the CPU's
  // 4K aliasing of loads and stores made one direction of a 64,000-float copy 10× slower in a
  // first version of this script, a layout no real call can count on.
  const at = 192;
  const memory = { plain: new WebAssembly.Memory({ initial: pages }), shared: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) };
  const source = new Float32Array(n).map((_, i) => Math.sin(i));
  const out = new Float32Array(n);
  // In: the caller's array into the memory (call.ts stages it so). Out: the memory into an array
  // the caller keeps (a gradient's copy out).
  const copies = {};
  for (const kind of ['plain', 'shared']) {
    copies[`in, ${kind}`] = () => new Float32Array(memory[kind].buffer, at, n).set(source);
    copies[`out, ${kind}`] = () => out.set(new Float32Array(memory[kind].buffer, at, n));
  }
  const times = Object.fromEntries(Object.keys(copies).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) for (const [k, run] of Object.entries(copies)) times[k].push(sample(run));
  const us = (k) => median(times[k]) * 1000;
  const line = ['in', 'out'].map((d) => `${d}: ${us(`${d}, plain`).toFixed(1)} / ${us(`${d}, shared`).toFixed(1)} µs = ${(us(`${d}, shared`) / us(`${d}, plain`)).toFixed(2)}×`);
  console.log(`${String(n).padStart(8)} floats  ${line.join('   ')}`);
}
