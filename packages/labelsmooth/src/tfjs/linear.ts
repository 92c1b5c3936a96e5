// linearSoftmaxCrossEntropy: a dense output layer and its cross-entropy as one differentiable tfjs
// op, without the N×V logits: the core's linearCrossEntropyWithGrad (src/losses/
// linear-cross-entropy.ts) computes the loss and the gradients of the hidden states, the kernel
// and the bias in the forward pass, a chunk of rows at a time; the backward pass turns them into
// tensors and applies the incoming gradient. For `reduction: 'none'` the incoming gradient differs
// per row and the weight's gradient mixes rows, so the backward pass runs the head again with it
// as the per-row upstream (as Liger-Kernel's fused linear cross-entropy does for 'none').
//
// tfjs's dense layer stores its kernel D×V (inputs × units); the core takes the weight V×D, as
// nn.Linear stores it: the kernel is transposed on the way in and its gradient on the way out, by
// tfjs's transpose (V·D values each, against the 2·N·V·D multiply-adds of each product).
import * as tf from '@tensorflow/tfjs-core';
import { linearCrossEntropy, linearCrossEntropyWithGrad, type LinearCrossEntropyOptions } from '../index';
import { options } from '../validate';
import { recordsGradients } from './differentiable';
import { asCaller, type ArgumentName } from './errors';
import { tensorValues } from './staging';
import { describeTensor, tensorArg } from './tensors';

/** crossEntropy's options (labelSmoothing, convention, paddingIdx, ignoreIndex, weight, reduction, zLoss) plus softcap, tokenWeights and memoryBudget; the bias a tensor. */
export interface LinearSoftmaxCrossEntropyOptions extends Omit<LinearCrossEntropyOptions, 'hiddenSize' | 'bias' | 'chunkRows'> {
  /** The dense layer's bias, a float32 tensor of shape [V]. */
  bias?: tf.Tensor;
}

/** A copy of the tensor's values: a view of tfjs-wasm's heap detaches when tfjs allocates, and the backward pass of 'none' reads them again. */
function floats(t: tf.Tensor): Float32Array {
  return Float32Array.from(tensorValues(t));
}

/** The D×V kernel's values as V×D, transposed by the tfjs backend (its own kernel, not a JS loop). */
function transposedValues(k: tf.Tensor): Float32Array {
  const t = tf.transpose(k);
  try {
    return floats(t);
  } finally {
    t.dispose();
  }
}

function floatMatrix(where: string, what: string, value: unknown): tf.Tensor {
  const t = tensorArg(where, what, value);
  if (t.dtype !== 'float32' || t.rank !== 2) throw new TypeError(`${where}: ${what} must be a float32 tensor of rank 2, received ${describeTensor(t)}`);
  return t;
}

/**
 * Cross-entropy of `hidden·kernel (+ bias)` against integer `labels`, as `tf.losses.softmaxCrossEntropy`
 * of a dense layer's output would give with one-hot labels (and every option of crossEntropy),
 * differentiable with respect to `hidden` [N, D], `kernel` [D, V] and `options.bias` [V]
 * (tf.grads, tf.variableGrads, optimizer.minimize). `labels`: int32 [N]. The N×V logits never
 * exist. Returns a scalar, or [N] losses for `reduction: 'none'`.
 */
export function linearSoftmaxCrossEntropy(hidden: tf.Tensor, kernel: tf.Tensor, labels: tf.Tensor, opts?: LinearSoftmaxCrossEntropyOptions): tf.Tensor {
  const where = 'linearSoftmaxCrossEntropy';
  const h = floatMatrix(where, 'hidden', hidden);
  const k = floatMatrix(where, 'kernel', kernel);
  const y = tensorArg(where, 'labels', labels);
  const o = options<LinearSoftmaxCrossEntropyOptions>(where, opts);
  const [n, d] = h.shape as [number, number];
  const v = k.shape[1] as number;
  if (k.shape[0] !== d) throw new RangeError(`${where}: kernel must have shape [D, V] with D = ${d} (the last axis of hidden), received ${describeTensor(k)}`);
  if (y.dtype !== 'int32' || y.rank !== 1 || y.shape[0] !== n) throw new TypeError(`${where}: labels must be an int32 tensor of shape [${n}], received ${describeTensor(y)}`);
  const b = o.bias === undefined ? undefined : tensorArg(where, 'options.bias', o.bias);
  if (b && (b.dtype !== 'float32' || b.rank !== 1 || b.shape[0] !== v)) throw new TypeError(`${where}: options.bias must be a float32 tensor of shape [${v}], received ${describeTensor(b)}`);
  const targets = Int32Array.from(y.dataSync() as Int32Array);
  const { bias: _bias, ...rest } = o;
  const none = o.reduction === 'none';
  const inputs = b ? [h, k, b] : [h, k];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[inputs.length] as tf.GradSaveFunc;
    const recording = recordsGradients(save);
    const hv = floats(h);
    const w = transposedValues(k);
    const bv = b ? floats(b) : undefined;
    const core = { ...rest, hiddenSize: d, ...(bv ? { bias: bv } : {}) };
    // The core's errors under this function's name, its targets called labels.
    const labelsName: ArgumentName = [/^target/, 'labels'];
    const run = (upstream?: Float32Array) =>
      asCaller(where, 'linearCrossEntropyWithGrad', () => linearCrossEntropyWithGrad(hv, w, targets, { ...core, ...(upstream ? { upstream } : {}) } as never), labelsName);
    let loss: number | Float32Array;
    let grads: ReturnType<typeof run> | undefined;
    if (recording && !none) {
      grads = run();
      loss = grads.loss;
    } else {
      loss = asCaller(where, 'linearCrossEntropy', () => linearCrossEntropy(hv, w, targets, core as never), labelsName);
    }
    const value = typeof loss === 'number' ? tf.scalar(loss) : tf.tensor1d(loss, 'float32');
    const gradFunc = (dy: tf.Tensor) => {
      const dyv = dy.dataSync();
      // 'none': the head again, with dy as each row's upstream; otherwise dy scales every gradient.
      const g = none ? run(Float32Array.from(dyv)) : grads!;
      const scale = none ? 1 : dyv[0];
      const times = (a: Float32Array) => (scale === 1 ? a : a.map((x) => x * scale));
      const out: tf.Tensor[] = [tf.tensor2d(times(g.gradHidden as Float32Array), [n, d]), tf.tidy(() => tf.transpose(tf.tensor2d(times(g.gradWeight as Float32Array), [v, d])))];
      if (b) out.push(tf.tensor1d(times(g.gradBias as Float32Array)));
      return out;
    };
    return { value, gradFunc };
  });
  return op(...inputs);
}
