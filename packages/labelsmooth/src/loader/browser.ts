// Loader for browsers and workers: a main thread may not compile a module of more than 4 KB
// synchronously, so the inlined bytes compile asynchronously inside `await init()`.
export { compileInlined } from './inlined';

export const compilesSynchronously = false;
