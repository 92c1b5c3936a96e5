// A pool worker's loop, the same in every runtime (worker.ts for node:worker_threads,
// worker-web.ts for web workers): instantiate the threaded build on the shared memory, say ready,
// then sleep on the control block's generation and take chunks of each job (protocol.ts) until
// told to stop.
import { initSync } from '../../wasm/threads/labelsmooth_wasm.js';
import type { WorkerStart } from './host';
import { CONTROL_BYTES, finishChunk, recordFailure, runChunks, Slot } from './protocol';

export interface WorkerHooks {
  /** Tells the pool this worker is ready. */
  ready(): void;
  /** Tests only: fail on the first chunk, by throwing or by exiting the thread (`exit`). */
  fault?: string;
  exit?(code: number): void;
}

/** While a chunk is held: its job's count (a worker that exits then counts it done and failed). */
export const holding = { count: 0, control: undefined as Int32Array | undefined };

/** Serves jobs until the pool stops; returns after freeing this thread's stack. */
export function serveWorker(start: WorkerStart, hooks: WorkerHooks): void {
  const { module, memory, control: at } = start;
  const exports = initSync({ module, memory }) as unknown as Record<string, unknown> & { __wbindgen_thread_destroy?: () => void };
  const control = new Int32Array(memory.buffer, at, CONTROL_BYTES / 4);
  holding.control = control;
  // The generation is read before saying ready: a job or a stop published after 'ready' then
  // changes it, and the wait below returns at once instead of missing the wake-up.
  let seen = Atomics.load(control, Slot.generation);
  hooks.ready();
  for (;;) {
    if (Atomics.load(control, Slot.stop)) break;
    Atomics.wait(control, Slot.generation, seen);
    seen = Atomics.load(control, Slot.generation);
    if (Atomics.load(control, Slot.stop)) break;
    const count = Atomics.load(control, Slot.count);
    try {
      runChunks(
        control,
        memory,
        seen,
        exports,
        () => {
          holding.count = count;
          if (hooks.fault === 'throw') throw new Error('a fault injected by LABELSMOOTH_TEST_WORKER_FAULT');
          if (hooks.fault === 'exit') hooks.exit?.(3);
        },
        () => (holding.count = 0),
      );
    } catch {
      // Recorded by runChunks for the caller, which throws it; this worker waits for the next job.
    }
  }
  exports.__wbindgen_thread_destroy?.();
}

/** For a thread that exits while it holds a chunk: count the chunk done and failed. */
export function exitingWhileHolding(): void {
  if (holding.count && holding.control) {
    recordFailure(holding.control, 'a worker thread exited during a call');
    finishChunk(holding.control);
  }
}
