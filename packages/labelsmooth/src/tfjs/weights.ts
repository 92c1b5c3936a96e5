// tfjs's `weights` argument, as the core's `weights` and `weightsPer` options. tfjs multiplies the
// losses by the weights with broadcasting (tfjs-core/src/ops/losses/compute_weighted_loss.ts);
// here the weights must broadcast to the losses' shape without enlarging it, which covers every
// shape tfjs documents ([] and [N] for the softmax loss; [], [N, 1], [1, K], [K] and [N, K] for
// the sigmoid loss, with the leading axes of higher ranks), and leading axes of 1 (tfjs's own
// test weighs 3 softmax losses with weights [1, 3]; the unreduced loss then has their shape).
// tfjs also accepts shapes that enlarge the result (weights [N, N] against N losses give N×N
// weighted losses); those are refused.
// Broadcasting the weights to a larger shape first changes none of tfjs's reductions (MEAN
// divides by Σ w · |losses| / |w|, which broadcasting leaves unchanged), so each reading below
// gives tfjs's result.
import * as tf from '@tensorflow/tfjs-core';
import { describeTensor } from './tensors';

/** The core's weights options (losses/tfjs.ts): a number, or values with what they are per. */
export interface CoreWeights {
  weights?: number | Float32Array;
  weightsPer?: 'row' | 'class' | 'element';
}

/** The shape of the weighted losses: the losses' shape with the weights' extra leading axes of 1. */
export function weightedShape(weights: unknown, lossShape: number[]): number[] {
  const rank = weights instanceof tf.Tensor ? weights.rank : 0;
  return rank > lossShape.length ? [...Array<number>(rank - lossShape.length).fill(1), ...lossShape] : lossShape;
}

/**
 * `shape` without extra leading axes of 1 and padded with leading 1s to the axes of `target`,
 * when it broadcasts to `target` without enlarging it.
 */
function broadcastsInto(shape: readonly number[], target: readonly number[]): number[] | undefined {
  const extra = shape.length - target.length;
  if (extra > 0) return shape.slice(0, extra).every((d) => d === 1) ? broadcastsInto(shape.slice(extra), target) : undefined;
  const padded = [...Array<number>(target.length - shape.length).fill(1), ...shape];
  return padded.every((d, i) => d === 1 || d === target[i]) ? padded : undefined;
}

/** The values of `w` (of shape `padded`) broadcast to `shape`. */
function broadcastValues(w: tf.Tensor, padded: number[], shape: number[]): Float32Array {
  return tf.tidy(() => {
    const b = tf.broadcastTo(tf.reshape(tf.cast(w, 'float32'), padded), shape);
    // A copy: `dataSync()` may be the storage of a tensor this tidy disposes.
    return Float32Array.from(b.dataSync() as Float32Array);
  });
}

/**
 * The core's weights for losses of shape `lossShape` (the softmax loss: one per row, so the
 * weights are per row; the sigmoid loss: the logits' shape, so per row, class or element).
 */
export function coreWeights(where: string, weights: unknown, lossShape: number[], perElement: boolean): CoreWeights {
  if (weights === undefined) return {};
  if (typeof weights === 'number') return { weights };
  if (!(weights instanceof tf.Tensor) || weights.isDisposed) {
    throw new TypeError(`${where}: weights must be a number or a float32 or int32 tf.Tensor (leave it out for none), received ${describeTensor(weights)}`);
  }
  if (weights.dtype !== 'float32' && weights.dtype !== 'int32') {
    throw new TypeError(`${where}: weights must be a float32 or int32 tensor, received ${describeTensor(weights)}`);
  }
  const padded = broadcastsInto(weights.shape, lossShape);
  if (!padded) {
    throw new RangeError(
      `${where}: weights must broadcast to the shape of the losses [${lossShape.join(', ')}] without enlarging it, received ${describeTensor(weights)}`,
    );
  }
  if (weights.size === 1) return { weights: floatScalar(weights) };
  const rows = lossShape.slice(0, perElement ? -1 : undefined);
  if (!perElement) return { weights: broadcastValues(weights, padded, rows), weightsPer: 'row' };
  const last = padded.length - 1;
  if (padded[last] === 1) return { weights: broadcastValues(weights, padded.slice(0, last), rows), weightsPer: 'row' };
  if (padded.slice(0, last).every((d) => d === 1)) return { weights: Float32Array.from(weights.dataSync() as Float32Array), weightsPer: 'class' };
  return { weights: broadcastValues(weights, padded, lossShape), weightsPer: 'element' };
}

function floatScalar(w: tf.Tensor): number {
  return w.dataSync()[0] as number;
}
