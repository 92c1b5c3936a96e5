/** The two builds of the kernel: wasm SIMD128, or scalar for engines without SIMD. */
export type Backend = 'simd128' | 'scalar';

/** `'auto'` picks simd128 when the engine validates the SIMD probe, scalar otherwise. */
export type BackendChoice = Backend | 'auto';

/** The raw exports of one wasm build (see crates/wasm/src/lib.rs). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  backend(): number;
  alloc(bytes: number): number;
  dealloc(ptr: number, bytes: number): void;
  last_error(index: number): number;
  smooth_targets(
    targetsPtr: number,
    n: number,
    k: number,
    convention: number,
    paddingIdx: number,
    epsilon: number,
    ignoreIndex: number,
    outPtr: number,
  ): number;
}
