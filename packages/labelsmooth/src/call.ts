// One kernel call: its arguments staged in wasm memory, its outputs, and cleanup. A Float32Array
// is copied in; a WasmArray is used where it is. Every block the call allocates is freed when the
// call ends, whether it returns or throws, so a refused call leaves the heap as it found it.
//
// Hostile arrays (docs/validation.md): a detached Float32Array is a TypeError (it would read as
// empty); a SharedArrayBuffer-backed one is copied like any other; a Float32Array that is a view
// of labelsmooth's own wasm memory (`WasmArray.view`, or a subarray of it) is copied out before
// the call allocates anything, because an allocation that grows the memory detaches it, and an
// output such a view receives is written through a fresh view at the same address.
import { kernelError, type TargetContext } from './kernel-errors';
import { allocate, isWasmMemoryBuffer, keptBlock, type Block } from './memory';
import { frameBytes, invokeKernel, Status, type KernelExportSpec, type WasmExports } from './wasm-interface.generated';
import { describe, isFloat32Array, notDetached } from './validate';
import { WasmArray, wasmArrayBlock } from './wasm-array';
import { runSplit } from './threads/split';

/** A float array argument: a Float32Array (copied into wasm memory) or a WasmArray (not copied). */
export type FloatArray = Float32Array | WasmArray;

/** Checks that `value` is a float array: a WasmArray, or a Float32Array whose buffer is live. */
export function floatArray(where: string, what: string, value: unknown): FloatArray {
  if (value instanceof WasmArray) return value;
  if (!isFloat32Array(value)) throw new TypeError(`${where}: ${what} must be a Float32Array or a WasmArray, received ${describe(value)}`);
  notDetached(where, what, value);
  return value;
}

/** A float argument staged in wasm memory. */
export interface Staged {
  ptr: number;
  length: number;
  /** The caller's array. */
  source: FloatArray;
  /**
   * For a Float32Array that is a view of wasm memory: its address, taken before the call
   * allocated (the view itself may be detached by then). Write results for it with `writeBack`.
   */
  wasmAddress?: number;
}

export class KernelCall {
  private readonly blocks: Block[] = [];

  constructor(
    readonly k: WasmExports,
    readonly where: string,
  ) {}

  /** Checks that `value` is a float array and stages it (`length` checked when given). */
  floats(value: unknown, what: string, length?: number, lengthRule?: string): Staged {
    const array = floatArray(this.where, what, value);
    let staged: Staged;
    let copyFrom: Float32Array | undefined;
    if (array instanceof WasmArray) {
      const { ptr, length: len } = wasmArrayBlock(array, this.k, this.where, what);
      staged = { ptr, length: len, source: array };
    } else {
      staged = { ptr: 0, length: array.length, source: array };
      if (isWasmMemoryBuffer(array.buffer)) {
        // Copied out now: the allocation below may grow the memory and detach `array`.
        if (array.buffer === this.k.memory.buffer) staged.wasmAddress = array.byteOffset;
        copyFrom = array.slice();
      } else {
        copyFrom = array;
      }
    }
    if (length !== undefined && staged.length !== length) {
      throw new RangeError(`${this.where}: ${what} must have ${lengthRule ?? `${length} values`}, received ${staged.length} values`);
    }
    if (copyFrom) {
      const block = this.block(copyFrom.length * 4, what);
      new Float32Array(this.k.memory.buffer, block.ptr, copyFrom.length).set(copyFrom);
      staged.ptr = block.ptr;
    }
    return staged;
  }

  /** Stages integer targets (already checked to be integers, and not detached). */
  ints(values: Int32Array | number[], what: string): number {
    // A view of wasm memory is copied out before the allocation can detach it.
    const source = values instanceof Int32Array && isWasmMemoryBuffer(values.buffer) ? values.slice() : values;
    const block = this.block(source.length * 4, what);
    new Int32Array(this.k.memory.buffer, block.ptr, source.length).set(source);
    return block.ptr;
  }

  /** A block for an output of `length` floats. */
  output(length: number, what: string): number {
    return this.block(length * 4, what).ptr;
  }

  /**
   * Copies `length` floats at `ptr` into the caller's array `dest` (a staged argument or an
   * output), from its value `offset` on: a WasmArray through a fresh view, a view of wasm memory
   * at the address it had when the call began (the view itself may have been detached by a
   * growth since), any other Float32Array (shared ones included) with `set`.
   */
  writeBack(dest: Pick<Staged, 'source' | 'wasmAddress'>, ptr: number, length: number, offset = 0): void {
    const values = new Float32Array(this.k.memory.buffer, ptr, length);
    if (dest.source instanceof WasmArray) dest.source.view.set(values, offset);
    else if (dest.wasmAddress !== undefined) new Float32Array(this.k.memory.buffer, dest.wasmAddress + 4 * offset, length).set(values);
    else dest.source.set(values, offset);
  }

  /** A copy of `length` floats at `ptr`, owned by the caller (never a view of wasm memory). */
  read(ptr: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, length).slice();
  }

  /**
   * Runs kernel export `spec` on the call record `args` and returns its result record; a refusal
   * becomes the error the caller should see (`ctx` names what the targets are).
   */
  run<C, R>(spec: KernelExportSpec<C, R>, args: C, ctx: Omit<TargetContext, 'where'>): R {
    const frame = frameOf(this.k, frameBytes(spec));
    // Over the worker pool when there is one and the call is large enough (threads/split.ts).
    const outcome = runSplit(this.k, spec, args, frame) ?? invokeKernel(this.k, spec, frame, args);
    if (outcome.status !== Status.ok) throw kernelError(outcome.status, outcome.refusal, { where: this.where, ...ctx });
    return outcome.result;
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

/**
 * The frame kernel calls of module `k` write their records into: one per module, allocated on
 * first use and kept, since calls are synchronous and never nested (a frame per call cost a
 * measurable share of small calls: an allocation and a free each).
 */
const frames = new WeakMap<WasmExports, Block>();

function frameOf(k: WasmExports, bytes: number): number {
  return keptBlock(frames, k, bytes, 256, 'the kernel call frame');
}

export function withCall<T>(k: WasmExports, where: string, body: (call: KernelCall) => T): T {
  const call = new KernelCall(k, where);
  try {
    return body(call);
  } finally {
    call.free();
  }
}
