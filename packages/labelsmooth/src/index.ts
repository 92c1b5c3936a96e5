// labelsmooth: label smoothing and its losses, computed by a Rust kernel in WebAssembly.
export { init, initSync, backend, simd128Supported } from './runtime';
export type { Backend, BackendChoice, InitOptions, AsyncInitOptions } from './runtime';
export { smoothTargets } from './smooth-targets';
export type { SmoothTargetsOptions } from './smooth-targets';
export type { Convention, SmoothingOptions } from './conventions';
