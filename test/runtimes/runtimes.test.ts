// The packed tarball in every JavaScript runtime: Node (ESM and CJS), Deno (no permission flags)
// and Bun, each running fixtures/smoke.mjs against every wasm build it runs, and checking which
// build it gets automatically (relaxed-simd in Deno; simd128 in Node 20, which lacks relaxed SIMD,
// and in Bun, whose JavaScriptCore runs relaxed-simd slower than simd128).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { expectSmoke, javaScriptCore, nodeEngine, relaxedEngine } from './expect-smoke';

const consumer = path.join(inject('tmp'), 'consumer');
const bin = (name: string) => path.resolve('node_modules/.bin', name);

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { cwd: consumer, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
}

describe('the packed package in each runtime', () => {
  it('Node, ESM (import): simd128 automatically in Node 20, relaxed-simd with V8\'s flag', () => {
    expectSmoke(run(process.execPath, ['smoke.mjs']), nodeEngine);
    if (!nodeEngine.relaxedSimd) expectSmoke(run(process.execPath, ['--experimental-wasm-relaxed-simd', 'smoke.mjs']), relaxedEngine);
  });
  it('Node, CommonJS (require)', () => {
    const r = expectSmoke(run(process.execPath, ['smoke.cjs']), nodeEngine) as unknown as { required: boolean };
    expect(r.required).toBe(true);
  });
  it('Deno, with no permission flag', () => {
    // --no-prompt: a permission request would fail the run instead of waiting for an answer.
    expectSmoke(run(bin('deno'), ['run', '--no-prompt', 'smoke.mjs']));
  });
  it('Bun: simd128 automatically (JavaScriptCore runs relaxed-simd slower), relaxed-simd when asked for', () => {
    // smoke.mjs loads relaxed-simd with initSync({ backend: 'relaxed-simd' }) and checks its results.
    expectSmoke(run(bin('bun'), ['smoke.mjs']), javaScriptCore);
  });
});

const RELAXED_REASON = "the threaded build is SIMD128's, and the relaxed-simd build was asked for (backend 'auto' or 'simd128' runs threads)";

/** The output of fixtures/threads.mjs (or .cjs). */
function threads(output: string) {
  return JSON.parse(output.trim().split('\n').pop()!) as {
    status: { threads: number; requested: number; fallback: string | null };
    identical: boolean;
    after: number;
    automatic: { threads: number; backend: string; relaxedSimd: boolean };
    explicitRelaxedSimd: { threads: number; backend: string; fallback: string | null } | null;
  };
}

describe('the worker pool of the packed package in each runtime', () => {
  // `automatic`: init({ threads: 2 }) with no backend runs the threaded simd128 build, also where
  // one thread gets relaxed-simd (Deno; Bun runs relaxed-simd only when asked for).
  const started = { status: { threads: 2, requested: 2, fallback: null }, identical: true, after: 1, automatic: { threads: 2, backend: 'simd128', relaxedSimd: expect.any(Boolean) } };
  // `explicitRelaxedSimd`: init({ threads: 2, backend: 'relaxed-simd' }) where the engine has it.
  const relaxedOneThread = { threads: 1, backend: 'relaxed-simd', fallback: RELAXED_REASON };
  it('Node, ESM', () => {
    // Node 20 has no relaxed SIMD without V8's flag.
    expect(threads(run(process.execPath, ['threads.mjs']))).toEqual({ ...started, explicitRelaxedSimd: null });
  });
  it('Node, CommonJS', () => {
    expect(threads(run(process.execPath, ['threads.cjs']))).toEqual({ ...started, explicitRelaxedSimd: null });
  });
  it('Deno, with read access (the threaded build and the worker are files of the package)', () => {
    expect(threads(run(bin('deno'), ['run', '--no-prompt', '--allow-read', 'threads.mjs']))).toEqual({ ...started, explicitRelaxedSimd: relaxedOneThread });
  });
  it('Deno, with no permission flag: one thread, with the reason', () => {
    const r = threads(run(bin('deno'), ['run', '--no-prompt', 'threads.mjs']));
    expect(r.status.threads).toBe(1);
    expect(r.status.fallback).toMatch(/^this engine cannot compile the threaded build \(.*read access/);
    expect(r.identical).toBe(true);
    // Without threads the automatic choice stays the best single-thread build.
    expect(r.automatic).toEqual({ threads: 1, backend: 'relaxed-simd', relaxedSimd: true });
    expect(r.explicitRelaxedSimd).toEqual(relaxedOneThread);
  });
  it('Bun', () => {
    expect(threads(run(bin('bun'), ['threads.mjs']))).toEqual({ ...started, explicitRelaxedSimd: relaxedOneThread });
  });
});
