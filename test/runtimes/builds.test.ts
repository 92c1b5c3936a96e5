// The wasm builds: the scalar one has no SIMD instruction at all (validated by binaryen with SIMD
// disabled), the simd128 one no relaxed SIMD instruction, the relaxed-simd one relaxed_madd and
// no other relaxed instruction, and its max and min as pmax/pmin; an engine without SIMD gets the
// scalar build automatically.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const dist = path.resolve('packages/labelsmooth/dist');

function validatesWithoutSimd(file: string): boolean {
  const script = path.resolve('test/runtimes/validate-without-simd.mjs');
  // binaryen prints every validation error: about 2 MB for the simd128 build, past spawnSync's
  // default 1 MB maxBuffer, beyond which the child is killed (exit null).
  const result = spawnSync(process.execPath, [script, path.join(dist, file)], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0 && result.status !== 3) throw new Error(`binaryen could not read ${file} (exit ${result.status}): ${result.stderr.slice(-500)}`);
  return result.status === 0;
}

describe('the wasm builds', () => {
  it('the scalar build validates with SIMD disabled; the simd128 build does not', () => {
    expect(validatesWithoutSimd('labelsmooth-scalar.wasm')).toBe(true);
    expect(validatesWithoutSimd('labelsmooth-simd128.wasm')).toBe(false);
  });

  it('the simd128 build has no relaxed SIMD instruction (Node 20 runs it); the relaxed-simd build has relaxed_madd', () => {
    const relaxed = (file: string) => {
      const module = binaryen.readBinary(readFileSync(path.join(dist, file)));
      const text = module.emitText();
      module.dispose();
      return new Set(text.match(/\w+\.relaxed_\w+/g));
    };
    expect([...relaxed('labelsmooth-simd128.wasm')]).toEqual([]);
    expect([...relaxed('labelsmooth-relaxed-simd.wasm')]).toEqual(['f32x4.relaxed_madd']);
  });

  it('the relaxed-simd build computes max and min with pmax/pmin, about as often as the simd128 build (scripts/build.sh rewrites its compare-and-selects)', () => {
    // LLVM will not emit pmax/pmin with relaxed SIMD on (crates/kernels/src/vector/relaxed_simd.rs);
    // without the rewrite the relaxed build has none (a select costs 1.10-1.18x fwd+grad in V8).
    const minMax = (file: string) => {
      const module = binaryen.readBinary(readFileSync(path.join(dist, file)));
      const count = (module.emitText().match(/\(f32x4\.p(?:max|min)\s/g) ?? []).length;
      module.dispose();
      return count;
    };
    const simd128 = minMax('labelsmooth-simd128.wasm');
    expect(simd128).toBeGreaterThan(300);
    expect(minMax('labelsmooth-relaxed-simd.wasm')).toBeGreaterThanOrEqual(0.9 * simd128);
  });

  it('an engine that rejects the SIMD probe gets the scalar build by default', () => {
    // Node 20 cannot switch SIMD off, so the engine's answer is replaced before the package loads.
    const script = `
      const real = WebAssembly.validate;
      WebAssembly.validate = (bytes) => (new Uint8Array(bytes).includes(0xfd) ? false : real(bytes));
      const ls = require('labelsmooth');
      const loss = ls.crossEntropy(new Float32Array([1, 2, 3]), [2], { numClasses: 3 });
      console.log(JSON.stringify({ backend: ls.backend(), supported: ls.simd128Supported(), loss }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: path.join(inject('tmp'), 'consumer'), encoding: 'utf8' }));
    expect(out).toMatchObject({ backend: 'scalar', supported: false });
    expect(out.loss).toBeCloseTo(0.40760596, 6);
  });
});
