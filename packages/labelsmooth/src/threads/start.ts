// `init({ threads })` and `setThreads(n)`: loads the threaded build on a new shared memory and
// starts the pool, or records why it cannot (threadStatus().fallback) and leaves the calls to the
// single-thread build. Nothing throws for a missing capability; a bad `threads` value is a RangeError.
import type { Backend } from '../host-types';
import type { WasmExports } from '../wasm-interface.generated';
import { ThreadFileMissing, type ThreadHost } from './host';
import { loadHost, noteFallback, startPool, stopPool, threadsWanted, whyNoThreads } from './pool';

/** The threaded build, once loaded: its module, memory and exports. */
let threaded: { module: WebAssembly.Module; memory: WebAssembly.Memory; exports: WasmExports; host: ThreadHost } | undefined;

/** Whether `exports` is the threaded build's. */
export function isThreadedBuild(exports: WasmExports | undefined): boolean {
  return exports !== undefined && exports === threaded?.exports;
}

/**
 * Starts `value` threads (a count or `'auto'`, checked by the caller). Returns the threaded build's exports to make
 * active, or undefined when the single-thread build should serve (one thread asked for before
 * the threaded build was loaded, or a fallback, whose reason is recorded).
 */
export async function startThreads(
  value: number | 'auto',
  backend: Backend,
  verify: (exports: WasmExports) => WasmExports,
): Promise<WasmExports | undefined> {
  const host = await loadHost();
  const count = threadsWanted(value, host);
  if (count === 1 && !threaded) {
    await stopPool();
    return undefined;
  }
  // Checked whether or not the threaded build is loaded: with it loaded, another build asked for
  // would otherwise be served by the threaded simd128 build under that build's name.
  if (backend !== 'simd128') return fallback(count, `the threaded build is SIMD128's, and the ${backend} build was asked for (backend 'auto' or 'simd128' runs threads)`);
  if (!threaded) {
    const why = whyNoThreads(host);
    if (why) return fallback(count, why);
    let loaded: { bytes: Uint8Array; module: WebAssembly.Module };
    try {
      loaded = await host!.load();
    } catch (error) {
      if (error instanceof ThreadFileMissing) return fallback(count, error.message);
      return fallback(count, `this engine cannot compile the threaded build (${(error as Error)?.message ?? String(error)})`);
    }
    const module = loaded.module;
    const memory = new WebAssembly.Memory({ initial: minimumPages(loaded.bytes), maximum: 65536, shared: true });
    threaded = { module, memory, exports: verify(host!.instantiate(module, memory)), host: host! };
  }
  await startPool(threaded.host, threaded.module, threaded.exports, threaded.memory, count);
  return threaded.exports;
}

async function fallback(count: number, reason: string): Promise<undefined> {
  await stopPool();
  noteFallback(count, reason);
  return undefined;
}

/** The initial pages of the memory the module imports (read from its import section). */
function minimumPages(bytes: Uint8Array): number {
  let at = 8;
  const leb = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  };
  const skipName = () => {
    const n = leb();
    at += n;
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    if (id !== 2) {
      at += size;
      continue;
    }
    for (let i = leb(); i > 0; i--) {
      skipName();
      skipName();
      const kind = bytes[at++];
      if (kind === 2) {
        at++; // limits flags
        return leb();
      }
      if (kind === 0) leb();
      else if (kind === 1) {
        at++;
        const flags = bytes[at++];
        leb();
        if (flags & 1) leb();
      } else if (kind === 3) at += 2;
      else if (kind === 4) {
        at++;
        leb();
      }
    }
  }
  throw new Error('labelsmooth: the threaded build imports no memory');
}
