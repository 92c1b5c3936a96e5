// labelsmooth/tfjs's model.compile losses in training, on tfjs's cpu and wasm backends: a small model
// trained for a few epochs with each loss, against the same model (same initial weights, same
// optimizer, full batches, no shuffling) trained with the equivalent tfjs loss: the loss histories
// agree within 1e-4 (both are float32 computations of the same mean of K-term sums, a few u of a
// loss ≈ 2, compounded over a few steps of SGD). model.fit's refusal of integer targets with a
// custom loss (the documented limit) and model.fitDataset's acceptance; ignored targets change
// nothing; a sequence model with [batch, time, vocab] logits and padded targets trains.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { categoricalCrossentropy, sparseCategoricalCrossentropy, type KerasLoss } from 'labelsmooth/tfjs';
import { TFJS_BACKENDS, useBackend } from './helpers/tfjs';

const [N, D, K, EPOCHS] = [12, 4, 5, 4];

/** A seeded dense model: `activation` 'linear' gives logits, 'softmax' probabilities. */
function model(activation: 'linear' | 'softmax', loss: KerasLoss | string): tf.Sequential {
  const m = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [D], units: K, activation, kernelInitializer: tf.initializers.glorotNormal({ seed: 7 }) })],
  });
  m.compile({ optimizer: tf.train.sgd(0.5), loss });
  return m;
}

function data() {
  const xs = tf.tensor2d(Array.from({ length: N * D }, (_, i) => Math.sin(i * 1.7) * 2), [N, D]);
  const classes = Array.from({ length: N }, (_, i) => (i * 7) % K);
  return { xs, classes, onehot: tf.oneHot(tf.tensor1d(classes, 'int32'), K).toFloat() };
}

async function fitLosses(m: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor): Promise<number[]> {
  const h = await m.fit(xs, ys, { epochs: EPOCHS, batchSize: N, shuffle: false, verbose: 0 });
  return h.history.loss as number[];
}

/** Rows of xs and targets as a dataset of one full batch. */
async function fitDatasetLosses(m: tf.LayersModel, xs: number[][], ys: number[] | number[][]): Promise<number[]> {
  const ds = tf.data.zip({ xs: tf.data.array(xs), ys: tf.data.array(ys as number[]) }).batch(xs.length);
  const h = await m.fitDataset(ds, { epochs: EPOCHS, verbose: 0 });
  return h.history.loss as number[];
}

function expectHistories(ours: number[], theirs: number[]): void {
  expect(ours.length).toBe(EPOCHS);
  for (let e = 0; e < EPOCHS; e++) expect(Math.abs(ours[e] - theirs[e]), `epoch ${e}: ${ours[e]} vs ${theirs[e]}`).toBeLessThanOrEqual(1e-4);
  // The losses move: a run that did not train could not match by accident.
  expect(ours[EPOCHS - 1]).toBeLessThan(ours[0]);
}

