// Loader for browsers and workers: a main thread may not compile a module of more than 4 KB
// synchronously, so the inlined bytes compile asynchronously inside `await init()`.
import compileSimd128 from '../../wasm/simd128/labelsmooth_wasm_bg.wasm';
import compileScalar from '../../wasm/scalar/labelsmooth_wasm_bg.wasm';
import type { Backend } from '../host-types';

export const compilesSynchronously = false;

export function compileInlined(backend: Backend): WebAssembly.Module | Promise<WebAssembly.Module> {
  return backend === 'simd128' ? compileSimd128() : compileScalar();
}

/** This entry starts no worker threads (threads/pool.ts reports why). */
export async function threadHost(): Promise<undefined> {
  return undefined;
}
