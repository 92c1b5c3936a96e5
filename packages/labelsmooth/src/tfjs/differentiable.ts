// One labelsmooth kernel call as a tfjs op: the forward pass computes the loss and its gradient
// with respect to the logits in the same kernel pass and keeps the gradient as a tensor (saved for
// the backward pass: a tensor not saved is disposed when the forward pass ends); the backward
// pass only applies the incoming gradient `dy`, and only when it is not 1 (nothing is computed
// again).
//
// Only the logits are an input of `tf.customGrad`: the labels and weights are read once, outside,
// and get no gradient (tfjs's own losses give one to the labels; a loss is rarely differentiated
// with respect to its targets).
import * as tf from '@tensorflow/tfjs-core';
import type { WasmArray } from '../index';
import { gradientTensor } from './staging';

/** What a kernel call returns: the loss (reduced, or one value per loss) and the gradient. */
export interface KernelResult {
  loss: number | Float32Array;
  /** The gradient, N·K values, written in place over the staged logits. */
  grad: WasmArray;
}

/**
 * The loss as a tensor (a scalar, or `lossShape` for an unreduced loss), differentiable with
 * respect to `logits`. `perRow`: an unreduced loss has one value per row of logits (the softmax
 * losses), so `dy` scales whole rows; otherwise one per logit (the sigmoid loss).
 */
export function differentiable(logits: tf.Tensor, lossShape: number[], perRow: boolean, run: (x: tf.Tensor) => KernelResult): tf.Tensor {
  // customGrad's function receives the inputs and then `save`.
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor;
    const save = inputs[1] as tf.GradSaveFunc;
    const r = run(x);
    const shape = x.shape;
    save([gradientTensor(r.grad, shape)]);
    const value = typeof r.loss === 'number' ? tf.scalar(r.loss) : tf.tensor(r.loss, lossShape, 'float32');
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      // tfjs disposes the saved tensors after the backward pass: the gradient is a new tensor
      // (a clone shares the values).
      if (allOnes(dy)) return tf.clone(saved[0]);
      // dy has the loss's shape (a scalar, one per row, or one per logit, with any leading axes
      // of 1 the weights added): as a column per row, it scales whole rows.
      const dyShape = dy.rank === 0 ? [] : perRow ? [...shape.slice(0, -1), 1] : shape;
      return tf.mul(saved[0], tf.reshape(dy, dyShape));
    };
    return { value, gradFunc };
  });
  return op(logits);
}

/** Whether every value of the incoming gradient is 1 (a loss minimised directly: no product). */
function allOnes(dy: tf.Tensor): boolean {
  const values = dy.dataSync();
  for (let i = 0; i < values.length; i++) if (values[i] !== 1) return false;
  return true;
}