describe.each(TFJS_BACKENDS)('labelsmooth/tfjs losses in model.fit and model.fitDataset (%s backend)', (backendName) => {
  beforeAll(() => useBackend(backendName));

  it('categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }) trains as tf.losses.softmaxCrossEntropy with ε = 0.1', async () => {
    const { xs, onehot } = data();
    const ours = await fitLosses(model('linear', categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 })), xs, onehot);
    const theirs = await fitLosses(model('linear', (y, p) => tf.losses.softmaxCrossEntropy(y, p, undefined, 0.1, tf.Reduction.MEAN) as tf.Scalar), xs, onehot);
    expectHistories(ours, theirs);
  });

  it("categoricalCrossentropy() on probabilities trains as tfjs's 'categoricalCrossentropy'", async () => {
    const { xs, onehot } = data();
    const ours = await fitLosses(model('softmax', categoricalCrossentropy()), xs, onehot);
    const theirs = await fitLosses(model('softmax', 'categoricalCrossentropy'), xs, onehot);
    expectHistories(ours, theirs);
  });

  it('sparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }) with model.fitDataset trains as the tfjs loss on one-hot labels', async () => {
    const { xs, classes, onehot } = data();
    const rows = xs.arraySync() as number[][];
    const ours = await fitDatasetLosses(model('linear', sparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 })), rows, classes);
    const theirs = await fitLosses(model('linear', (y, p) => tf.losses.softmaxCrossEntropy(y, p, undefined, 0.1, tf.Reduction.MEAN) as tf.Scalar), xs, onehot);
    expectHistories(ours, theirs);
  });

  it('sparseCategoricalCrossentropy() on probabilities trains as the same loss on one-hot labels', async () => {
    const { xs, classes, onehot } = data();
    const rows = xs.arraySync() as number[][];
    const ours = await fitDatasetLosses(model('softmax', sparseCategoricalCrossentropy({ labelSmoothing: 0.2 })), rows, classes);
    const theirs = await fitLosses(model('softmax', categoricalCrossentropy({ labelSmoothing: 0.2 })), xs, onehot);
    expectHistories(ours, theirs);
  });

  it('ignoreIndex: rows with the ignored target change nothing (the same history as without those rows)', async () => {
    const { xs, classes } = data();
    const rows = xs.arraySync() as number[][];
    const ignored = classes.map((c, i) => (i % 4 === 1 ? -1 : c));
    const loss = () => sparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1, ignoreIndex: -1 });
    const withIgnored = await fitDatasetLosses(model('linear', loss()), rows, ignored);
    const keep = (_: unknown, i: number) => i % 4 !== 1;
    const without = await fitDatasetLosses(model('linear', loss()), rows.filter(keep), classes.filter(keep));
    // The same sums over the same rows; only their order within the kernel's partial sums and the
    // gradient's matrix products over zero rows can round differently: a few u of each value.
    for (let e = 0; e < EPOCHS; e++) expect(Math.abs(withIgnored[e] - without[e])).toBeLessThanOrEqual(1e-6);
  });

  it("model.fit refuses [N, 1] integer targets with a custom loss (tfjs exempts only its own sparse loss): the documented limit", async () => {
    const { xs, classes } = data();
    const m = model('linear', sparseCategoricalCrossentropy({ fromLogits: true }));
    await expect(m.fit(xs, tf.tensor2d(classes, [N, 1]), { epochs: 1, verbose: 0 })).rejects.toThrow(/target expected a batch of elements where each example has shape \[5\]/);
  });

  it('a sequence model ([batch, time, vocab] logits, padding targets ignored) trains', async () => {
    const [B, T, V] = [6, 5, 7];
    const tokens = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (t >= T - (b % 3) ? 0 : 1 + ((b + 2 * t) % (V - 1)))));
    // Next-token targets; the padding id 0 is ignored.
    const targets = tokens.map((row) => row.map((_, t) => (t + 1 < T ? row[t + 1] : 0)));
    // Tokens as one-hot features into dense layers over the last axis (tfjs-wasm has no gradient
    // for an embedding layer: no UnsortedSegmentSum kernel).
    const m = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [T, V], units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }),
        tf.layers.dense({ units: V, kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }),
      ],
    });
    m.compile({ optimizer: tf.train.adam(0.05), loss: sparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1, ignoreIndex: 0 }) });
    const features = tokens.map((row) => row.map((token) => Array.from({ length: V }, (_, v) => (v === token ? 1 : 0))));
    const ds = tf.data.zip({ xs: tf.data.array(features), ys: tf.data.array(targets) }).batch(B);
    const h = await m.fitDataset(ds, { epochs: 8, verbose: 0 });
    const losses = h.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(0.8 * losses[0]);
  });

  it('typed errors: ε outside [0, 1], fromLogits not a boolean, targets that are not integers', () => {
    expect(() => categoricalCrossentropy({ labelSmoothing: 1.5 })).toThrow(/^categoricalCrossentropy: options.labelSmoothing must be a number in \[0, 1\], received 1\.5$/);
    expect(() => sparseCategoricalCrossentropy({ fromLogits: 1 as unknown as boolean })).toThrow(TypeError);
    const loss = sparseCategoricalCrossentropy({ fromLogits: true });
    expect(() => tf.tidy(() => loss(tf.tensor1d([0.5, 1]), tf.zeros([2, 3])))).toThrow(/^sparseCategoricalCrossentropy: yTrue\[0\] must be a 32-bit integer, received 0\.5$/);
    // One rule for targets whatever yPred holds: the same error, type and message, from logits and from probabilities.
    const probabilities = sparseCategoricalCrossentropy();
    for (const f of [loss, probabilities]) {
      const outOfRange = () => tf.tidy(() => f(tf.tensor1d([0, 3]), tf.ones([2, 3])));
      expect(outOfRange).toThrow(RangeError);
      expect(outOfRange).toThrow(/^sparseCategoricalCrossentropy: yTrue\[1\] must be a class index in \[0, 3\) or ignoreIndex \(-100\), received 3$/);
      expect(() => tf.tidy(() => f(tf.tensor1d([0.5, 1]), tf.ones([2, 3])))).toThrow(/^sparseCategoricalCrossentropy: yTrue\[0\] must be a 32-bit integer, received 0\.5$/);
    }
  });
});
