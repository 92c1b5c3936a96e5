// Which build is active, and how it gets loaded. One module instance per build at most; the
// active one serves every call. Node, Deno and Bun load on first use (synchronously); browsers
// and workers call `await init()` first.
import { compileInlined, compilesSynchronously } from '#loader';
import * as simdGlue from '../wasm/simd128/labelsmooth_wasm.js';
import * as scalarGlue from '../wasm/scalar/labelsmooth_wasm.js';
import * as relaxedSimdGlue from '../wasm/relaxed-simd/labelsmooth_wasm.js';
import { startThreads } from './threads/start';
import { threadCountOption } from './threads/pool';
import { engineSupportsSimd128 } from './simd-probe';
import { engineSupportsRelaxedSimd } from './relaxed-simd-probe';
import { chooseBackend, engineFacts, type AutomaticBackend } from './automatic-backend';
import type { Backend, BackendChoice, ResponseLike, UrlLike, WasmBytes, WasmModule } from './host-types';
import { describe, oneOfThese, optional, options as checkOptions } from './validate';

import { BackendCode, INTERFACE_FINGERPRINT, type WasmExports } from './wasm-interface.generated';

export type { AutomaticBackend, Backend, BackendChoice, ResponseLike, UrlLike, WasmBytes, WasmModule };

interface GlueModule {
  initSync(module: { module: WebAssembly.Module | BufferSource }): unknown;
}
const glue: Record<Backend, GlueModule> = { simd128: simdGlue, scalar: scalarGlue, 'relaxed-simd': relaxedSimdGlue };

const loaded: Partial<Record<Backend, WasmExports>> = {};
let active: WasmExports | undefined;
let activeBackend: Backend | undefined;
let pending: Promise<Backend> | undefined;
/** Whether the active build was the automatic choice (no `backend`, or `'auto'`). */
let chosenAutomatically = true;

/** What `init` and `initSync` accept. */
export interface InitOptions {
  /** Force a build (for tests and benchmarks); default `'auto'`. */
  backend?: BackendChoice;
  /**
   * The compiled module or the bytes of the chosen build's `.wasm`, instead of the inlined
   * bytes. `init` also accepts a `URL`, a URL string, a `Response` or a promise of one of these.
   */
  module?: WasmModule | WasmBytes;
}

export interface AsyncInitOptions extends Omit<InitOptions, 'module'> {
  module?: InitOptions['module'] | UrlLike | string | ResponseLike | PromiseLike<WasmModule | WasmBytes | ResponseLike>;
  /**
   * Threads that serve each call (the calling thread is one of them): a count, or `'auto'` for
   * the runtime's available parallelism. Loads the threaded build and starts `threads − 1`
   * workers; where threads cannot be had, the single-thread build serves and `threadStatus()`
   * says why. Default: no pool.
   */
  threads?: number | 'auto';
}

/**
 * Checks `options.module` when given: an object (a compiled module, bytes, or for `init` a URL,
 * a Response or a promise) or, for `init`, a URL string. What the object holds is checked where
 * it is compiled.
 */
function checkModule(where: string, value: unknown, fetches: boolean): void {
  if (value === undefined || (typeof value === 'object' && value !== null) || (fetches && typeof value === 'string')) return;
  const expected = fetches
    ? 'a WebAssembly.Module, the bytes of a .wasm, a URL, a URL string, a Response or a promise of one of these'
    : 'a WebAssembly.Module or the bytes of a .wasm (an ArrayBuffer or a typed array)';
  throw new TypeError(`${where}: options.module must be ${expected}, received ${describe(value)}`);
}

