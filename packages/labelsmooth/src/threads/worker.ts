// One worker of the pool in Node, Deno and Bun (dist/thread-worker.mjs, started by
// loader/node.ts with node:worker_threads); the loop is serve.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerStart } from './host';
import { exitingWhileHolding, serveWorker } from './serve';

// Tests only (test/threads.test.ts). Deno throws on reading an environment variable without
// --allow-env: then there is no fault.
const fault = ((): string | undefined => {
  try {
    return process.env.LABELSMOOTH_TEST_WORKER_FAULT;
  } catch {
    return undefined;
  }
})();

process.on('exit', exitingWhileHolding);
serveWorker(workerData as WorkerStart, { ready: () => parentPort!.postMessage('ready'), fault, exit: (code) => process.exit(code) });
process.exit(0);
