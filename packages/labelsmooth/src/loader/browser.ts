// Loader for browsers and workers: a main thread may not compile a module of more than 4 KB
// synchronously, so the inlined bytes compile asynchronously inside `await init()`. The threaded
// build is a file beside the bundle, fetched only when threads are asked for.
export { compileInlined } from './inlined';
import { ThreadFileMissing, type ThreadHost, type ThreadWorker, type WorkerStart } from '../threads/host';
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
      const url = new URL('./labelsmooth-threads.wasm', import.meta.url);
      const response = await fetch(url);
      const bytes = new Uint8Array(await response.arrayBuffer());
      // A dev server answers a missing file with its index page (status 200, HTML): only the
      // WebAssembly magic number says the file is there.
      const wasm = bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
      if (!response.ok || !wasm) {
        const got = response.ok ? `${response.headers.get('content-type') ?? 'a file'}, not WebAssembly` : `HTTP ${response.status}`;
        throw new ThreadFileMissing(notBeside(`labelsmooth-threads.wasm was not found beside labelsmooth's script (${url.href} answered ${got})`));
      }
      return { bytes, module: await WebAssembly.compile(bytes) };
    },
    spawn: (start) => webWorker(start),
    instantiate: (module, memory) => ({ ...(initThreaded({ module, memory }) as unknown as WasmExports), memory }),
    parallelism: () => navigator.hardwareConcurrency || 1,
  };
}

/** A module web worker as the pool sees a worker (events 'message', 'error', 'exit'). */
function webWorker(start: WorkerStart): ThreadWorker {
  const url = new URL('./thread-worker-web.mjs', import.meta.url);
  const worker = new Worker(url, { type: 'module' });
  const listeners: { event: string; listener: (value: unknown) => void; once: boolean }[] = [];
  const emit = (event: string, value: unknown) => {
    for (const l of listeners.filter((x) => x.event === event)) {
      if (l.once) listeners.splice(listeners.indexOf(l), 1);
      l.listener(value);
    }
  };
  worker.onmessage = (e) => (e.data === 'exit' ? emit('exit', 0) : emit('message', e.data));
  // A script that does not load gives an error event without a message.
  worker.onerror = (e) =>
    emit('error', e.message ? new Error(e.message) : new ThreadFileMissing(notBeside(`thread-worker-web.mjs did not load as a module worker from ${url.href}`)));
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

/**
 * What to do when a file the threads fetch from beside labelsmooth's script is not there: a
 * bundler moved the script without it (README, "Threads", bundlers).
 */
function notBeside(what: string): string {
  return (
    `${what}: the bundler moved labelsmooth without the two files it fetches from beside itself. ` +
    "With Vite's dev server, add optimizeDeps: { exclude: ['labelsmooth'] } to the Vite config (its pre-bundling moves the script); " +
    'with a bundler that does not follow new URL(…, import.meta.url), copy labelsmooth-threads.wasm and thread-worker-web.mjs ' +
    'from labelsmooth/dist/ next to the script that holds labelsmooth'
  );
}
