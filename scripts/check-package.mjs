#!/usr/bin/env node
// Package hygiene for packages/labelsmooth, as a user's tools see it: publint, are-the-types-wrong
// and a size budget on the packed tarball and on what a browser downloads (gzipped).
//   node scripts/check-package.mjs            # prints the sizes, exits 1 on any problem
// It checks the tarball named by LABELSMOOTH_TARBALL (scripts/test.sh packs once for every
// consumer), else one it packs itself.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = path.join(root, 'packages/labelsmooth');
const bin = (name) => path.join(root, 'node_modules/.bin', name);

// Budgets in bytes. The inlined builds carry both .wasm files as base64 (hence ×2 for the
// runtime entries); labelsmooth/slim carries none. The tarball holds each build four times (the
// .wasm, and base64 in index.mjs, index.cjs and browser.mjs): the vectorised KL divergence
// (its row loop inlines four vector logs or exps per block, in one instance per target kind,
// terms-or-not, weight type and row shape) added ≈ 80 KB to the simd128 .wasm (≈ 10 KB gzipped)
// and took the tarball from 433 KB to 571 KB, so its budget went from 480 KB to 600 KB; what a
// browser downloads kept its budgets. The wasm interface defined once (issue 11: generated record
// writers and readers, the call frame, the reduction layer, each loss's options in one function)
// took slim.mjs from 28.4 KB to 30.6 KB gzipped and each .wasm ≈ 1 KB gzipped larger (every export
// reads a call record and writes an outcome), browser.mjs from 147.2 KB to 153.3 KB: the two
// browser budgets went from 30 KB to 32 KB and from 150 KB to 156 KB. labelsmooth/tfjs
// (dist/tfjs.mjs, .cjs and their types, without tfjs or the wasm) and its README section took the
// tarball from 596,249 to 616,426 bytes: 625 KB. The linear head (issue 15: the GEMM, the chunked
// head, its four exports in each build; linearCrossEntropy's TypeScript) took the simd128 .wasm from
// 40 KB to 47.5 KB gzipped (scalar 45.4 KB), browser.mjs from 153.3 KB to 173.9 KB gzipped (both
// builds inlined as base64), slim.mjs from 30.6 KB to 33.1 KB and the tarball to 695,680 bytes: the
// budgets 176 KB, 34 KB and 700 KB. (Instantiating the head in crates/kernels/src/best.rs, beside the
// cross-entropy kernels it calls, instead of in the wasm crate saved 10 KB gzipped per build.)
// The relaxed-simd build (issue 14: the kernels
// with relaxed SIMD's fused multiply-add, chosen automatically in Chromium, Firefox ≥ 145, Deno,
// Bun and Node ≥ 21) is a third .wasm inlined in every entry like the other two, so that the
// engines that gain from it get it without configuration: with its README and benchmark notes it
// took the tarball from 616,426 to 859,360 bytes and browser.mjs from 153.3 KB to 220.5 KB gzipped
// (the .wasm itself is 42 KB gzipped; base64 gzips worse). A bundle that wants one build only
// uses labelsmooth/slim with that build's .wasm (README, "Which binaries ship").
// Threads (issue 13) ship the threaded build
// once, as dist/labelsmooth-threads.wasm beside the bundles (read only when threads are asked
// for; ≈ 41 KB gzipped), with dist/thread-worker.mjs, and the pool's code (threads/: the split,
// the protocol, the pool, with their comments, in every entry, since every entry has the
// threads API and reports its fallback): tarball 616,426 → 687,248 bytes, browser.mjs
// 153.3 → 160.0 KB gzipped, slim.mjs 30.6 → 37.5 KB gzipped. The pool in web workers
// (the threaded glue and the worker adapter in browser.mjs, dist/thread-worker-web.mjs) and the
// pool's failure handling: tarball 691,037 bytes (695 KB), browser.mjs 161.6 KB gzipped (163 KB),
// slim.mjs 38.1 KB gzipped (39 KB).
// All three (three inlined builds with the linear head, the threaded build as a file, the pool in
// every entry): the tarball 1,076,499 bytes, browser.mjs 262.4 KB and slim.mjs 41.5 KB gzipped:
// budgets 1,080 KB, 264 KB and 42 KB. The plain-array pipeline of the pool (threads/pipeline.ts,
// the pending copies and delivered outputs of call.ts, the split's job plan shared with it; about
// 12 KB of source with its comments, in every entry): the tarball 1,093,096 bytes, browser.mjs
// 266.4 KB and slim.mjs 45.5 KB gzipped: budgets 1,100 KB, 268 KB and 46 KB. The automatic
// choice per engine and automaticBackend(), which says why it is not relaxed-simd
// (automatic-backend.ts with its comments and its three reasons, in every entry: +0.8 KB
// gzipped): browser.mjs 266.4 KB and slim.mjs 46.8 KB gzipped: slim's budget 47 KB.
const BUDGET = {
  tarball: 1_100_000,
  'dist/browser.mjs (gzip)': 268_000,
  'dist/slim.mjs (gzip)': 47_000,
  'dist/labelsmooth-simd128.wasm (gzip)': 60_000,
  'dist/labelsmooth-relaxed-simd.wasm (gzip)': 60_000,
  // The tfjs ops without tfjs (a peer dependency, never bundled) nor the wasm (from the main entry).
  'dist/tfjs.mjs': 40_000,
};

