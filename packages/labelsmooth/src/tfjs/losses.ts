// The losses as differentiable tfjs ops: tfjs's `tf.losses.softmaxCrossEntropy` and
// `tf.losses.sigmoidCrossEntropy` (same arguments, defaults and reductions; the true gradient),
// and PyTorch's cross-entropy with integer targets. Each runs the core function of the same loss
// (src/losses/tfjs.ts, src/losses/cross-entropy.ts) on the tensors' values.
import * as tf from '@tensorflow/tfjs-core';
import {
  crossEntropyWithGrad,
  sigmoidCrossEntropyWithGrad,
  softmaxCrossEntropyWithGrad,
  type CrossEntropyReduction,
  type SmoothingOptions,
  type WasmArray,
} from '../index';
import { options } from '../validate';
import { differentiable, type KernelResult } from './differentiable';
import { asCaller, POSITIONAL } from './errors';
import { stage, tensorValues } from './staging';
import { denseLabelsArg, describeTensor, floatValues, logitsArg, rowShape, tensorArg } from './tensors';
import { coreWeights, weightedShape } from './weights';

/** The result of a core call with a staged WasmArray of logits and `inPlace: true`. */
function result(r: { loss: number | Float32Array }, logits: WasmArray): KernelResult {
  return { loss: r.loss, grad: logits };
}

/**
 * tfjs `tf.losses.softmaxCrossEntropy(onehotLabels, logits, weights?, labelSmoothing?, reduction?)`
 * with labelsmooth's kernel: the loss of each row is `−Σ q·log_softmax(logits)` with
 * `q = labels·(1−ε) + ε/K` (K the last axis), weighted and reduced as tfjs does (default
 * `tf.Reduction.SUM_BY_NONZERO_WEIGHTS`). Its gradient is the true derivative of that loss, also
 * when a row of labels does not sum to 1 (tfjs's is `softmax − labels`).
 */
export function softmaxCrossEntropy(onehotLabels: tf.Tensor, logits: tf.Tensor, weights?: tf.Tensor | number, labelSmoothing?: number, reduction?: tf.Reduction): tf.Tensor {
  return softmaxLoss('softmaxCrossEntropy', onehotLabels, logits, weights, labelSmoothing, reduction);
}

/** `softmaxCrossEntropy` whose errors name `where`. */
export function softmaxLoss(where: string, onehotLabels: unknown, logits: unknown, weights: unknown, labelSmoothing: number | undefined, reduction: tf.Reduction | undefined): tf.Tensor {
  const x = logitsArg(where, logits);
  const y = denseLabelsArg(where, 'onehotLabels', onehotLabels, x);
  const lossShape = rowShape(x);
  const w = coreWeights(where, weights, lossShape, false);
  const opts = { numClasses: x.shape[x.rank - 1], ...w, labelSmoothing, reduction, inPlace: true };
  return differentiable(x, weightedShape(weights, lossShape), true, (t) => {
    const labels = stage('labels', y);
    const values = stage('logits', t);
    return result(asCaller(where, 'softmaxCrossEntropyWithGrad', () => softmaxCrossEntropyWithGrad(labels, values, opts), POSITIONAL), values);
  });
}

/**
 * tfjs `tf.losses.sigmoidCrossEntropy(multiClassLabels, logits, weights?, labelSmoothing?,
 * reduction?)` with labelsmooth's kernel: K independent sigmoids, `q = y·(1−ε) + ε/2`, tfjs's
 * weights and reductions over every logit.
 */
