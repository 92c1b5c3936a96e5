/** The two builds of the kernel: wasm SIMD128, or scalar for engines without SIMD. */
export type Backend = 'simd128' | 'scalar';

/** `'auto'` picks simd128 when the engine validates the SIMD probe, scalar otherwise. */
export type BackendChoice = Backend | 'auto';

// The package's declarations (dist/index.d.ts) must compile in Node-only (no DOM lib), DOM-only
// (no @types/node) and Deno projects alike (test/runtimes/types.test.ts): so no public type names
// WebAssembly.*, BufferSource, URL or Response, which only some of those libs declare. The types
// below say structurally what the package needs of them.

/** The part of a `WebAssembly.Memory` labelsmooth uses. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/**
 * A compiled `WebAssembly.Module`. Its interface has no members a type could check, so any object
 * fits here (a primitive does not); the engine refuses anything else when it instantiates.
 */
export type WasmModule = object;

/** The bytes of a `.wasm` file (what the DOM lib calls a `BufferSource`). */
export type WasmBytes = ArrayBuffer | ArrayBufferView;

/** A `URL` object: where to fetch a `.wasm` file. */
export interface UrlLike {
  readonly href: string;
}

/** A fetch `Response` whose body is a `.wasm` file. */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The raw exports of one wasm build (see crates/wasm/src/lib.rs). */
export interface KernelExports {
  readonly memory: WasmMemory;
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
  last_result(index: number): number;
  cross_entropy(
    logitsPtr: number,
    targetsPtr: number,
    n: number,
    k: number,
    convention: number,
    paddingIdx: number,
    epsilon: number,
    ignoreIndex: number,
    weightsPtr: number,
    zLoss: number,
    reduction: number,
    upstreamPtr: number,
    upstream: number,
    perRowPtr: number,
    gradPtr: number,
  ): number;
  soft_cross_entropy(
    logitsPtr: number,
    targetsPtr: number,
    n: number,
    k: number,
    epsilon: number,
    weightsPtr: number,
    scalePtr: number,
    scale: number,
    perRowPtr: number,
    gradPtr: number,
  ): number;
  sigmoid_cross_entropy(
    logitsPtr: number,
    labelsPtr: number,
    n: number,
    k: number,
    epsilon: number,
    scaleKind: number,
    scalePtr: number,
    scale: number,
    lossesPtr: number,
    gradPtr: number,
  ): number;
  kl_div(
    inputPtr: number,
    targetPtr: number,
    n: number,
    k: number,
    logTarget: boolean,
    scaleKind: number,
    scalePtr: number,
    scale: number,
    termsPtr: number,
    gradPtr: number,
  ): number;
  label_smoothing_kl(
    inputPtr: number,
    targetsPtr: number,
    n: number,
    k: number,
    convention: number,
    paddingIdx: number,
    epsilon: number,
    ignoreIndex: number,
    perRowPtr: number,
    gradPtr: number,
  ): number;
  target_entropy(k: number, convention: number, paddingIdx: number, epsilon: number): number;
}
