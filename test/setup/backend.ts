// Every vitest project runs the whole suite against one wasm build, named by LABELSMOOTH_BACKEND.
import { setFlagsFromString } from 'node:v8';
import { backend, initSync, relaxedSimdSupported, type Backend } from 'labelsmooth';

const wanted = (process.env.LABELSMOOTH_BACKEND ?? 'simd128') as Backend;
// Node 20 runs relaxed SIMD only with V8's flag; vitest cannot pass it to one project's workers,
// and V8 reads it when it compiles a module, so setting it here, before any wasm, is enough.
if (wanted === 'relaxed-simd' && !relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');
initSync({ backend: wanted });
if (backend() !== wanted) throw new Error(`expected the ${wanted} build to be active, got ${backend()}`);
