// Where a loss's gradient goes (options.inPlace, options.gradOut): checked in one function and
// delivered the same way by every loss, and by both of cross-entropy's staging paths (the whole
// array at once, `gradientTarget`; a block of rows at a time, `gradientCopy` in
// losses/cross-entropy.ts).
import { floatArray, type FloatArray, type KernelCall, type Staged } from '../call';
import { flag, optional } from '../validate';
import { WasmArray, wasmArrayBlock } from '../wasm-array';

/** Where a gradient goes. */
export interface GradientOptions {
  /** Write the gradient into this array (N·K values) instead of a new Float32Array. */
  gradOut?: FloatArray;
  /** Overwrite the logits with the gradient (no extra N·K array). */
  inPlace?: boolean;
}

/**
 * Where the caller asked for the gradient, checked:
 * - `'logits'`: over the logits (`inPlace`, or `gradOut` the logits' own array);
 * - `'wasmArray'`: into another WasmArray (`gradOut`), at its address;
 * - `'float32Array'`: into another Float32Array (`gradOut`); for a view of wasm memory, with the
 *   address it had when the destination was taken (a later allocation of the call may grow the
 *   memory and detach the view);
 * - `'new'`: a new Float32Array.
 */
export type GradientDestination =
  | { kind: 'logits' }
  | { kind: 'wasmArray'; array: WasmArray; ptr: number }
  | { kind: 'float32Array'; array: Float32Array; wasmAddress: number | undefined }
  | { kind: 'new' };

/** Checks `options.inPlace` and `options.gradOut` against logits of `length` values. */
export function gradientDestination(k: KernelCall['k'], where: string, opts: GradientOptions, logits: FloatArray, length: number): GradientDestination {
  const inPlace = optional(where, 'options.inPlace', opts.inPlace, false, flag);
  if (inPlace && opts.gradOut !== undefined) throw new TypeError(`${where}: give options.gradOut or options.inPlace, not both`);
  if (inPlace) return { kind: 'logits' };
  if (opts.gradOut === undefined) return { kind: 'new' };
  const dest = floatArray(where, 'options.gradOut', opts.gradOut);
  if (dest.length !== length) {
    throw new RangeError(`${where}: options.gradOut must have ${length} values (N×numClasses), received ${dest.length} values`);
  }
  if (dest === logits) return { kind: 'logits' };
  if (dest instanceof WasmArray) return { kind: 'wasmArray', array: dest, ptr: wasmArrayBlock(dest, k, where, 'options.gradOut').ptr };
  return { kind: 'float32Array', array: dest, wasmAddress: dest.buffer === k.memory.buffer ? dest.byteOffset : undefined };
}

/** The destination as an array that gradient values computed in wasm memory are copied into. */
export interface GradientCopy {
  /** The array the caller gets back. */
  readonly array: FloatArray;
  /** Copies `count` values at `ptr` to values [from, from + count) of `array`. */
  write(ptr: number, from: number, count: number): void;
}

/** `logits`: the caller's logits (and, for a view of wasm memory, its address: `Staged`). */
export function gradientCopy(call: KernelCall, d: GradientDestination, logits: Pick<Staged, 'source' | 'wasmAddress'>, length: number): GradientCopy {
  const target: Pick<Staged, 'source' | 'wasmAddress'> =
    d.kind === 'logits' ? logits : d.kind === 'new' ? { source: new Float32Array(length) } : d.kind === 'wasmArray' ? { source: d.array } : { source: d.array, wasmAddress: d.wasmAddress };
  return { array: target.source, write: (ptr, from, count) => call.writeBack(target, ptr, count, from) };
}

/** A gradient output of a whole-array call: the kernel writes at `ptr`; `finish()` delivers it. */
export interface GradientTarget {
  ptr: number;
  finish(): FloatArray;
}

/**
 * Where the kernel writes the gradient of logits staged whole. A kernel whose gradient pointer
 * equals its logits pointer computes in place (it reads each logit before it overwrites it), so
 * no N·K block is allocated beyond the one the logits already occupy:
 * - logits in a WasmArray, `inPlace` or `gradOut` the same WasmArray: the kernel overwrites it;
 *   zero copies, zero blocks;
 * - `gradOut` another WasmArray: written there directly;
 * - logits in a Float32Array, and the gradient not for a WasmArray: the call's staged copy is
 *   private to the call, so the kernel computes in it, and the gradient is copied from there to
 *   where it goes (the logits for `inPlace`, a Float32Array `gradOut`, or a new Float32Array):
 *   one N·K block in all;
 * - logits in a WasmArray and `gradOut` a Float32Array, or no `gradOut`: one block, copied out.
 */
export function gradientTarget(call: KernelCall, logits: Staged, length: number, opts: GradientOptions): GradientTarget {
  const d = gradientDestination(call.k, call.where, opts, logits.source, length);
  if (d.kind === 'logits' && logits.source instanceof WasmArray) return { ptr: logits.ptr, finish: () => logits.source };
  if (d.kind === 'wasmArray') return { ptr: d.ptr, finish: () => d.array };
  const copy = gradientCopy(call, d, logits, length);
  const ptr = logits.source instanceof WasmArray ? call.output(length, d.kind === 'new' ? 'the gradient' : 'options.gradOut') : logits.ptr;
  // A split call copies it out chunk by chunk as the chunks finish (threads/pipeline.ts).
  const output = call.deliver(ptr, length, copy.write, copy.array);
  return {
    ptr,
    finish() {
      if (!output.delivered) copy.write(ptr, 0, length);
      return copy.array;
    },
  };
}
