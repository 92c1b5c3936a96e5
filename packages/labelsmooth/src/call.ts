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
import { copyIn, defersCopy, runPipelined, type OutputCopy, type PendingCopy } from './threads/pipeline';

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
  /** Large Float32Arrays staged with a pool: copied by the kernel call that reads them (threads/pipeline.ts). */
  private readonly pending: PendingCopy[] = [];
  /** Outputs the next split call may copy out chunk by chunk (`deliver`). */
  private readonly outputs: OutputCopy[] = [];

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
      // The caller's own array with a pool: copied chunk by chunk while the workers compute.
      if (copyFrom === array && defersCopy(this.k, array.length)) this.pending.push({ ptr: block.ptr, source: array });
      else new Float32Array(this.k.memory.buffer, block.ptr, copyFrom.length).set(copyFrom);
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
    this.copyPending();
    const values = new Float32Array(this.k.memory.buffer, ptr, length);
    if (dest.source instanceof WasmArray) dest.source.view.set(values, offset);
    else if (dest.wasmAddress !== undefined) new Float32Array(this.k.memory.buffer, dest.wasmAddress + 4 * offset, length).set(values);
    else dest.source.set(values, offset);
  }

  /** A copy of `length` floats at `ptr`, owned by the caller (never a view of wasm memory). */
  read(ptr: number, length: number): Float32Array {
    this.copyPending((p) => p.ptr < ptr + 4 * length && ptr < p.ptr + 4 * p.source.length);
    return new Float32Array(this.k.memory.buffer, ptr, length).slice();
  }

  /**
   * Runs kernel export `spec` on the call record `args` and returns its result record; a refusal
   * becomes the error the caller should see (`ctx` names what the targets are).
   */
  run<C, R>(spec: KernelExportSpec<C, R>, args: C, ctx: Omit<TargetContext, 'where'>): R {
    const frame = frameOf(this.k, frameBytes(spec));
    // Over the worker pool when there is one and the call is large enough (threads/split.ts),
    // with the copies of the caller's large arrays overlapping the chunks (threads/pipeline.ts).
    // A kernel reads and writes only through its record's addresses: the pending inputs and the
    // outputs it does not address wait for a later call.
    const reads = this.pending.filter((p) => holdsAddressIn(args, p.ptr, p.ptr + 4 * p.source.length));
    const writes = this.outputs.filter((o) => !o.delivered && holdsAddressIn(args, o.ptr, o.ptr + 4 * o.length));
    this.takePending(reads);
    const pipelined = reads.length || writes.length ? runPipelined(this.k, spec, args, frame, reads, writes) : undefined;
    if (pipelined) this.pending.push(...pipelined.unstaged);
    else for (const p of reads) copyIn(this.k, p);
    const outcome = pipelined?.outcome ?? runSplit(this.k, spec, args, frame) ?? invokeKernel(this.k, spec, frame, args);
    if (outcome.status !== Status.ok) throw kernelError(outcome.status, outcome.refusal, { where: this.where, ...ctx });
    return outcome.result;
  }

  /**
   * Registers an output that `write` copies to the caller after the kernel call: a split call
   * copies it chunk by chunk as the chunks finish and sets `delivered`; otherwise the caller
   * copies it whole when `delivered` is false.
   */
  deliver(ptr: number, length: number, write: OutputCopy['write'], dest: FloatArray): OutputCopy {
    const output: OutputCopy = { ptr, length, write, dest: dest instanceof WasmArray ? undefined : dest, delivered: false };
    this.outputs.push(output);
    return output;
  }

  /**
   * Copies the pending inputs (those `which` selects) into wasm memory: before wasm memory is read
   * back, or a caller's array written (it may be a pending input's source).
   */
  private copyPending(which: (p: PendingCopy) => boolean = () => true): void {
    for (const p of this.takePending(this.pending.filter(which))) copyIn(this.k, p);
  }

  /** Takes `inputs` off the pending list (the caller copies them). */
  private takePending(inputs: readonly PendingCopy[]): readonly PendingCopy[] {
    for (const p of inputs) this.pending.splice(this.pending.indexOf(p), 1);
    return inputs;
  }

  private block(bytes: number, what: string): Block {
    const block = allocate(this.k, bytes, `${this.where}: ${what}`);
    this.blocks.push(block);
    return block;
  }

  free(): void {
    this.pending.length = 0;
    this.outputs.length = 0;
    for (const b of this.blocks) this.k.dealloc(b.ptr, b.bytes);
    this.blocks.length = 0;
  }
}

/** Whether record `value` (numbers, nested records) holds a number in [start, end). */
function holdsAddressIn(value: unknown, start: number, end: number): boolean {
  if (typeof value === 'number') return value >= start && value < end;
  if (value && typeof value === 'object') return Object.values(value).some((v) => holdsAddressIn(v, start, end));
  return false;
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
