#!/usr/bin/env node
// A whole model.fit epoch of a model whose output layer has 32,000 classes, on tfjs-wasm: the same
// model (dense 64 → 32,000, linear) compiled with tfjs's tf.losses.softmaxCrossEntropy (ε = 0.1,
// MEAN) and with labelsmooth/tfjs's categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
// one-hot targets, batches of 256, epochs alternating between the two after one warm-up epoch
// each; the median epoch time of each and their ratio.
//   node bench/tfjs-epoch.mjs [--samples 1024] [--epochs 3]
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tfjsOnWasm } from './tfjs-wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const [samples, epochs, classes, features, batchSize] = [arg('--samples', 1024), arg('--epochs', 3), 32000, 64, 256];

for (const method of ['log', 'warn']) {
  const original = console[method];
  console[method] = (...a) => (String(a[0]).includes('tfjs-node') || /^=+$/.test(String(a[0]).trim()) ? undefined : original(...a));
}
const { tf } = await tfjsOnWasm(root);
const lt = await import(pathToFileURL(join(root, 'packages/labelsmooth/dist/tfjs.mjs')).href);

const xs = tf.randomNormal([samples, features], 0, 1, 'float32', 1);
const ids = tf.tensor1d(Array.from({ length: samples }, (_, i) => (i * 7919) % classes), 'int32');
// oneHot(..., 'float32') gives wrong values on tfjs-wasm 4.22: one-hot as int32, then cast.
const ys = tf.tidy(() => tf.oneHot(ids, classes).cast('float32'));
const losses = {
  tfjs: (y, p) => tf.losses.softmaxCrossEntropy(y, p, undefined, 0.1, tf.Reduction.MEAN),
  'labelsmooth/tfjs': lt.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
};
const models = Object.fromEntries(
  Object.entries(losses).map(([name, loss]) => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [features], units: classes, kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) })] });
    m.compile({ optimizer: tf.train.sgd(0.1), loss });
    return [name, m];
  }),
);
const epoch = async (name) => {
  const t0 = performance.now();
  await models[name].fit(xs, ys, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
  return performance.now() - t0;
};
const times = { tfjs: [], 'labelsmooth/tfjs': [] };
for (const name of Object.keys(times)) await epoch(name); // warm-up
for (let e = 0; e < epochs; e++) for (const name of Object.keys(times)) times[name].push(await epoch(name));
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log(`model.fit epoch on tfjs-wasm: ${samples} samples, dense ${features} → ${classes}, batches of ${batchSize}, ${epochs} epochs each after a warm-up`);
for (const [name, v] of Object.entries(times)) console.log(`${name.padEnd(17)} median ${(median(v) / 1000).toFixed(2)} s  (${v.map((t) => (t / 1000).toFixed(2)).join(', ')})`);
console.log(`epoch speed-up: ${(median(times.tfjs) / median(times['labelsmooth/tfjs'])).toFixed(2)}×`);
