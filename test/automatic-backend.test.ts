// The automatic choice of build (automatic-backend.ts): the rule over every combination of what an
// engine runs, the JavaScriptCore test, and the package in this Node following the rule. The
// choice in each real engine (Chromium, Deno, Bun, Node 20) is test/runtimes/.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { automaticBackend, backend, initSync, relaxedSimdSupported, simd128Supported } from 'labelsmooth';
import { chooseBackend, engineIsJavaScriptCore } from '../packages/labelsmooth/src/automatic-backend';

const own = backend();
afterEach(() => {
  vi.unstubAllGlobals();
  initSync({ backend: own });
});

describe('the automatic choice of build', () => {
  it('takes relaxed-simd where the engine runs it, except in JavaScriptCore, where it runs slower than simd128', () => {
    expect(chooseBackend({ simd128: true, relaxedSimd: true, javaScriptCore: false })).toEqual({ backend: 'relaxed-simd', fallback: null });
    const jsc = chooseBackend({ simd128: true, relaxedSimd: true, javaScriptCore: true });
    expect(jsc.backend).toBe('simd128');
    expect(jsc.fallback).toBe(
      "relaxed-simd runs in JavaScriptCore (Bun, Safari), but slower there than simd128 (it has no fused multiply-add for it); backend: 'relaxed-simd' still loads it",
    );
  });

  it('takes simd128 where the engine has SIMD but not relaxed SIMD, and scalar without SIMD, JavaScriptCore or not', () => {
    for (const javaScriptCore of [false, true]) {
      expect(chooseBackend({ simd128: true, relaxedSimd: false, javaScriptCore })).toEqual({
        backend: 'simd128',
        fallback: 'this engine does not run WebAssembly relaxed SIMD (Node 20 runs it with --experimental-wasm-relaxed-simd)',
      });
      expect(chooseBackend({ simd128: false, relaxedSimd: false, javaScriptCore })).toEqual({ backend: 'scalar', fallback: 'this engine does not run WebAssembly SIMD' });
    }
  });

  it('tells JavaScriptCore by its errors\' own sourceURL, or by Bun\'s global; V8 (this Node) is not', () => {
    expect(engineIsJavaScriptCore()).toBe(false);
    // JavaScriptCore gives each Error own line, column and sourceURL (what Safari and Bun do).
    vi.stubGlobal(
      'Error',
      class extends Error {
        sourceURL = 'file:///x.js';
      },
    );
    expect(engineIsJavaScriptCore()).toBe(true);
    vi.unstubAllGlobals();
    vi.stubGlobal('Bun', { version: '1.0.0' });
    expect(engineIsJavaScriptCore()).toBe(true);
  });

  it('the package loads what automaticBackend() names, in this Node, and says why it is not relaxed-simd', () => {
    const auto = automaticBackend();
    expect(initSync()).toBe(auto.backend);
    expect(initSync({ backend: 'auto' })).toBe(auto.backend);
    // V8 is not JavaScriptCore: relaxed-simd exactly where it runs (Node 20 runs it only with V8's flag).
    expect(auto.backend).toBe(relaxedSimdSupported() ? 'relaxed-simd' : simd128Supported() ? 'simd128' : 'scalar');
    expect(auto.fallback).toBe(relaxedSimdSupported() ? null : 'this engine does not run WebAssembly relaxed SIMD (Node 20 runs it with --experimental-wasm-relaxed-simd)');
  });

  it('picks simd128 automatically in an engine taken for JavaScriptCore, and still loads relaxed-simd when asked for it', () => {
    vi.stubGlobal('Bun', { version: '1.0.0' });
    expect(automaticBackend().backend).toBe('simd128');
    expect(initSync()).toBe('simd128');
    if (relaxedSimdSupported()) expect(initSync({ backend: 'relaxed-simd' })).toBe('relaxed-simd');
  });
});
