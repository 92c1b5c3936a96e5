// Buffers in wasm memory for the duration of one call. Views over wasm memory are created after
// the last allocation of a call and never cached: growing memory detaches the old buffer, and
// Node 20's V8 can keep reporting a detached view's old length in optimised code.
import type { KernelExports } from './runtime-types';

/** A block of wasm memory owned by one call. */
export interface Block {
  readonly ptr: number;
  readonly bytes: number;
}

const MAX_BYTES = 2 ** 32 - 2 ** 16;

/** Allocates `bytes` bytes (16-byte aligned) or throws a RangeError naming what asked for it. */
export function allocate(k: KernelExports, bytes: number, what: string): Block {
  const ptr = bytes <= MAX_BYTES ? k.alloc(bytes) : 0;
  if (ptr === 0) {
    throw new RangeError(`labelsmooth: cannot allocate ${bytes} bytes of WebAssembly memory for ${what}`);
  }
  return { ptr, bytes };
}

/**
 * Runs `body` with blocks of the given sizes and frees them afterwards, whatever happens. A
 * failed allocation frees the blocks already taken.
 */
export function withBlocks<T>(k: KernelExports, sizes: ReadonlyArray<readonly [bytes: number, what: string]>, body: (blocks: Block[]) => T): T {
  const blocks: Block[] = [];
  try {
    for (const [bytes, what] of sizes) blocks.push(allocate(k, bytes, what));
    return body(blocks);
  } finally {
    for (const block of blocks) k.dealloc(block.ptr, block.bytes);
  }
}

export function f32View(k: KernelExports, block: Block, length: number): Float32Array {
  return new Float32Array(k.memory.buffer, block.ptr, length);
}

export function i32View(k: KernelExports, block: Block, length: number): Int32Array {
  return new Int32Array(k.memory.buffer, block.ptr, length);
}
