// Loader for `labelsmooth/slim`: no inlined wasm (a smaller bundle, and no wasm bytes in the
// JavaScript). The caller passes the module: `await init({ module: new URL(...) })`.
import type { Backend } from '../host-types';

export const compilesSynchronously = false;

export function compileInlined(backend: Backend): never {
  throw new Error(
    `labelsmooth/slim has no inlined wasm: call \`await init({ backend: '${backend}', module })\` with the URL, Response, bytes or WebAssembly.Module of labelsmooth/${backend}.wasm`,
  );
}

/** This entry starts no worker threads (threads/pool.ts reports why). */
export async function threadHost(): Promise<undefined> {
  return undefined;
}
