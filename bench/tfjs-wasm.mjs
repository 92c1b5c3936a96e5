// tfjs on its wasm backend with one thread (labelsmooth is single-threaded: the comparison is one
// core against one core), loaded from the repository's node_modules as every benchmark script in
// Node, Deno and Bun loads it (bench/browser.html does the same from tfjs's UMD bundles).
import { join } from 'node:path';

/** `@tensorflow/tfjs` with the wasm backend set and ready, and the thread count tfjs reports. */
export async function tfjsOnWasm(root) {
  const tf = await import('@tensorflow/tfjs');
  const tfw = await import('@tensorflow/tfjs-backend-wasm');
  tfw.setThreadsCount?.(1);
  tfw.setWasmPaths(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  return { tf, threads: tfw.getThreadsCount?.() ?? null };
}
