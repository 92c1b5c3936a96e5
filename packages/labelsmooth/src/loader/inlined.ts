// The inlined wasm builds, one compile function per backend, shared by the Node and browser
// loaders: rollup's wasm plugin makes each compile synchronous in the Node entry and returns a
// promise in the browser entry (rollup.config.mjs).
import compileSimd128 from '../../wasm/simd128/labelsmooth_wasm_bg.wasm';
import compileScalar from '../../wasm/scalar/labelsmooth_wasm_bg.wasm';
import compileRelaxedSimd from '../../wasm/relaxed-simd/labelsmooth_wasm_bg.wasm';
import type { Backend } from '../host-types';

const compilers: Record<Backend, () => WebAssembly.Module | Promise<WebAssembly.Module>> = {
  simd128: compileSimd128,
  'relaxed-simd': compileRelaxedSimd,
  scalar: compileScalar,
};

export function compileInlined(backend: Backend): WebAssembly.Module | Promise<WebAssembly.Module> {
  return compilers[backend]();
}
