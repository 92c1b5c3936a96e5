// Running labelsmooth/tfjs and tfjs's own losses side by side: a tfjs backend per suite, a loss's
// value and gradient through tf.valueAndGrad (as training computes them), and the tensor count.
import * as tf from '@tensorflow/tfjs-core';
// The union package, as users import it: tfjs-core alone registers no gradients (tfjs's own
// losses need them; labelsmooth/tfjs's ops do not), and it brings the cpu backend.
import '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The tfjs backends labelsmooth/tfjs is tested on (both compute synchronously). */
export const TFJS_BACKENDS = ['cpu', 'wasm'];

// tfjs-backend-wasm loads its .wasm files from a directory it is told (a path, in Node).
const wasmDir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
setWasmPaths(`${wasmDir}${path.sep}`);

/** Makes `name` tfjs's backend. */
export async function useBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} did not initialise`);
  await tf.ready();
}

/** A loss of the logits, the way both libraries' losses are called in a test. */
export type LossOf = (logits: tf.Tensor) => tf.Tensor;

/** The loss's values and its gradient with respect to `logits` (dy = ones), as arrays. */
export function valueAndGrad(loss: LossOf, logits: tf.Tensor): { loss: Float32Array; grad: Float32Array } {
  const { value, grad } = tf.valueAndGrad(loss)(logits);
  const out = { loss: Float32Array.from(value.dataSync()), grad: Float32Array.from(grad.dataSync()) };
  value.dispose();
  grad.dispose();
  return out;
}

/** How many tensors `fn` leaves behind. */
export function tensorsLeft(fn: () => void): number {
  const before = tf.memory().numTensors;
  fn();
  return tf.memory().numTensors - before;
}
