// Why the same wasm module runs at different speeds in Node, Deno and Bun: times one build's exp
// bound (Σ exp(x − max) through the raw `exp_sum` export) in cache (32 K floats) and out of cache
// (8192×1000 floats), and its cross-entropy forward+gradient (the public API on WasmArrays) at
// 512×1000 and 8192×1000,
// best of R rounds (the best round is the one least disturbed on a shared machine). Prints one
// JSON line. Run it in each runtime with and without an engine flag (bench/README.md, "The
// runtime gap"):
//   node bench/runtime-gap.mjs [--backend simd128|relaxed-simd] [--rounds R]
//   deno run --allow-read [--v8-flags=...] bench/runtime-gap.mjs ...
//   bun bench/runtime-gap.mjs ...
import { expSumKernel, frameBytes, invokeKernel } from './wasm-interface.generated.mjs';

const args = (globalThis.Deno?.args ?? globalThis.process?.argv.slice(2)) || [];
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const backend = option('--backend', 'simd128');
const rounds = Number(option('--rounds', 15));
const pkg = new URL('../packages/labelsmooth/', import.meta.url);
const ls = await import(new URL('dist/index.mjs', pkg).href);
ls.initSync({ backend });

// The raw exports of the same build, for the exp bound (not part of the public API).
const wasmDir = new URL(`wasm/${backend}/`, pkg);
const glue = await import(new URL('labelsmooth_wasm.js', wasmDir).href);
const wasmUrl = new URL('labelsmooth_wasm_bg.wasm', wasmDir);
const bytes = globalThis.Deno ? Deno.readFileSync(wasmUrl) : (await import('node:fs')).readFileSync(wasmUrl);
const raw = glue.initSync({ module: bytes });

/** Milliseconds per call of `fn`: `warmup` calls, then the best of `rounds` rounds of `reps`. */
function best(fn, reps, warmup = 300) {
  for (let i = 0; i < warmup; i++) fn();
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    min = Math.min(min, (performance.now() - t0) / reps);
  }
  return min;
}

function expBound(len, reps) {
  const ptr = raw.alloc(len * 4);
  const frame = raw.alloc(frameBytes(expSumKernel));
  const x = new Float32Array(raw.memory.buffer, ptr, len);
  for (let i = 0; i < len; i++) x[i] = Math.sin(i * 0.37) * 4 - 5;
  const ms = best(() => invokeKernel(raw, expSumKernel, frame, { x: ptr, len, shift: 0 }), reps, reps > 1 ? 300 : 10);
  raw.dealloc(ptr, len * 4);
  return Math.round(len / ms / 1e3);
}

function kernel(n, k, reps) {
  const logits = ls.allocFloat32(n * k);
  const grad = ls.allocFloat32(n * k);
  for (let i = 0; i < n * k; i++) logits.view[i] = Math.sin(i * 0.37) * 4;
  const targets = Array.from({ length: n }, (_, i) => (i * 7919) % k);
  const ms = best(() => ls.crossEntropyWithGrad(logits, targets, { numClasses: k, labelSmoothing: 0.1, gradOut: grad }), reps, reps > 1 ? 300 : 10);
  logits.free();
  grad.free();
  return Math.round((n * k) / ms / 1e3);
}

const runtime = globalThis.Deno ? `deno ${Deno.version.deno} (V8 ${Deno.version.v8})` : globalThis.Bun ? `bun ${Bun.version} (JSC)` : `node ${process.versions.node} (V8 ${process.versions.v8})`;
console.log(
  JSON.stringify({
    runtime,
    backend: ls.backend(),
    'exp bound, 32K in cache (M/s)': expBound(32_768, 200),
    'fwd+grad 512×1000 (M logits/s)': kernel(512, 1000, 10),
    'exp bound, 8192×1000 (M/s)': expBound(8_192_000, 1),
    'fwd+grad 8192×1000 (M logits/s)': kernel(8192, 1000, 1),
  }),
);
