// Shapes and gradient destinations shared by every loss.
import type { FloatArray, KernelCall, Staged } from '../call';
import { describe, flag, isFloat32Array, notDetached, optional } from '../validate';
import { WasmArray } from '../wasm-array';

/** N for a row-major N×K array of `length` values. */
export function rowCount(where: string, what: string, length: number, k: number): number {
  if (length % k !== 0) {
    throw new RangeError(`${where}: ${what} must hold N×numClasses values (a multiple of ${k}), received ${length} values`);
  }
  return length / k;
}

/** Where a gradient goes. */
export interface GradientOptions {
  /** Write the gradient into this array (N·K values) instead of a new Float32Array. */
  gradOut?: FloatArray;
  /** Overwrite the logits with the gradient (no extra N·K array). */
  inPlace?: boolean;
}

/** A gradient output: the kernel writes at `ptr`; `finish()` delivers it and returns the array. */
export interface GradientTarget {
  ptr: number;
  finish(): FloatArray;
}

/**
 * Where the kernel writes the gradient. A kernel whose gradient pointer equals its logits pointer
 * computes in place (it reads each logit before it overwrites it), so no N·K block is allocated
 * beyond the one the logits already occupy:
 * - logits in a WasmArray, `inPlace` or `gradOut` the same WasmArray: the kernel overwrites it;
 *   zero copies, zero blocks;
 * - logits in a Float32Array: the call's staged copy is private to the call, so the kernel always
 *   computes in it, and the gradient is copied from there to where it goes (the logits for
 *   `inPlace`, a Float32Array `gradOut`, or a new Float32Array): one N·K block in all;
 * - logits in a WasmArray and `gradOut` another WasmArray: written there directly;
 * - logits in a WasmArray and `gradOut` a Float32Array, or no `gradOut`: one block, copied out.
 */
export function gradientTarget(call: KernelCall, logits: Staged, length: number, opts: GradientOptions): GradientTarget {
  const inPlace = optional(call.where, 'options.inPlace', opts.inPlace, false, flag);
  if (inPlace && opts.gradOut !== undefined) {
    throw new TypeError(`${call.where}: give options.gradOut or options.inPlace, not both`);
  }
  const staged = !(logits.source instanceof WasmArray);
  if (inPlace) return overLogits(call, logits, length, logits.source);
  if (opts.gradOut !== undefined) {
    const dest = opts.gradOut;
    if (!isFloat32Array(dest) && !(dest instanceof WasmArray)) {
      throw new TypeError(`${call.where}: options.gradOut must be a Float32Array or a WasmArray, received ${describe(dest)}`);
    }
    if (isFloat32Array(dest)) notDetached(call.where, 'options.gradOut', dest);
    if (dest.length !== length) {
      throw new RangeError(`${call.where}: options.gradOut must have ${length} values (N×numClasses), received ${dest.length} values`);
    }
    if (dest === logits.source) return overLogits(call, logits, length, dest);
    if (staged && isFloat32Array(dest)) return overLogits(call, logits, length, dest);
    const out = call.outputInto(dest, length, 'options.gradOut');
    return {
      ptr: out.ptr,
      finish() {
        out.finish();
        return dest;
      },
    };
  }
  if (staged) {
    const ptr = logits.ptr;
    return { ptr, finish: () => call.read(ptr, length) };
  }
  const ptr = call.output(length, 'the gradient');
  return { ptr, finish: () => call.read(ptr, length) };
}

/**
 * The kernel computes over the logits where they are staged (in place) and `finish` delivers the
 * gradient to `dest`: nothing to do when `dest` is the WasmArray the kernel wrote, a copy
 * otherwise.
 */
function overLogits(call: KernelCall, logits: Staged, length: number, dest: FloatArray): GradientTarget {
  const ptr = logits.ptr;
  // A Float32Array view of wasm memory may be detached by the time the kernel returns (memory
  // grew): writeBack writes at its address instead. Its address is taken now.
  const target =
    dest === logits.source
      ? logits
      : { source: dest, wasmAddress: isFloat32Array(dest) && dest.buffer === call.k.memory.buffer ? dest.byteOffset : undefined };
  return {
    ptr,
    finish() {
      if (dest instanceof WasmArray) {
        if (dest !== logits.source) dest.view.set(new Float32Array(call.k.memory.buffer, ptr, length));
      } else {
        call.writeBack(target, ptr, length);
      }
      return dest;
    },
  };
}

/**
 * The upstream gradient: for unreduced losses an array of `length` values (default ones), for
 * reduced ones a number (default 1).
 */
export function upstreamOf(call: KernelCall, value: unknown, reduced: boolean, length: number, rule: string): { ptr: number; scalar: number } {
  if (value === undefined) return { ptr: 0, scalar: 1 };
  if (reduced) {
    if (typeof value !== 'number') {
      throw new TypeError(`${call.where}: options.upstream must be a number for a reduced loss, received ${describe(value)}`);
    }
    return { ptr: 0, scalar: value };
  }
  return { ptr: call.floats(value, 'options.upstream', length, rule).ptr, scalar: 1 };
}
