// Loader for Node, Deno and Bun: the inlined module compiles synchronously, so the package
// initialises itself on first use and nobody has to call init().
import compileSimd128 from '../../wasm/simd128/labelsmooth_wasm_bg.wasm';
import compileScalar from '../../wasm/scalar/labelsmooth_wasm_bg.wasm';
import type { Backend } from '../host-types';

export const compilesSynchronously = true;

export function compileInlined(backend: Backend): WebAssembly.Module | Promise<WebAssembly.Module> {
  return backend === 'simd128' ? compileSimd128() : compileScalar();
}
