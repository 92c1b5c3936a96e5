// The options several losses stage in wasm memory, each read one way: per-class `weight` and the
// `upstream` gradient.
import type { KernelCall, Staged } from '../call';
import { describe } from '../validate';

/** PyTorch's per-class `weight` (K values), staged; undefined when not given. */
export function classWeights(call: KernelCall, value: unknown, k: number): Staged | undefined {
  return value === undefined ? undefined : call.floats(value, 'options.weight', k, `numClasses (${k}) values`);
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
