// Losses for `model.compile({ loss })`: functions of (yTrue, yPred) returning the batch's mean
// loss, with Keras's semantics (keras.losses.CategoricalCrossentropy and
// SparseCategoricalCrossentropy; tfjs-layers/src/losses.ts for its clipping of probabilities).
//
// `fromLogits: true` is the fast path: the model's last layer is linear and the fused kernel
// computes softmax, loss and gradient in one pass. `fromLogits: false` takes probabilities (the
// output of a softmax layer), as Keras does: it normalises them, clips them to [ε, 1 − ε] with
// tfjs's fuzz factor `tf.backend().epsilon()` and takes −Σ q·log p in tfjs ops, which the kernel
// cannot fuse (the softmax was already applied by the model, and its gradient goes through it).
import * as tf from '@tensorflow/tfjs-core';
import { smoothTargets } from '../index';
import { DEFAULT_IGNORE_INDEX } from '../conventions';
import { flag, int32, optional, options, smoothingEpsilon } from '../validate';
import { asCaller } from './errors';
import { sparseLoss, softmaxLoss } from './losses';
import { denseLabelsArg, logitsArg, tensorArg } from './tensors';

export interface CategoricalCrossentropyOptions {
  /** ε in [0, 1]: the targets become y·(1 − ε) + ε/K; default 0. */
  labelSmoothing?: number;
  /** Whether yPred is logits (the fast path) or probabilities (Keras's default, false). */
  fromLogits?: boolean;
}

export interface SparseCategoricalCrossentropyOptions extends CategoricalCrossentropyOptions {
  /** Targets equal to this count for nothing (PyTorch's ignore_index); default -100. */
  ignoreIndex?: number;
}

/** A loss for `model.compile`: the mean loss of the batch. */
export type KerasLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

function kerasOptions(where: string, raw: unknown) {
  const o = options<SparseCategoricalCrossentropyOptions>(where, raw);
  return {
    epsilon: optional(where, 'options.labelSmoothing', o.labelSmoothing, 0, smoothingEpsilon),
    fromLogits: optional(where, 'options.fromLogits', o.fromLogits, false, flag),
    ignoreIndex: optional(where, 'options.ignoreIndex', o.ignoreIndex, DEFAULT_IGNORE_INDEX, int32),
  };
}

/**
 * Keras's categorical cross-entropy of probabilities, per row, with smoothed targets:
 * −Σ q·log(clip(p / Σp, ε_f, 1 − ε_f)), q = y·(1 − ε) + ε/K.
 */
function probabilityLosses(yTrue: tf.Tensor, yPred: tf.Tensor, epsilon: number): tf.Tensor {
  const k = yPred.shape[yPred.rank - 1];
  const fuzz = tf.backend().epsilon();
  const y = tf.cast(yTrue, 'float32');
  const q = epsilon > 0 ? tf.add(tf.mul(y, 1 - epsilon), epsilon / k) : y;
  const p = tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), fuzz, 1 - fuzz);
  return tf.neg(tf.sum(tf.mul(q, tf.log(p)), -1));
}

/** Keras `CategoricalCrossentropy({ labelSmoothing, fromLogits })` for `model.compile`. */
export function categoricalCrossentropy(opts?: CategoricalCrossentropyOptions): KerasLoss {
  const where = 'categoricalCrossentropy';
  const { epsilon, fromLogits } = kerasOptions(where, opts);
  return (yTrue, yPred) => {
    if (fromLogits) return softmaxLoss(where, yTrue, yPred, undefined, epsilon, tf.Reduction.MEAN) as tf.Scalar;
    const p = logitsArg(where, yPred);
    const y = denseLabelsArg(where, 'yTrue', yTrue, p);
    return tf.tidy(() => tf.mean(probabilityLosses(y, p, epsilon)));
  };
}

/**
 * Keras `SparseCategoricalCrossentropy({ fromLogits })` with label smoothing and an ignore index,
 * for `model.compile`: yTrue holds one class index per row (int32, or float32 holding integers, as
 * tfjs's training passes targets), of the logits' shape without its last axis or with a last
 * axis of 1. Rows whose target is `ignoreIndex` count for nothing; the mean is over the others.
 * `model.fit` refuses targets of a shape other than the output's for any loss but its own
 * sparse one: train with `model.fitDataset` or a custom loop (README, "Training with TensorFlow.js").
 */
export function sparseCategoricalCrossentropy(opts?: SparseCategoricalCrossentropyOptions): KerasLoss {
  const where = 'sparseCategoricalCrossentropy';
  const { epsilon, fromLogits, ignoreIndex } = kerasOptions(where, opts);
  return (yTrue, yPred) => {
    const p = logitsArg(where, yPred);
    const t = tensorArg(where, 'yTrue', yTrue);
    if (t.dtype !== 'int32' && t.dtype !== 'float32') throw new TypeError(`${where}: yTrue must be an int32 or float32 tensor of class indices, received a ${t.dtype} tensor`);
    // Numbers, checked as targets by the core (crossEntropy: integers in [0, K) or ignoreIndex).
    const targets = Array.from(t.dataSync() as ArrayLike<number>);
    if (fromLogits) return sparseLoss(where, 'yTrue', targets, t.shape, p, { labelSmoothing: epsilon, ignoreIndex }) as tf.Scalar;
    const k = p.shape[p.rank - 1];
    // The smoothed targets by the core's rule: every target checked as crossEntropy checks it (an
    // index out of range is refused, never a zero row), an ignored row all zero.
    const q = asCaller(where, 'smoothTargets', () => smoothTargets(targets, k, { labelSmoothing: epsilon, ignoreIndex }), [/^target/, 'yTrue']);
    const kept = targets.filter((c) => c !== ignoreIndex).length;
    return tf.tidy(() => tf.div(tf.sum(probabilityLosses(tf.tensor2d(q, [targets.length, k]), tf.reshape(p, [-1, k]), 0)), kept) as tf.Scalar);
  };
}
