// One labelsmooth kernel call as a tfjs op: the forward pass computes the loss and its gradient
// with respect to the logits in the same kernel pass; the backward pass copies that gradient into
// a tensor and applies the incoming gradient `dy`, only when it is not 1 (nothing is computed
// again).
//
// The gradient stays in labelsmooth's memory between the two passes (the staged logits' buffer,
// taken out of the pool: staging.ts) rather than in a tensor saved for the backward pass: tfjs
// clones a saved tensor, and on tfjs-wasm a clone copies the N×K values, twice per step with the
// clone the backward pass would return. Without a gradient tape (no tf.grad, valueAndGrad,
// minimize or fit around the call) no gradient is kept at all: the one public sign of the tape is
// that `save` clones the tensors it is given (it does nothing without a tape), seen in the tensor
// count after saving a scalar.
//
// Only the logits are an input of `tf.customGrad`: the labels and weights are read once, outside,
// and get no gradient (tfjs's own losses give one to the labels; a loss is rarely differentiated
// with respect to its targets).
import * as tf from '@tensorflow/tfjs-core';
import type { WasmArray } from '../index';
import { giveBack, gradientTensor, takeOut } from './staging';

/** What a kernel call returns: the loss (reduced, or one value per loss) and the gradient. */
export interface KernelResult {
  loss: number | Float32Array;
  /** The gradient, N·K values, written in place over the staged logits (the pooled buffer). */
  grad: WasmArray;
}

/** Whether a gradient tape records this forward pass: `save` then clones what it is given. */
export function recordsGradients(save: tf.GradSaveFunc): boolean {
  const before = tf.memory().numTensors;
  save([tf.scalar(0)]);
  // The scalar itself is one more tensor either way; a recording `save` adds its clone.
  return tf.memory().numTensors > before + 1;
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
    let pending: WasmArray | undefined;
    if (recordsGradients(save)) {
      pending = r.grad;
      takeOut('logits', pending);
    }
    const value = typeof r.loss === 'number' ? tf.scalar(r.loss) : tf.tensor(r.loss, lossShape, 'float32');
    const gradFunc = (dy: tf.Tensor) => {
      const array = pending;
      if (!array) throw new Error('labelsmooth/tfjs: the gradient of this loss call was already taken (each call has one backward pass)');
      pending = undefined;
      try {
        if (allOnes(dy)) return gradientTensor(array, shape);
        // dy has the loss's shape (a scalar, one per row, or one per logit, with any leading
        // axes of 1 the weights added): as a column per row, it scales whole rows.
        const dyShape = dy.rank === 0 ? [] : perRow ? [...shape.slice(0, -1), 1] : shape;
        return tf.tidy(() => tf.mul(gradientTensor(array, shape), tf.reshape(dy, dyShape)));
      } finally {
        giveBack('logits', array);
      }
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