function resolveChoice(where: string, choice: unknown): Backend {
  const value = optional(where, 'options.backend', choice, 'auto', oneOfThese(['auto', 'relaxed-simd', 'simd128', 'scalar'] as const));
  if (value === 'relaxed-simd' && !engineSupportsRelaxedSimd()) {
    throw new Error(
      `${where}: options.backend 'relaxed-simd' needs WebAssembly relaxed SIMD, which this engine does not run (Node 20 runs it with --experimental-wasm-relaxed-simd); use 'auto' or 'simd128'`,
    );
  }
  return value === 'auto' ? chooseBackend(engineFacts()).backend : value;
}

function instantiate(backend: Backend, module: WasmModule | WasmBytes): WasmExports {
  if (loaded[backend]) {
    // The wasm-bindgen glue holds one instance per build and would silently keep the old one.
    throw new Error(`labelsmooth: the ${backend} build is already loaded; a module can be given only before its first use`);
  }
  const exports = verified(backend, glue[backend].initSync({ module: module as WebAssembly.Module | BufferSource }) as WasmExports);
  loaded[backend] = exports;
  return exports;
}

/** The threaded build's exports (instantiated by the thread host), checked like any build's. */
function verifiedThreaded(exports: WasmExports): WasmExports {
  return verified('simd128', exports);
}

/** `exports`, after checking that it is the build asked for, of this interface. */
function verified(backend: Backend, exports: WasmExports): WasmExports {
  // Raw wasm exports return an i32: `>>> 0` reads the u32 fingerprint as Rust wrote it.
  const fingerprint = typeof exports.interface_fingerprint === 'function' ? exports.interface_fingerprint() >>> 0 : undefined;
  if (fingerprint !== INTERFACE_FINGERPRINT) {
    const found = fingerprint === undefined ? 'has none' : `has 0x${fingerprint.toString(16).padStart(8, '0')}`;
    throw new Error(
      `labelsmooth: the module given for the ${backend} build was built from another interface (it ${found}, this package expects 0x${INTERFACE_FINGERPRINT.toString(16).padStart(8, '0')}): use the .wasm files of the same labelsmooth version`,
    );
  }
  const code = exports.backend();
  const built = (Object.keys(BackendCode) as Backend[]).find((name) => BackendCode[name] === code);
  if (built !== backend) {
    throw new Error(`labelsmooth: the module given for the ${backend} build reports itself as ${built ?? 'unknown'}`);
  }
  return exports;
}

/**
 * The build that threads run for a choice that resolved to `backend`. The threaded build is
 * SIMD128's (there is no threaded relaxed-SIMD build): an automatic choice of relaxed-simd runs
 * threads on simd128 instead, an explicit `backend: 'relaxed-simd'` keeps one thread
 * (threadStatus() says why).
 */
function backendForThreads(automatic: boolean, backend: Backend): Backend {
  return automatic && backend === 'relaxed-simd' ? 'simd128' : backend;
}

function isAutomatic(choice: unknown): boolean {
  return choice === undefined || choice === 'auto';
}

function activate(backend: Backend, exports: WasmExports): Backend {
  active = exports;
  activeBackend = backend;
  return backend;
}

/**
 * Loads a build synchronously and makes it the active one. Works everywhere when `module` is
 * given; without it, in Node, Deno and Bun (browsers must use `init`, which compiles off the
 * main thread's 4 KB limit). Returns the active backend.
 */
export function initSync(options?: InitOptions): Backend {
  const opts = checkOptions<InitOptions>('initSync', options);
  const backend = resolveChoice('initSync', opts.backend);
  checkModule('initSync', opts.module, false);
  chosenAutomatically = isAutomatic(opts.backend);
  const existing = loaded[backend];
  if (existing && opts.module === undefined) return activate(backend, existing);
  if (opts.module !== undefined) return activate(backend, instantiate(backend, opts.module));
  if (!compilesSynchronously) {
    throw new Error('labelsmooth: initSync() needs `module` in browsers and workers; use `await init()` instead');
  }
  return activate(backend, instantiate(backend, compileInlined(backend) as WebAssembly.Module));
}

