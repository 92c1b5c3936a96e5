// Loader for Node, Deno and Bun: the inlined module compiles synchronously, so the package
// initialises itself on first use and nobody has to call init(). The threaded build is a file
// beside the bundle (dist/labelsmooth-threads.wasm), read only when threads are asked for, and
// its workers run dist/thread-worker.mjs with node:worker_threads.
export { compileInlined } from './inlined';
import type { ThreadHost } from '../threads/host';
import type { WasmExports } from '../wasm-interface.generated';
import { initSync as initThreaded } from '../../wasm/threads/labelsmooth_wasm.js';

export const compilesSynchronously = true;

export async function threadHost(): Promise<ThreadHost | undefined> {
  const [{ Worker }, { readFileSync }, os] = await Promise.all([import('node:worker_threads'), import('node:fs'), import('node:os')]);
  return {
    load: async () => {
      const bytes = readFileSync(new URL('./labelsmooth-threads.wasm', import.meta.url));
      return { bytes, module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>) };
    },
    instantiate: (module, memory) => ({ ...(initThreaded({ module, memory }) as unknown as WasmExports), memory }),
    // No execArgv: the caller's (e.g. --input-type) may not apply to a worker's file.
    spawn: (start) => new Worker(new URL('./thread-worker.mjs', import.meta.url), { workerData: start, execArgv: [] }),
    parallelism: () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
  };
}
