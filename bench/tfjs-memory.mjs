#!/usr/bin/env node
// Peak extra memory of one training step's loss + gradient (tf.valueAndGrad) on tfjs-wasm:
// tf.losses.softmaxCrossEntropy against labelsmooth/tfjs, each in a fresh Node process (wasm
// memory only grows, so the growth over the step is the most it held at once, and a fresh process
// keeps one implementation from reusing memory another grew). Counted: tfjs-wasm's heap and
// labelsmooth's wasm memory, after the inputs are made and after the first step.
//   node bench/tfjs-memory.mjs [--shape 1024x32000]
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tfjsOnWasm } from './tfjs-wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const shapeArg = args.includes('--shape') ? args[args.indexOf('--shape') + 1] : '1024x32000';
const [n, k] = shapeArg.split('x').map(Number);
const IMPLS = ['tfjs', 'ls-tfjs', 'ls-tfjs-sparse'];

if (args[0] === '--child') {
  const impl = args[1];
  for (const method of ['log', 'warn']) console[method] = () => {};
  const { tf } = await tfjsOnWasm(root);
  const ls = await import(pathToFileURL(join(root, 'packages/labelsmooth/dist/index.mjs')).href);
  const lt = await import(pathToFileURL(join(root, 'packages/labelsmooth/dist/tfjs.mjs')).href);
  const bytes = () => tf.backend().wasm.HEAPU8.buffer.byteLength + ls.allocFloat32(0).view.buffer.byteLength;
  const x = tf.randomNormal([n, k]);
  const t = tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 7919) % k), 'int32');
  // oneHot(..., 'float32') gives wrong values on tfjs-wasm 4.22: one-hot as int32, then cast.
  const onehot = tf.tidy(() => tf.oneHot(t, k).cast('float32'));
  const loss = {
    tfjs: (l) => tf.losses.softmaxCrossEntropy(onehot, l, undefined, 0.1),
    'ls-tfjs': (l) => lt.softmaxCrossEntropy(onehot, l, undefined, 0.1),
    'ls-tfjs-sparse': (l) => lt.sparseSoftmaxCrossEntropy(t, l, { labelSmoothing: 0.1 }),
  }[impl];
  const before = bytes();
  tf.tidy(() => {
    const { grad } = tf.valueAndGrad(loss)(x);
    grad.dataSync();
  });
  process.stdout.write(JSON.stringify({ impl, extraBytes: bytes() - before }));
} else {
  const nk = n * k * 4;
  console.log(`tfjs-wasm, ${n}×${k} (one N×K float32 array: ${(nk / 2 ** 20).toFixed(0)} MiB): extra wasm memory of one tf.valueAndGrad step`);
  const results = IMPLS.map((impl) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', impl, '--shape', shapeArg], { encoding: 'utf8', maxBuffer: 1 << 20 })));
  const base = results.find((r) => r.impl === 'tfjs').extraBytes;
  for (const r of results) console.log(`${r.impl.padEnd(16)} ${(r.extraBytes / 2 ** 20).toFixed(0).padStart(6)} MiB  ${(r.extraBytes / nk).toFixed(2)} N×K arrays  ${(r.extraBytes / base).toFixed(3)} of tfjs's`);
}
