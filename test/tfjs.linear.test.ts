// labelsmooth/tfjs's linearSoftmaxCrossEntropy on tfjs's cpu and wasm backends: its value and its
// gradients w.r.t. the hidden states, the dense kernel and the bias (tf.grads) against tfjs's own
// tf.losses.softmaxCrossEntropy of matMul(hidden, kernel) + bias with one-hot labels; 'none' with
// a per-row dy; a training loop with optimizer.minimize; no tensor left behind.
//
// Tolerances: both compute in float32. The logits differ by at most δ = 2(D + 2)·u·max Σ|h·k| + |b|
// (two float32 dot products of D terms, u = 2⁻²⁴); the loss by Σ_rows (2δ + (V + 8)·u·(1 + |L_i|))
// over N for the mean; each gradient element by its size times 6δ plus the float32 sums of its
// product ((V + 1)·u, (N + 1)·u of Σ|terms|, bounded here by |dz| ≤ 2/N).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { linearSoftmaxCrossEntropy } from 'labelsmooth/tfjs';
import { TFJS_BACKENDS, tensorsLeft, useBackend } from './helpers/tfjs';
import { rng } from './helpers/pseudo-random';

const U = 2 ** -24;

for (const backendName of TFJS_BACKENDS) {
  describe(`linearSoftmaxCrossEntropy on tfjs-${backendName}`, () => {
    beforeAll(async () => useBackend(backendName));
    const [n, d, v] = [9, 7, 13];
    const next = rng(42);
    const vals = (len: number, s: number) => Float32Array.from({ length: len }, () => (next() - 0.5) * 2 * s);
    const hv = vals(n * d, 1), kv = vals(d * v, 1), bv = vals(v, 0.5);
    const lv = Int32Array.from({ length: n }, () => Math.floor(next() * v));

    it('equals tfjs softmaxCrossEntropy of the dense layer with one-hot labels: value and the three gradients', () => {
      const [h, k, b, labels] = [tf.tensor2d(hv, [n, d]), tf.tensor2d(kv, [d, v]), tf.tensor1d(bv), tf.tensor1d(lv, 'int32')];
      const onehot = tf.oneHot(labels, v).cast('float32');
      const eps = 0.1;
      const ours = tf.grads((x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) => linearSoftmaxCrossEntropy(x, w, labels, { labelSmoothing: eps, bias: c }));
      const theirs = tf.grads((x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) => tf.losses.softmaxCrossEntropy(onehot, tf.add(tf.matMul(x, w), c), undefined, eps));
      const lossOurs = linearSoftmaxCrossEntropy(h, k, labels, { labelSmoothing: eps, bias: b }).dataSync()[0];
      const lossTheirs = tf.losses.softmaxCrossEntropy(onehot, tf.add(tf.matMul(h, k), b), undefined, eps).dataSync()[0];
      const delta = 2 * (d + 2) * U * (d + 0.5);
      expect(Math.abs(lossOurs - lossTheirs)).toBeLessThanOrEqual(2 * delta + (v + 8) * U * (1 + Math.abs(lossTheirs)));
      const g1 = ours([h, k, b]).map((t) => t.dataSync());
      const g2 = theirs([h, k, b]).map((t) => t.dataSync());
      // |dz| ≤ 2/N per element (softmax plus target mass, over N for the mean).
      const dz = 2 / n;
      const bounds = [dz * v * (6 * delta + (v + 1) * U), dz * n * (6 * delta + (n + 1) * U), dz * n * (6 * delta + (n + 1) * U)];
      g1.forEach((g, which) => {
        expect(g.length).toBe(g2[which].length);
        g.forEach((x, i) => {
          if (!(Math.abs(x - g2[which][i]) <= bounds[which])) throw new Error(`gradient ${which}[${i}]: ${x} vs ${g2[which][i]} (bound ${bounds[which]})`);
        });
      });
      tf.dispose([h, k, b, labels, onehot]);
    });

    it("'none' with a per-row dy: the gradients are the sum of each row's times its dy", () => {
      const [h, k, labels] = [tf.tensor2d(hv, [n, d]), tf.tensor2d(kv, [d, v]), tf.tensor1d(lv, 'int32')];
      const dyv = Float32Array.from({ length: n }, (_, i) => (i % 3) - 0.5);
      const dy = tf.tensor1d(dyv);
      const [gh, gk] = tf.grads((x: tf.Tensor, w: tf.Tensor) => linearSoftmaxCrossEntropy(x, w, labels, { reduction: 'none' }))([h, k], dy).map((t) => t.dataSync());
      // The same as the sum reduction of the losses weighted by dy (tokenWeights), whose gradient is one pass.
      const [eh, ek] = tf.grads((x: tf.Tensor, w: tf.Tensor) => linearSoftmaxCrossEntropy(x, w, labels, { reduction: 'sum', tokenWeights: dyv }))([h, k]).map((t) => t.dataSync());
      gh.forEach((x, i) => expect(x).toBe(eh[i]));
      const bound = 2 * n * (n + 1) * U;
      gk.forEach((x, i) => expect(Math.abs(x - ek[i])).toBeLessThanOrEqual(bound));
      tf.dispose([h, k, labels, dy]);
    });

    it('trains a dense head with optimizer.minimize, and leaves no tensor behind', () => {
      const h = tf.tensor2d(hv, [n, d]);
      const labels = tf.tensor1d(lv, 'int32');
      const kernel = tf.variable(tf.zeros([d, v]));
      const bias = tf.variable(tf.zeros([v]));
      const opt = tf.train.sgd(1);
      const step = () => {
        const cost = opt.minimize(() => linearSoftmaxCrossEntropy(h, kernel, labels, { bias, labelSmoothing: 0.05 }) as tf.Scalar, true)!;
        const value = cost.dataSync()[0];
        cost.dispose();
        return value;
      };
      const first = step();
      expect(first).toBeCloseTo(Math.log(v), 5);
      let last = first;
      const left = tensorsLeft(() => {
        for (let i = 0; i < 30; i++) last = step();
      });
      expect(last).toBeLessThan(0.5 * first);
      expect(left).toBe(0);
      tf.dispose([h, labels, kernel, bias]);
      opt.dispose();
    });

    it('T16 typed errors name the argument', () => {
      const h = tf.tensor2d(hv, [n, d]);
      expect(() => linearSoftmaxCrossEntropy(h, tf.zeros([d + 1, v]), tf.tensor1d(lv, 'int32'))).toThrow(
        new RangeError(`linearSoftmaxCrossEntropy: kernel must have shape [D, V] with D = ${d} (the last axis of hidden), received a float32 tensor of shape [${d + 1}, ${v}]`),
      );
      expect(() => linearSoftmaxCrossEntropy(h, tf.zeros([d, v]), tf.tensor1d(lv, 'float32'))).toThrow(
        new TypeError(`linearSoftmaxCrossEntropy: labels must be an int32 tensor of shape [${n}], received a float32 tensor of shape [${n}]`),
      );
      expect(() => linearSoftmaxCrossEntropy(h, tf.zeros([d, v]), tf.tensor1d(lv, 'int32'), { labelSmoothing: 2 })).toThrow(
        new RangeError('linearSoftmaxCrossEntropy: options.labelSmoothing must be a number in [0, 1], received 2'),
      );
      const bad = Int32Array.from(lv);
      bad[1] = v;
      expect(() => linearSoftmaxCrossEntropy(h, tf.zeros([d, v]), tf.tensor1d(bad, 'int32'))).toThrow(
        new RangeError(`linearSoftmaxCrossEntropy: labels[1] must be a class index in [0, ${v}) or ignoreIndex (-100), received ${v}`),
      );
      h.dispose();
    });
  });
}
