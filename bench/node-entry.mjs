// Runs bench.mjs in a server-side runtime (Node, Bun or Deno: only node:fs, node:path, node:url
// and node:os are used), prints a progress line per row, and writes the result as JSON to the
// file named by --out (without --out, only the lines).
//   node bench/node-entry.mjs [--quick] [--no-tfjs] [--shapes NxK,...] [--only GROUP,...] [--out file.json]
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tfjsOnWasm } from './tfjs-wasm.mjs';
import { parseShapes, runBench } from './bench.mjs';
import { runThreadRows } from './threads-rows.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
// Without --out, indexOf is -1 and args[0] (another option) would have been taken as the file.
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
const noTf = args.includes('--no-tfjs');
// --shapes 512x1000,16x32000 and --only losses,ce,threads (see GROUPS in bench.mjs): a part of the benchmark.
const listArg = (name) => (args.includes(name) ? args[args.indexOf(name) + 1].split(',') : undefined);
const shapes = args.includes('--shapes') ? parseShapes(args[args.indexOf('--shapes') + 1]) : undefined;
const only = listArg('--only');

const runtime = (() => {
  if (typeof globalThis.Deno !== 'undefined') return { name: 'deno', version: globalThis.Deno.version.deno, engine: `V8 ${globalThis.Deno.version.v8}` };
  if (typeof globalThis.Bun !== 'undefined') return { name: 'bun', version: globalThis.Bun.version, engine: 'JavaScriptCore' };
  return { name: 'node', version: process.versions.node, engine: `V8 ${process.versions.v8}` };
})();
const log = (line) => process.stderr.write(`${line}\n`);
// tfjs prints a hint about tfjs-node through console.log/warn; keep the output to progress lines.
for (const method of ['log', 'warn']) {
  const original = console[method];
  console[method] = (...a) => {
    if (!String(a[0]).includes('tfjs-node') && !/^=+$/.test(String(a[0]).trim())) original(...a);
  };
}

const ls = await import(pathToFileURL(join(root, 'packages/labelsmooth/dist/index.mjs')).href);
const lsVersion = JSON.parse(readFileSync(join(root, 'packages/labelsmooth/package.json'), 'utf8')).version;
const glue = {
  simd128: await import(pathToFileURL(join(root, 'packages/labelsmooth/wasm/simd128/labelsmooth_wasm.js')).href),
  scalar: await import(pathToFileURL(join(root, 'packages/labelsmooth/wasm/scalar/labelsmooth_wasm.js')).href),
  'relaxed-simd': await import(pathToFileURL(join(root, 'packages/labelsmooth/wasm/relaxed-simd/labelsmooth_wasm.js')).href),
};
const wasmBytes = {
  simd128: readFileSync(join(root, 'packages/labelsmooth/wasm/simd128/labelsmooth_wasm_bg.wasm')),
  scalar: readFileSync(join(root, 'packages/labelsmooth/wasm/scalar/labelsmooth_wasm_bg.wasm')),
  'relaxed-simd': readFileSync(join(root, 'packages/labelsmooth/wasm/relaxed-simd/labelsmooth_wasm_bg.wasm')),
};

let tf = null;
let tfThreads = null;
let lsTfjs = null;
if (!noTf) {
  try {
    ({ tf, threads: tfThreads } = await tfjsOnWasm(root));
    lsTfjs = await import(pathToFileURL(join(root, 'packages/labelsmooth/dist/tfjs.mjs')).href);
  } catch (e) {
    log(`[${runtime.name}] tfjs unavailable: ${e?.message ?? e}`);
    tf = null;
  }
}

const cpus = os.cpus();
const result = await runBench({ ls, lsVersion, tf, lsTfjs, tfThreads, glue, wasmBytes, runtime, log }, { quick, shapes, only });
// The pool's rows (group `threads`), after the single-thread ones: the same shapes when --shapes
// names them, else the threads shapes (bench/threads-rows.mjs).
if (!only || only.includes('threads')) {
  const loadAverage = os.loadavg()[0];
  // A failure here costs the threads rows only, not the single-thread rows above (the report
  // prints the error).
  const threads = await runThreadRows({ ls, log, runtime }, { quick, shapes }).catch((e) => {
    log(`[${runtime.name}] threads failed: ${e?.stack ?? e}`);
    return { error: e?.message ?? String(e) };
  });
  result.threads = { ...threads, loadAverage };
}
result.machine = { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()} ${os.arch()}` };
if (out) writeFileSync(out, JSON.stringify(result, null, 1));
log(`[${runtime.name}] done`);
