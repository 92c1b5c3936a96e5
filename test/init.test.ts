// Loading and switching builds in Node: lazy default, forced builds, one shared init() promise,
// and a clear error instead of a silently ignored module.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { backend, init, initSync, relaxedSimdSupported, simd128Supported, smoothTargets } from 'labelsmooth';

const own = backend();
afterAll(() => {
  initSync({ backend: own });
});

describe('initialisation', () => {
  it('switches builds synchronously and both give the same targets', () => {
    expect(initSync({ backend: 'scalar' })).toBe('scalar');
    const a = smoothTargets([1], 3, { labelSmoothing: 0.3 });
    expect(initSync({ backend: 'simd128' })).toBe('simd128');
    expect(smoothTargets([1], 3, { labelSmoothing: 0.3 })).toEqual(a);
    expect(initSync()).toBe(relaxedSimdSupported() ? 'relaxed-simd' : simd128Supported() ? 'simd128' : 'scalar');
  });

  it('picks simd128 automatically in Node 20, which refuses relaxed SIMD without V8\'s flag, and says so when relaxed-simd is asked for', () => {
    const node20 = Number(process.versions.node.split('.')[0]) < 21;
    expect(relaxedSimdSupported()).toBe(!node20);
    if (!node20) return;
    expect(initSync()).toBe('simd128');
    expect(() => initSync({ backend: 'relaxed-simd' })).toThrow(
      "initSync: options.backend 'relaxed-simd' needs WebAssembly relaxed SIMD, which this engine does not run (Node 20 runs it with --experimental-wasm-relaxed-simd); use 'auto' or 'simd128'",
    );
    expect(backend()).toBe('simd128');
  });

  it('init() without options returns one shared promise once a build is active', async () => {
    const first = init();
    expect(init()).toBe(first);
    await expect(first).resolves.toBe(backend());
  });

  it('refuses a module for a build that is already loaded, instead of ignoring it', () => {
    initSync({ backend: 'scalar' });
    const bytes = readFileSync('packages/labelsmooth/dist/labelsmooth-scalar.wasm');
    expect(() => initSync({ backend: 'scalar', module: bytes })).toThrow(/the scalar build is already loaded/);
    expect(backend()).toBe('scalar');
  });

  it('refuses an unknown backend with a typed error', () => {
    expect(() => initSync({ backend: 'gpu' as never })).toThrow(RangeError);
    expect(() => initSync({ backend: 'gpu' as never })).toThrow(/options\.backend must be one of 'auto', 'relaxed-simd', 'simd128', 'scalar', received "gpu"/);
  });
});
