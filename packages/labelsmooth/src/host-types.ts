// What the package needs of the host's WebAssembly and fetch objects, said structurally.
import type { BackendCode } from './wasm-interface.generated';

/** The builds of the kernel: wasm SIMD128 with relaxed SIMD's multiply-add, SIMD128, or scalar for engines without SIMD. */
export type Backend = keyof typeof BackendCode;

/**
 * `'auto'` picks relaxed-simd when the engine validates the relaxed SIMD probe, else simd128 when
 * it validates the SIMD probe, scalar otherwise.
 */
export type BackendChoice = Backend | 'auto';

// The package's declarations (dist/index.d.ts) must compile in Node-only (no DOM lib), DOM-only
// (no @types/node) and Deno projects alike (test/runtimes/types.test.ts): so no public type names
// WebAssembly.*, BufferSource, URL or Response, which only some of those libs declare. The types
// below say structurally what the package needs of them.

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
