// WebAssembly memory: allocating blocks in it (for one call, `KernelCall` in call.ts; for a
// WasmArray, wasm-array.ts) and recognising the buffers it has had. Views over wasm memory are
// created after the last allocation of a call and never cached: growing memory detaches the old
// buffer, and Node 20's V8 can keep reporting a detached view's old length in optimised code.
import type { WasmExports } from './wasm-interface.generated';

/** A block of wasm memory, freed with `dealloc(ptr, bytes)`. */
export interface Block {
  readonly ptr: number;
  readonly bytes: number;
}

/**
 * The largest block one allocation can give: the Rust allocator of a wasm32 build refuses any
 * layout above `isize::MAX` (2^31 − 1) bytes, rounded down to the 16-byte alignment.
 */
export const MAX_BLOCK_BYTES = 2 ** 31 - 16;
/** A wasm32 memory holds at most 65,536 pages of 64 KiB. */
export const MAX_MEMORY_BYTES = 2 ** 32;

/**
 * Every ArrayBuffer that has been (or is) the buffer of a labelsmooth wasm memory, so that a
 * view of wasm memory (`WasmArray.view`) passed as an argument is recognised, and a view that a
 * memory growth detached is reported as such. Weak: detached buffers are collected normally.
 */
const wasmBuffers = new WeakSet<ArrayBufferLike>();

/** Records the current buffer of `k`'s memory as a wasm memory buffer. */
export function noteWasmBuffer(k: WasmExports): void {
  wasmBuffers.add(k.memory.buffer);
}

/** Whether `buffer` is (or was, before the memory grew) the buffer of a labelsmooth wasm memory. */
export function isWasmMemoryBuffer(buffer: ArrayBufferLike): boolean {
  return wasmBuffers.has(buffer);
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes % 2 ** 30 === 0 ? 0 : 2)} GiB`;
}

/**
 * Allocates `bytes` bytes (16-byte aligned) or throws a RangeError naming what asked for it. A
 * request no wasm32 allocation can satisfy is refused before anything is allocated.
 */
export function allocate(k: WasmExports, bytes: number, what: string): Block {
  if (!(bytes >= 0) || !Number.isSafeInteger(bytes) || bytes > MAX_BLOCK_BYTES) {
    throw new RangeError(
      `labelsmooth: ${what} would need ${bytes} bytes of WebAssembly memory, more than one block can hold (${gib(MAX_BLOCK_BYTES)}): split the batch`,
    );
  }
  noteWasmBuffer(k);
  const ptr = k.alloc(bytes);
  noteWasmBuffer(k);
  if (ptr === 0) {
    throw new RangeError(
      `labelsmooth: cannot allocate ${bytes} bytes of WebAssembly memory for ${what} (the memory holds ${k.memory.buffer.byteLength} bytes and cannot grow enough; at most ${gib(MAX_MEMORY_BYTES)} in all): split the batch`,
    );
  }
  return { ptr, bytes };
}

/**
 * A block of module `k` kept between calls in `cache` (one per module), replaced by a larger one
 * when a call needs more than it holds: for buffers every call of a kind uses, whose allocation
 * and free per call cost a measurable share of small calls. Returns its address.
 */
export function keptBlock(cache: WeakMap<WasmExports, Block>, k: WasmExports, bytes: number, minimum: number, what: string): number {
  let block = cache.get(k);
  if (!block || block.bytes < bytes) {
    if (block) k.dealloc(block.ptr, block.bytes);
    cache.delete(k);
    block = allocate(k, Math.max(bytes, minimum), what);
    cache.set(k, block);
  }
  return block.ptr;
}
