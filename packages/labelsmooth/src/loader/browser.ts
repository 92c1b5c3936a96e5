// Loader for browsers and workers: a main thread may not compile a module of more than 4 KB
// synchronously, so the inlined bytes compile asynchronously inside `await init()`. The threaded
// build is a file beside the bundle, fetched only when threads are asked for.
export { compileInlined } from './inlined';
import type { ThreadHost, ThreadWorker, WorkerStart } from '../threads/host';
import type { WasmExports } from '../wasm-interface.generated';
import { initSync as initThreaded } from '../../wasm/threads/labelsmooth_wasm.js';

export const compilesSynchronously = false;

/**
 * Threads in a web worker: the threaded build fetched from beside this file, its workers module
 * web workers (dist/thread-worker-web.mjs). On a page's main thread a call could not wait for
 * them (`Atomics.wait` is not allowed there), so the pool reports that instead.
 */
export async function threadHost(): Promise<ThreadHost | undefined> {
  const unavailable =
    typeof document !== 'undefined'
      ? "on a page's main thread a call cannot wait for workers (Atomics.wait is not allowed there): call labelsmooth from a web worker to use threads"
      : typeof Worker === 'undefined'
        ? 'this environment has no Worker'
        : undefined;
  return {
    unavailable,
    load: async () => {
      const response = await fetch(new URL('./labelsmooth-threads.wasm', import.meta.url));
      if (!response.ok) throw new Error(`fetching labelsmooth-threads.wasm failed with HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { bytes, module: await WebAssembly.compile(bytes) };
    },
    spawn: (start) => webWorker(start),
    instantiate: (module, memory) => ({ ...(initThreaded({ module, memory }) as unknown as WasmExports), memory }),
    parallelism: () => navigator.hardwareConcurrency || 1,
  };
}

/** A module web worker as the pool sees a worker (events 'message', 'error', 'exit'). */
function webWorker(start: WorkerStart): ThreadWorker {
  const worker = new Worker(new URL('./thread-worker-web.mjs', import.meta.url), { type: 'module' });
  const listeners: { event: string; listener: (value: unknown) => void; once: boolean }[] = [];
  const emit = (event: string, value: unknown) => {
    for (const l of listeners.filter((x) => x.event === event)) {
      if (l.once) listeners.splice(listeners.indexOf(l), 1);
      l.listener(value);
    }
  };
  worker.onmessage = (e) => (e.data === 'exit' ? emit('exit', 0) : emit('message', e.data));
  worker.onerror = (e) => emit('error', new Error(e.message));
  worker.postMessage(start);
  const add = (once: boolean) => (event: string, listener: (value: unknown) => void) => listeners.push({ event, listener, once });
  return {
    on: add(false),
    once: add(true),
    off: (event, listener) => {
      const i = listeners.findIndex((l) => l.event === event && l.listener === listener);
      if (i >= 0) listeners.splice(i, 1);
    },
    ref: () => undefined,
    unref: () => undefined,
    terminate: async () => {
      worker.terminate();
      emit('exit', 1);
    },
  };
}
