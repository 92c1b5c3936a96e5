// Inlined by @rollup/plugin-wasm: calling the default export without imports compiles the
// module (synchronously in the Node build, returning a Promise in the browser build).
declare module '*.wasm' {
  const compile: () => WebAssembly.Module | Promise<WebAssembly.Module>;
  export default compile;
}