async function fetchModule(source: NonNullable<AsyncInitOptions['module']>): Promise<WasmModule | WasmBytes> {
  const value = await source;
  if (typeof value === 'string' || value instanceof URL) return fetchModule(fetch(value));
  if (typeof Response !== 'undefined' && value instanceof Response) {
    if (!value.ok) throw new Error(`labelsmooth: fetching the wasm module failed with HTTP ${value.status}`);
    return WebAssembly.compile(await value.arrayBuffer());
  }
  return value as WasmModule | WasmBytes;
}

/**
 * Loads a build and makes it the active one; resolves to the active backend. Idempotent: calls
 * without options after the first share its promise. Required before use in browsers and
 * workers; optional in Node, Deno and Bun.
 */
export function init(options?: AsyncInitOptions): Promise<Backend> {
  const opts = checkOptions<AsyncInitOptions>('init', options);
  if (opts.backend === undefined && opts.module === undefined && opts.threads === undefined) {
    if (activeBackend) return (pending ??= Promise.resolve(activeBackend));
    if (pending) return pending;
  }
  const run = (async () => {
    const backend = resolveChoice('init', opts.backend);
    checkModule('init', opts.module, true);
    const threads = optional('init', 'options.threads', opts.threads, undefined, threadCountOption);
    chosenAutomatically = isAutomatic(opts.backend);
    if (threads !== undefined) {
      const threadedBackend = backendForThreads(chosenAutomatically, backend);
      const threaded = await startThreads(threads, threadedBackend, verifiedThreaded);
      if (threaded) return activate(threadedBackend, threaded);
    }
    const existing = loaded[backend];
    if (existing && opts.module === undefined) return activate(backend, existing);
    const module = opts.module === undefined ? await compileInlined(backend) : await fetchModule(opts.module);
    return activate(backend, instantiate(backend, module));
  })();
  pending = run;
  run.catch(() => {
    if (pending === run) pending = undefined;
  });
  return run;
}

/** The active build's exports, loading the default build first where that can be synchronous. */
export function kernels(): WasmExports {
  if (active) return active;
  if (!compilesSynchronously) {
    throw new Error('labelsmooth: call `await init()` once before using labelsmooth in a browser or worker');
  }
  initSync();
  return active!;
}

/** The active build's exports, without loading one (undefined before the first load). */
export function activeExports(): WasmExports | undefined {
  return active;
}

/** Which build serves calls: `'relaxed-simd'`, `'simd128'` or `'scalar'` (loading the default one if needed). */
export function backend(): Backend {
  kernels();
  return activeBackend!;
}

/** Whether this engine can run the simd128 build. */
export function simd128Supported(): boolean {
  return engineSupportsSimd128();
}

/**
 * Whether this engine can run the relaxed-simd build (`backend: 'relaxed-simd'` loads it). `'auto'`
 * takes it too, except where it runs slower than simd128: `automaticBackend()` says.
 */
export function relaxedSimdSupported(): boolean {
  return engineSupportsRelaxedSimd();
}

/** The build `backend: 'auto'` loads in this engine, and why it is not relaxed-simd (`fallback`); loads nothing. */
export function automaticBackend(): AutomaticBackend {
  return chooseBackend(engineFacts());
}

/**
 * Resizes the pool to `threads` threads (a count or `'auto'`; `1` stops every worker). Loads the
 * threaded build first if `init({ threads })` did not; resolves when the workers are ready.
 * Where threads cannot be had it resolves all the same, and `threadStatus()` says why.
 */
export async function setThreads(threads: number | 'auto'): Promise<void> {
  const count = threadCountOption('setThreads', 'threads', threads);
  if (pending) await pending.catch(() => undefined);
  const backend = backendForThreads(chosenAutomatically, activeBackend ?? resolveChoice('setThreads', undefined));
  const threaded = await startThreads(count, backend, verifiedThreaded);
  if (threaded) activate(backend, threaded);
}
