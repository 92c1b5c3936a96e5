// Every vitest project runs the whole suite against one wasm build, named by LABELSMOOTH_BACKEND.
import { backend, initSync, type Backend } from 'labelsmooth';

const wanted = (process.env.LABELSMOOTH_BACKEND ?? 'simd128') as Backend;
initSync({ backend: wanted });
if (backend() !== wanted) throw new Error(`expected the ${wanted} build to be active, got ${backend()}`);
