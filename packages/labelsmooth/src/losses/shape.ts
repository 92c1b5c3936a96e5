// Shapes and gradient destinations shared by every loss.
import type { FloatArray, KernelCall, Staged } from '../call';
import { describe, flag } from '../validate';
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

export function gradientTarget(call: KernelCall, logits: Staged, length: number, opts: GradientOptions): GradientTarget {
  const inPlace = opts.inPlace === undefined ? false : flag(call.where, 'options.inPlace', opts.inPlace);
  if (inPlace && opts.gradOut !== undefined) {
    throw new TypeError(`${call.where}: give options.gradOut or options.inPlace, not both`);
  }
  if (inPlace) {
    // The kernel reads the logits while it writes the gradient, so it writes to a block that
    // replaces the logits afterwards.
    const ptr = call.output(length, 'the gradient');
    return {
      ptr,
      finish() {
        const grad = new Float32Array(call.k.memory.buffer, ptr, length);
        if (logits.source instanceof WasmArray) logits.source.view.set(grad);
        else logits.source.set(grad);
        return logits.source;
      },
    };
  }
  if (opts.gradOut !== undefined) {
    const dest = opts.gradOut;
    if (!(dest instanceof Float32Array) && !(dest instanceof WasmArray)) {
      throw new TypeError(`${call.where}: options.gradOut must be a Float32Array or a WasmArray, received ${describe(dest)}`);
    }
    if (dest.length !== length) {
      throw new RangeError(`${call.where}: options.gradOut must have ${length} values (N×numClasses), received ${dest.length} values`);
    }
    if (dest === logits.source && dest instanceof WasmArray) return gradientTarget(call, logits, length, { inPlace: true });
    const out = call.outputInto(dest, length, 'options.gradOut');
    return {
      ptr: out.ptr,
      finish() {
        out.finish();
        return dest;
      },
    };
  }
  const ptr = call.output(length, 'the gradient');
  return { ptr, finish: () => call.read(ptr, length) };
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
