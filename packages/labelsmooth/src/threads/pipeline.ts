// A split call whose arguments are the caller's plain Float32Arrays (docs/architecture.md,
// "Threads"): only the calling thread can read those arrays, and copying N×K values in and the
// N×K gradient out costs about as much as the kernel. So the copies overlap the workers' compute:
//   1. the job is published with no chunk claimable; the caller copies each chunk's rows of every
//      N×K input in and publishes the chunk at once, so workers start on chunk 0 while the caller
//      copies chunk 1;
//   2. then the caller copies each finished chunk's rows of every N×K output out, in chunk order,
//      and runs a chunk itself whenever none has finished yet.
// Every input is copied in before any output is copied out, so an output array that overlaps an
// input (the logits as gradOut, `inPlace`, or any view of the same buffer) reads as it did.
// Chunk c's output is copied only after its status is stored (threads/protocol.ts: the kernel's
// writes come before that store), and only when chunks 0..c all succeeded. A chunk can refuse only
// what every chunk would refuse (the call's own fields), except a target out of range, which
// planSplit checks for the whole call before anything is published: so a refused call writes
// nothing into the caller's arrays.
import { Status, type KernelExportSpec, type KernelOutcome, type WasmExports } from '../wasm-interface.generated';
import { activePool } from './pool';
import { runChunks, Slot } from './protocol';
import { finish, planSplit, publish, SPLIT_MIN_VALUES, waitForChunks, type SplitJob } from './split';

/** A staged input whose values are not in wasm memory yet: `source` is copied to `ptr`. */
export interface PendingCopy {
  readonly ptr: number;
  readonly source: Float32Array;
}

/** An output the call copies from `ptr` (`length` values) to the caller's array by `write`. */
export interface OutputCopy {
  readonly ptr: number;
  readonly length: number;
  /** Copies `count` values at `at` to values [from, from + count) of the caller's array. */
  write(at: number, from: number, count: number): void;
  /** Set once the pipeline copied all of it out (then the call does not copy it again). */
  delivered: boolean;
}

/** A status no kernel returns: the chunk has not finished. */
const PENDING = -1;

/**
 * Whether an input of `length` values should wait to be copied until the kernel call (which may
 * then copy it chunk by chunk): only with a pool, and only when the array alone is large enough
 * for a split call.
 */
export function defersCopy(k: WasmExports, length: number): boolean {
  return length >= SPLIT_MIN_VALUES && activePool(k) !== undefined;
}

/** Copies `p` into wasm memory whole. */
export function copyIn(k: WasmExports, p: PendingCopy): void {
  new Float32Array(k.memory.buffer, p.ptr, p.source.length).set(p.source);
}

/**
 * Runs kernel `spec` on `call` over the pool with the copies of `pending` and `outputs` that
 * hold N×K values overlapped with the chunks (the other pending inputs are copied whole first);
 * undefined when the call is not split (nothing is copied then). On success every N×K output is
 * `delivered`.
 */
export function runPipelined<C, R>(
  k: WasmExports,
  spec: KernelExportSpec<C, R>,
  call: C,
  frame: number,
  pending: readonly PendingCopy[],
  outputs: readonly OutputCopy[],
): KernelOutcome<R> | undefined {
  const job = planSplit(k, spec, call, frame);
  if (!job || 'status' in job) return job;
  const values = job.rows * job.classes;
  const perRow = pending.filter((p) => p.source.length === values);
  for (const p of pending) if (p.source.length !== values) copyIn(k, p);
  const out = outputs.filter((o) => o.length === values && !o.delivered);
  const words = new Int32Array(k.memory.buffer);
  const statusWord = (c: number) => (job.base + c * job.stride + job.statusOffset) >> 2;
  for (let c = 0; c < job.count; c++) words[statusWord(c)] = PENDING;
  const { control } = job.pool;
  const generation = publish(job, 0);
  try {
    stageChunks(k, job, perRow);
    const copied = drainChunks(k, job, generation, out, words, statusWord);
    if (copied === job.count) for (const o of out) o.delivered = true;
  } finally {
    // Also after a throw: every chunk published, so no thread waits for one, and all finished.
    if (Atomics.load(control, Slot.published) < job.count) {
      Atomics.store(control, Slot.published, job.count);
      Atomics.notify(control, Slot.published);
    }
    waitForChunks(control, job.count);
  }
  return finish(k, spec, job);
}

/** Values [from, from + length) of chunk c's rows. */
function chunkValues(job: SplitJob, c: number): { from: number; length: number } {
  const first = c * job.perChunk;
  return { from: first * job.classes, length: Math.min(job.perChunk, job.rows - first) * job.classes };
}

/** Copies each chunk's rows of every N×K input in and publishes the chunk. */
function stageChunks(k: WasmExports, job: SplitJob, inputs: readonly PendingCopy[]): void {
  const { control } = job.pool;
  for (let c = 0; c < job.count; c++) {
    const { from, length } = chunkValues(job, c);
    for (const p of inputs) new Float32Array(k.memory.buffer, p.ptr + 4 * from, length).set(p.source.subarray(from, from + length));
    Atomics.store(control, Slot.published, c + 1);
    Atomics.notify(control, Slot.published);
  }
}

/**
 * Copies each finished chunk's rows of every output out, in chunk order, and runs a chunk when
 * none has finished; returns how many chunks were copied (fewer than all when a chunk refused or
 * a thread failed: the call then ends with that error and nothing more is copied).
 */
function drainChunks(
  k: WasmExports,
  job: SplitJob,
  generation: number,
  outputs: readonly OutputCopy[],
  words: Int32Array,
  statusWord: (c: number) => number,
): number {
  const { control, memory } = job.pool;
  const kernels = k as unknown as Record<string, unknown>;
  let copied = 0;
  while (copied < job.count) {
    const status = Atomics.load(words, statusWord(copied));
    if (status === Status.ok) {
      const { from, length } = chunkValues(job, copied);
      for (const o of outputs) o.write(o.ptr + 4 * from, from, length);
      copied++;
      continue;
    }
    if (status !== PENDING) break; // a refusal: finish() reports it
    if (runChunks(control, memory, generation, kernels, undefined, undefined, 1) > 0) continue;
    // Nothing left to claim and chunk `copied` runs on another thread: wait for a chunk to end.
    const done = Atomics.load(control, Slot.completed);
    if (done === job.count) {
      // Every chunk ended, yet this one stored no status: its thread failed (finish() throws).
      if (Atomics.load(words, statusWord(copied)) === PENDING) break;
      continue;
    }
    if (Atomics.load(words, statusWord(copied)) === PENDING) Atomics.wait(control, Slot.completed, done, 1000);
  }
  return copied;
}
