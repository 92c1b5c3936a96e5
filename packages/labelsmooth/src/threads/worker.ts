// One worker of the pool (dist/thread-worker.mjs, started by loader/node.ts): instantiates the
// threaded build on the shared memory (wasm-bindgen gives this thread its own stack and TLS),
// says it is ready, then sleeps on the control block's generation and takes chunks of each job
// (protocol.ts) until it is told to stop.
import { parentPort, workerData } from 'node:worker_threads';
import { initSync } from '../../wasm/threads/labelsmooth_wasm.js';
import type { WorkerStart } from './host';
import { CONTROL_BYTES, finishChunk, recordFailure, runChunks, Slot } from './protocol';

const { module, memory, control: at } = workerData as WorkerStart;
const exports = initSync({ module, memory }) as unknown as Record<string, unknown> & { __wbindgen_thread_destroy?: () => void };
const control = new Int32Array(memory.buffer, at, CONTROL_BYTES / 4);
// Tests only (test/threads.test.ts): make this worker fail on its first chunk, by throwing or by
// exiting, to show that the caller gets an error and the pool recovers.
// Deno throws on reading an environment variable without --allow-env: then there is no fault.
const fault = ((): string | undefined => {
  try {
    return process.env.LABELSMOOTH_TEST_WORKER_FAULT;
  } catch {
    return undefined;
  }
})();

/** The job count of the chunk this worker holds, while it holds one. */
let holding = 0;
process.on('exit', () => {
  // Exiting with a chunk claimed: count it done and failed, so that the caller is not left waiting.
  if (holding) {
    recordFailure(control, 'a worker thread exited during a call');
    finishChunk(control, holding);
  }
});

// The generation is read before saying ready: a job or a stop published after 'ready' then
// changes it, and the wait below returns at once instead of missing the wake-up.
let seen = Atomics.load(control, Slot.generation);
parentPort!.postMessage('ready');
for (;;) {
  if (Atomics.load(control, Slot.stop)) break;
  Atomics.wait(control, Slot.generation, seen);
  seen = Atomics.load(control, Slot.generation);
  if (Atomics.load(control, Slot.stop)) break;
  const count = Atomics.load(control, Slot.count);
  try {
    runChunks(control, memory, seen, exports, () => {
      holding = count;
      if (fault === 'throw') throw new Error('a fault injected by LABELSMOOTH_TEST_WORKER_FAULT');
      if (fault === 'exit') process.exit(3);
    });
  } catch (error) {
    recordFailure(control, String((error as Error)?.message ?? error));
    finishChunk(control, count);
  }
  holding = 0;
}
exports.__wbindgen_thread_destroy?.();
process.exit(0);
