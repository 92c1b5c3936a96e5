// Checks on the tensors every labelsmooth/tfjs function takes, and reading their values.
import * as tf from '@tensorflow/tfjs-core';
import { describe } from '../validate';

/** A tensor, in words, for error messages. */
export function describeTensor(value: unknown): string {
  if (!(value instanceof tf.Tensor)) return describe(value);
  return `${/^int/.test(value.dtype) ? 'an' : 'a'} ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
}

/** `value` as a live tensor, or the TypeError naming the argument. */
export function tensorArg(where: string, what: string, value: unknown): tf.Tensor {
  if (!(value instanceof tf.Tensor)) throw new TypeError(`${where}: ${what} must be a tf.Tensor, received ${describeTensor(value)}`);
  if (value.isDisposed) throw new TypeError(`${where}: ${what} must be a tf.Tensor that is not disposed, received a disposed tensor`);
  return value;
}

/** Logits: float32, rank ≥ 2 (the last axis is the classes), at least one class. */
export function logitsArg(where: string, value: unknown): tf.Tensor {
  const x = tensorArg(where, 'logits', value);
  if (x.dtype !== 'float32') throw new TypeError(`${where}: logits must be a float32 tensor, received ${describeTensor(x)}`);
  if (x.rank < 2 || x.shape[x.rank - 1] < 1) {
    throw new RangeError(`${where}: logits must have rank >= 2 with the classes on the last axis (at least one), received ${describeTensor(x)}`);
  }
  return x;
}

/** Labels of the same shape as the logits, float32 or int32 (tf.oneHot gives int32). */
export function denseLabelsArg(where: string, what: string, value: unknown, logits: tf.Tensor): tf.Tensor {
  const y = tensorArg(where, what, value);
  if (y.dtype !== 'float32' && y.dtype !== 'int32') throw new TypeError(`${where}: ${what} must be a float32 or int32 tensor, received ${describeTensor(y)}`);
  if (!sameShape(y.shape, logits.shape)) {
    throw new RangeError(`${where}: ${what} must have the shape of logits [${logits.shape.join(', ')}], received ${describeTensor(y)}`);
  }
  return y;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The shape of one loss per row: the logits' shape without its last axis. */
export function rowShape(logits: tf.Tensor): number[] {
  return logits.shape.slice(0, -1);
}

/**
 * A tensor's values as a Float32Array. On the cpu backend `dataSync()` returns the tensor's own
 * storage (never written here: the core copies its inputs into wasm memory), and a float32 tensor
 * made by casting an int32 one can be stored as an Int32Array, which is converted.
 */
export function floatValues(t: tf.Tensor): Float32Array {
  const values = t.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}
