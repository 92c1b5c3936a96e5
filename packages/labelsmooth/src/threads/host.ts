// What the pool needs of the environment that starts its workers: loader/node.ts provides it for
// Node, Deno and Bun, loader/browser.ts for web workers; the slim entry has none.
import type { WasmExports } from '../wasm-interface.generated';

/** A started worker thread, as `node:worker_threads` gives it. */
export interface ThreadWorker {
  on(event: 'error' | 'exit' | 'message', listener: (value: unknown) => void): unknown;
  once(event: 'error' | 'exit' | 'message', listener: (value: unknown) => void): unknown;
  off(event: 'error' | 'exit' | 'message', listener: (value: unknown) => void): unknown;
  ref(): void;
  unref(): void;
  terminate(): Promise<unknown>;
}

/** What a worker receives: the threaded build's module, the shared memory, the control block. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: number;
}

export interface ThreadHost {
  /** The threaded build: its bytes, compiled. */
  load(): Promise<{ bytes: Uint8Array; module: WebAssembly.Module }>;
  /**
   * Instantiates it on `memory` in this thread (through its wasm-bindgen glue, which only the
   * entries with a host bundle); the exports with `memory`, which the module imports.
   */
  instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmExports;
  /** Starts one worker (worker.ts) with `start`. */
  spawn(start: WorkerStart): ThreadWorker;
  /** The runtime's available parallelism (`'auto'`). */
  parallelism(): number;
  /** Why this runtime cannot run the pool, when it cannot. */
  unavailable?: string;
}

/**
 * A file of the threaded build (the .wasm or the web worker) that is not where the loader fetches
 * it from, beside its bundle: a bundler moved the loader without it. Its message is the fallback
 * reason as it stands, since it says what to do (start.ts).
 */
export class ThreadFileMissing extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThreadFileMissing';
  }
}