const problems = [];
function run(label, command, args) {
  try {
    execFileSync(command, args, { cwd: root, stdio: 'pipe', encoding: 'utf8' });
    console.log(`ok    ${label}`);
  } catch (e) {
    problems.push(label);
    console.log(`FAIL  ${label}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

run('publint', bin('publint'), ['--strict', 'packages/labelsmooth']);

const out = mkdtempSync(path.join(tmpdir(), 'labelsmooth-pack-'));
let tarball = process.env.LABELSMOOTH_TARBALL;
let unpacked;
if (!tarball) {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: pkg, encoding: 'utf8' }));
  tarball = path.join(out, packed.filename);
  unpacked = packed.unpackedSize;
}
run('attw: labelsmooth (node10, node16 CJS/ESM, bundler)', bin('attw'), [tarball, '--entrypoints', '.']);
// labelsmooth/tfjs is a subpath export, which node10 resolution does not read.
run('attw: labelsmooth/tfjs (node16 CJS/ESM, bundler)', bin('attw'), [tarball, '--entrypoints', './tfjs', '--profile', 'node16']);
// labelsmooth/slim is ESM for browsers; the .wasm subpaths are assets, not modules.
run('attw: labelsmooth/slim (ESM)', bin('attw'), [tarball, '--entrypoints', './slim', '--profile', 'esm-only']);
const sizes = { tarball: statSync(tarball).size, ...(unpacked === undefined ? {} : { unpacked }) };
for (const file of ['dist/index.mjs', 'dist/browser.mjs', 'dist/slim.mjs', 'dist/tfjs.mjs', 'dist/labelsmooth-simd128.wasm', 'dist/labelsmooth-relaxed-simd.wasm', 'dist/labelsmooth-scalar.wasm']) {
  const bytes = readFileSync(path.join(pkg, file));
  sizes[file] = bytes.length;
  sizes[`${file} (gzip)`] = gzipSync(bytes, { level: 9 }).length;
}
rmSync(out, { recursive: true, force: true });

// No path of the build machine in a shipped build: panic locations name source files, which
// scripts/build.sh renames (the toolchain's sources, the dependencies' download directory).
const machinePaths = [os.homedir(), '/.cargo/', '/.rustup/', 'registry/src/'].filter((p) => p.length > 1);
for (const file of ['dist/labelsmooth-simd128.wasm', 'dist/labelsmooth-relaxed-simd.wasm', 'dist/labelsmooth-scalar.wasm', 'dist/labelsmooth-threads.wasm']) {
  const text = readFileSync(path.join(pkg, file)).toString('latin1');
  const found = machinePaths.filter((p) => text.includes(p));
  if (found.length) problems.push(`${file} holds paths of the build machine (${found.join(', ')})`);
  console.log(`${found.length ? 'FAIL' : 'ok  '}  ${file}: no path of the build machine`);
}

console.log('\nsize                                      bytes   budget');
for (const [name, size] of Object.entries(sizes)) {
  const budget = BUDGET[name];
  const over = budget !== undefined && size > budget;
  if (over) problems.push(`${name} is ${size} bytes, over its budget of ${budget}`);
  console.log(`${name.padEnd(38)} ${String(size).padStart(9)}   ${budget ?? ''}${over ? '  OVER' : ''}`);
}
if (problems.length) {
  console.log(`\n${problems.length} problem(s): ${problems.join('; ')}`);
  process.exit(1);
}
console.log('\npackage checks passed');
