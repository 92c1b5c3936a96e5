// One kernel call: its arguments staged in wasm memory, its outputs, and cleanup. A Float32Array
// is copied in; a WasmArray is used where it is. Every block the call allocates is freed when the
// call ends, whether it returns or throws, so a refused call leaves the heap as it found it.
import { checkStatus, type TargetContext } from './kernel-errors';
import { allocate, type Block } from './memory';
import type { KernelExports } from './runtime-types';
import { describe } from './validate';
import { WasmArray, wasmArrayBlock } from './wasm-array';

/** A float array argument: a Float32Array (copied into wasm memory) or a WasmArray (not copied). */
export type FloatArray = Float32Array | WasmArray;

/** A float argument staged in wasm memory. */
export interface Staged {
  ptr: number;
  length: number;
  /** The caller's array. */
  source: FloatArray;
}

export class KernelCall {
  private readonly blocks: Block[] = [];

  constructor(
    readonly k: KernelExports,
    readonly where: string,
  ) {}

  /** Checks that `value` is a float array and stages it (`length` checked when given). */
  floats(value: unknown, what: string, length?: number, lengthRule?: string): Staged {
    let staged: Staged;
    if (value instanceof WasmArray) {
      const { ptr, length: len } = wasmArrayBlock(value, this.k, this.where, what);
      staged = { ptr, length: len, source: value };
    } else if (value instanceof Float32Array) {
      staged = { ptr: 0, length: value.length, source: value };
    } else {
      throw new TypeError(`${this.where}: ${what} must be a Float32Array or a WasmArray, received ${describe(value)}`);
    }
    if (length !== undefined && staged.length !== length) {
      throw new RangeError(`${this.where}: ${what} must have ${lengthRule ?? `${length} values`}, received ${staged.length} values`);
    }
    if (value instanceof Float32Array) {
      const block = this.block(value.length * 4, what);
      new Float32Array(this.k.memory.buffer, block.ptr, value.length).set(value);
      staged.ptr = block.ptr;
    }
    return staged;
  }

  /** Stages integer targets (already checked to be integers). */
  ints(values: Int32Array | number[], what: string): number {
    const block = this.block(values.length * 4, what);
    new Int32Array(this.k.memory.buffer, block.ptr, values.length).set(values);
    return block.ptr;
  }

  /** A block for an output of `length` floats. */
  output(length: number, what: string): number {
    return this.block(length * 4, what).ptr;
  }

  /**
   * Where the kernel writes an N·K output that the caller wants in `dest` (a Float32Array or a
   * WasmArray): a WasmArray is written directly; a Float32Array gets a block copied out by
   * `finish`.
   */
  outputInto(dest: FloatArray, length: number, what: string): { ptr: number; finish: () => void } {
    if (dest instanceof WasmArray) {
      const { ptr } = wasmArrayBlock(dest, this.k, this.where, what);
      return { ptr, finish: () => {} };
    }
    const ptr = this.output(length, what);
    return { ptr, finish: () => dest.set(new Float32Array(this.k.memory.buffer, ptr, length)) };
  }

  /** A copy of `length` floats at `ptr`, owned by the caller (never a view of wasm memory). */
  read(ptr: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, length).slice();
  }

  check(status: number, ctx: Omit<TargetContext, 'where'>): void {
    checkStatus(this.k, status, { where: this.where, ...ctx });
  }

  private block(bytes: number, what: string): Block {
    const block = allocate(this.k, bytes, `${this.where}: ${what}`);
    this.blocks.push(block);
    return block;
  }

  free(): void {
    for (const b of this.blocks) this.k.dealloc(b.ptr, b.bytes);
    this.blocks.length = 0;
  }
}

export function withCall<T>(k: KernelExports, where: string, body: (call: KernelCall) => T): T {
  const call = new KernelCall(k, where);
  try {
    return body(call);
  } finally {
    call.free();
  }
}
