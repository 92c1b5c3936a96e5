// Browser projects: the browser build must be initialised with `await init()` before use; the
// project names the wasm build through `provide`.
import { inject } from 'vitest';
import { backend, init, type Backend } from 'labelsmooth';

const wanted = inject('backend');
await init({ backend: wanted });
if (backend() !== wanted) throw new Error(`expected the ${wanted} build to be active, got ${backend()}`);

declare module 'vitest' {
  export interface ProvidedContext {
    /** The wasm build a browser project runs (vitest.config.mjs `provide`). */
    backend: Backend;
  }
}
