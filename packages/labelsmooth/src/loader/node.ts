// Loader for Node, Deno and Bun: the inlined module compiles synchronously, so the package
// initialises itself on first use and nobody has to call init().
export { compileInlined } from './inlined';

export const compilesSynchronously = true;
