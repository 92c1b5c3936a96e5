// One labelsmooth kernel call as a tfjs op: the forward pass computes the loss and its gradient
// with respect to the logits in the same kernel pass; the backward pass only turns that gradient
// into a tensor and applies the incoming gradient `dy` (nothing is computed again).
//
// Only the logits are an input of `tf.customGrad`: the labels and weights are read once, outside,
// and get no gradient (tfjs's own losses give one to the labels; a loss is rarely differentiated
// with respect to its targets). The gradient is kept as a Float32Array and made a tensor in the
// backward pass, so an evaluation without a gradient tape allocates no N×K tensor for it, and no
// tensor has to survive between the two passes.
import * as tf from '@tensorflow/tfjs-core';
import { floatValues } from './tensors';

/** What a kernel call returns: the loss (reduced, or one value per loss) and the gradient. */
export interface KernelResult {
  loss: number | Float32Array;
  grad: Float32Array;
}

/**
 * The loss as a tensor (a scalar, or `lossShape` for an unreduced loss), differentiable with
 * respect to `logits`. `perRow`: an unreduced loss has one value per row of logits (the softmax
 * losses), so `dy` scales whole rows; otherwise one per logit (the sigmoid loss).
 */
export function differentiable(logits: tf.Tensor, lossShape: number[], perRow: boolean, run: (x: Float32Array) => KernelResult): tf.Tensor {
  // customGrad's function receives the inputs and then `save` (unused: see above).
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor;
    const r = run(floatValues(x));
    const value = typeof r.loss === 'number' ? tf.scalar(r.loss) : tf.tensor(r.loss, lossShape, 'float32');
    const shape = x.shape;
    const gradFunc = (dy: tf.Tensor) => {
      if (allOnes(dy)) return tf.tensor(r.grad, shape, 'float32');
      // dy has the loss's shape (a scalar, one per row, or one per logit, with any leading axes
      // of 1 the weights added): as a column per row, it scales whole rows.
      const dyShape = dy.rank === 0 ? [] : perRow ? [...shape.slice(0, -1), 1] : shape;
      return tf.tidy(() => tf.mul(tf.tensor(r.grad, shape, 'float32'), tf.reshape(dy, dyShape)));
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