export function sigmoidCrossEntropy(multiClassLabels: tf.Tensor, logits: tf.Tensor, weights?: tf.Tensor | number, labelSmoothing?: number, reduction?: tf.Reduction): tf.Tensor {
  const where = 'sigmoidCrossEntropy';
  const x = logitsArg(where, logits);
  const y = denseLabelsArg(where, 'multiClassLabels', multiClassLabels, x);
  const w = coreWeights(where, weights, x.shape, true);
  const opts = { numClasses: x.shape[x.rank - 1], ...w, labelSmoothing, reduction, inPlace: true };
  return differentiable(x, weightedShape(weights, x.shape), false, (t) => {
    const labels = stage('labels', y);
    const values = stage('logits', t);
    return result(asCaller(where, 'sigmoidCrossEntropyWithGrad', () => sigmoidCrossEntropyWithGrad(labels, values, opts), POSITIONAL), values);
  });
}

/** The options of `sparseSoftmaxCrossEntropy`: those of labelsmooth's `crossEntropy`. */
export interface SparseSoftmaxCrossEntropyOptions extends SmoothingOptions {
  /** Per-class weights (K values), PyTorch's `weight`: a float32 tensor of shape [K] or a Float32Array. */
  weight?: tf.Tensor | Float32Array;
  /** Default `'mean'`: Σ losses / Σ of the target classes' weights (the non-ignored row count). */
  reduction?: CrossEntropyReduction;
  /** Adds `zLoss·logsumexp(row)²` to every non-ignored row; default 0. */
  zLoss?: number;
}

/**
 * PyTorch's `cross_entropy(logits, labels, label_smoothing=…)` with integer targets: `labels` an
 * int32 tensor of one class index per row (the logits' shape without its last axis, or with a
 * last axis of 1), every option of labelsmooth's `crossEntropy` (conventions, `ignoreIndex`,
 * class `weight`, `zLoss`). Returns a scalar, or one loss per row for `reduction: 'none'`.
 */
export function sparseSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor, opts?: SparseSoftmaxCrossEntropyOptions): tf.Tensor {
  const where = 'sparseSoftmaxCrossEntropy';
  const x = logitsArg(where, logits);
  const t = tensorArg(where, 'labels', labels);
  if (t.dtype !== 'int32') throw new TypeError(`${where}: labels must be an int32 tensor of class indices, received ${describeTensor(t)}`);
  return sparseLoss(where, 'labels', Int32Array.from(tensorValues(t)), t.shape, x, opts);
}

/**
 * The sparse loss of `targets` (of shape `targetShape`, checked here against the logits), the
 * argument the caller named `labelsName`.
 */
export function sparseLoss(where: string, labelsName: string, targets: Int32Array | number[], targetShape: readonly number[], x: tf.Tensor, opts: SparseSoftmaxCrossEntropyOptions | undefined): tf.Tensor {
  const rows = rowShape(x);
  const fits = (s: readonly number[]) => s.length === rows.length && s.every((d, i) => d === rows[i]);
  if (!fits(targetShape) && !(targetShape[targetShape.length - 1] === 1 && fits(targetShape.slice(0, -1)))) {
    throw new RangeError(`${where}: ${labelsName} must have the shape of logits without its last axis [${rows.join(', ')}] (or with a last axis of 1), received shape [${targetShape.join(', ')}]`);
  }
  const o = options<SparseSoftmaxCrossEntropyOptions>(where, opts);
  const weight = o.weight instanceof tf.Tensor ? floatValues(tensorArg(where, 'options.weight', o.weight)) : o.weight;
  // Only the options of the loss: the gradient's destination is labelsmooth/tfjs's own.
  const core = {
    numClasses: x.shape[x.rank - 1],
    labelSmoothing: o.labelSmoothing,
    convention: o.convention,
    paddingIdx: o.paddingIdx,
    ignoreIndex: o.ignoreIndex,
    weight,
    reduction: o.reduction,
    zLoss: o.zLoss,
  };
  return differentiable(x, rows, true, (t) => {
    const values = stage('logits', t);
    return result(asCaller(where, 'crossEntropyWithGrad', () => crossEntropyWithGrad(values, targets, { ...core, inPlace: true }), [/^target\b/, labelsName]), values);
  });
}
