// Moving tensors' values into labelsmooth's wasm memory and the gradient back, with as few copies
// and allocations as each tfjs backend allows:
// - the logits and dense labels go into WasmArrays kept between calls (one per role, reallocated
//   only when the size or the active build changes), so a training step allocates no N×K buffer
//   in labelsmooth's memory, and the kernel writes the gradient in place over the logits' copy;
//   that buffer is taken out of the pool until the backward pass has read the gradient
//   (`takeOut`, `giveBack`), so that other calls in between use another one;
// - a tensor's values are read where its backend keeps them (`valuesInPlace`: tfjs-wasm's heap,
//   tfjs-cpu's storage; not documented APIs, so they are checked for and any failure falls back
//   to `dataSync()`, which may copy). A view of tfjs-wasm's heap is used at once: it detaches
//   when tfjs allocates;
// - the gradient tensor is made from a view of labelsmooth's memory on the wasm backend (its
//   `write` copies the values into tfjs's heap at once) and from a copy elsewhere (the cpu
//   backend keeps the array it is given as the tensor's storage).
import * as tf from '@tensorflow/tfjs-core';
import { allocFloat32, backend, type Backend, type WasmArray } from '../index';

interface Pooled {
  array: WasmArray;
  build: Backend;
}

const pool = new Map<'logits' | 'labels', Pooled>();

/** A WasmArray of `length` values for `role`, reused from the last call when it fits. */
function pooled(role: 'logits' | 'labels', length: number): WasmArray {
  const build = backend();
  const kept = pool.get(role);
  if (kept && !kept.array.freed && kept.array.length === length && kept.build === build) return kept.array;
  kept?.array.free();
  const array = allocFloat32(length);
  pool.set(role, { array, build });
  return array;
}

/**
 * Takes the WasmArray of `role` out of the pool (it holds a gradient the backward pass will
 * read): the next call gets another one, until `giveBack`.
 */
export function takeOut(role: 'logits' | 'labels', array: WasmArray): void {
  if (pool.get(role)?.array === array) pool.delete(role);
}

/** Returns a WasmArray taken out to the pool, or frees it when the pool has one again. */
export function giveBack(role: 'logits' | 'labels', array: WasmArray): void {
  const kept = pool.get(role);
  if (array.freed) return;
  if (kept && !kept.array.freed) array.free();
  else pool.set(role, { array, build: backend() });
}

/** Frees the buffers labelsmooth/tfjs keeps between calls (they are reallocated when needed). */
export function releaseBuffers(): void {
  for (const { array } of pool.values()) array.free();
  pool.clear();
}

/**
 * The tensor's values where they are, without a copy when the backend allows: a view of
 * tfjs-wasm's heap, or the cpu backend's own storage; else `dataSync()`.
 */
export function tensorValues(t: tf.Tensor): ArrayLike<number> {
  return valuesInPlace(t) ?? (t.dataSync() as ArrayLike<number>);
}

/**
 * The tensor's values as its backend stores them, read through what tfjs's own kernels use (not
 * documented, so checked, and undefined when absent or not as expected):
 * - tfjs-wasm: `typedArrayFromHeap`, a view of its heap;
 * - tfjs-cpu: the backend's `data` storage. Its `readSync` (what `dataSync()` calls) converts
 *   the stored values to the stored dtype on every read, into a new array: a float32 tensor cast
 *   from `tf.oneHot` shares the one-hot's int32 storage, so each read of it made a new N×K
 *   Int32Array, which at 256 × 32,000 took longer than the loss and its gradient. The copy into
 *   wasm memory converts the values on the way, in the copy made anyway.
 */
function valuesInPlace(t: tf.Tensor): Float32Array | Int32Array | undefined {
  const name = tf.getBackend();
  try {
    let values: unknown;
    if (name === 'wasm') {
      const b = tf.backend() as unknown as { typedArrayFromHeap?: (t: tf.Tensor) => unknown };
      if (typeof b.typedArrayFromHeap === 'function') values = b.typedArrayFromHeap(t);
    } else if (name === 'cpu') {
      const data = (tf.backend() as unknown as { data?: { has?: (id: object) => boolean; get?: (id: object) => { values?: unknown } | undefined } }).data;
      // `has`: the tensor's data are on this backend (not still on another one).
      if (typeof data?.has === 'function' && typeof data.get === 'function' && data.has(t.dataId)) values = data.get(t.dataId)?.values;
    }
    if ((values instanceof Float32Array || values instanceof Int32Array) && values.length === t.size) return values;
  } catch {
    // The tensor's data are on another backend, or the internal API changed: dataSync moves them.
  }
  return undefined;
}

/** The tensor's values (float32 or int32) copied into the WasmArray of `role`. */
export function stage(role: 'logits' | 'labels', t: tf.Tensor): WasmArray {
  const array = pooled(role, t.size);
  // The view of labelsmooth's memory after the allocation, tfjs's values after it too.
  array.view.set(tensorValues(t));
  return array;
}

/** The gradient (N·K values in `array`) as a tensor of `shape`, in one copy. */
export function gradientTensor(array: WasmArray, shape: number[]): tf.Tensor {
  const view = array.view;
  return tf.tensor(tf.getBackend() === 'wasm' ? view : view.slice(), shape, 'float32');
}
