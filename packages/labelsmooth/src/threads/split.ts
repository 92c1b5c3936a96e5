// One kernel call spread over the pool: the call's rows in chunks of `rows_per_chunk(K)`
// (crates/kernels/src/chunks.rs), one call record per chunk, every thread (the caller too)
// taking chunks until none is left, and the chunks' results added in chunk order, the order the
// kernels themselves add them in, so that the result is the one-thread result bit for bit.
import { keptBlock, type Block } from '../memory';
import {
  crossEntropyDenominatorKernel,
  frameBytes,
  invokeKernel,
  readRefusal,
  Status,
  type KernelExportSpec,
  type KernelOutcome,
  type WasmExports,
} from '../wasm-interface.generated';
import { activePool, restartPool, type Pool } from './pool';
import { claimWord, failureMessage, MAX_CHUNKS, runChunks, SERVED_EXPORTS, Slot } from './protocol';
import { ROW_SPLITS, type RowSplit } from './row-split';

/**
 * Calls of fewer rows than this many chunks of `rows_per_chunk(K)` rows (65,536 values, or one
 * row when K is larger) run on the calling thread. Measured with `node bench/split-threshold.mjs
 * --rounds 11` (fwd+grad on WasmArrays, 1 thread against 2; bench/README.md, "Threads"): at
 * K = 100, 1000 and 32,000 a call of one chunk and a row ran slower on 2 threads (0.90–0.91×:
 * the caller pays for the split and gives away one row), one and a half chunks faster
 * (1.18–1.29×), two chunks 1.26–1.58×. In values that is about 98,000 at K = 1000 (at least 2^16
 * at any K: SPLIT_MIN_VALUES), and two rows when one row fills a chunk.
 */
export const SPLIT_MIN_CHUNKS = 1.5;

/**
 * Fewer values (N·K) than this never split: with p = rows_per_chunk(K) = ⌊2^16 / K⌋ rows, a split
 * call has at least ⌈1.5·p⌉ rows, and K·(p + 1) > 2^16 makes that more than 2^16 values (two rows
 * of more than 2^15 values when p = 1). The plain-array pipeline defers copies from this size on.
 */
export const SPLIT_MIN_VALUES = 2 ** 16;

/** The jobs block of a pool's module, kept between calls (grown when a call needs more). */
const jobBlocks = new WeakMap<WasmExports, Block>();

function jobs(k: WasmExports, bytes: number): number {
  return keptBlock(jobBlocks, k, bytes, 4096, 'the thread pool jobs');
}

/** A call laid out as a job: one call record per chunk, each followed by its outcome and status. */
export interface SplitJob {
  pool: Pool;
  /** Rows and classes of the whole call; rows per chunk (the last may be shorter); chunks. */
  rows: number;
  classes: number;
  perChunk: number;
  count: number;
  exportIndex: number;
  /** Job c's record is at `base + c·stride`, its outcome `outcomeOffset` and its status `statusOffset` further. */
  base: number;
  stride: number;
  statusOffset: number;
  outcomeOffset: number;
}

/**
 * Lays kernel `spec`'s `call` out as a job when there is a pool and the call is large enough;
 * undefined otherwise (the caller then runs it alone); the refusal of a call whose targets
 * do not check (before any chunk could write). `frame` is the caller's own call frame.
 */
export function planSplit<C, R>(k: WasmExports, spec: KernelExportSpec<C, R>, call: C, frame: number): SplitJob | KernelOutcome<R> | undefined {
  const pool = activePool(k);
  const split = ROW_SPLITS[spec.name] as RowSplit<C> | undefined;
  if (!pool || !split) return undefined;
  const { rows, classes } = split.shape(call);
  const perChunk = k.rows_per_chunk(classes);
  if (rows < SPLIT_MIN_CHUNKS * perChunk) return undefined;
  const count = Math.ceil(rows / perChunk);
  if (count < 2 || count > MAX_CHUNKS) return undefined;
  // Every target is checked before any chunk writes (a refused call writes nothing).
  const targets = split.targets?.(call);
  if (targets) {
    const checked = invokeKernel(k, crossEntropyDenominatorKernel, frame, { ...targets, numRows: rows });
    if (checked.status !== Status.ok) return checked as KernelOutcome<R>;
  }
  const statusOffset = frameBytes(spec);
  const outcomeOffset = statusOffset - spec.outcomeBytes;
  const stride = Math.ceil((statusOffset + 4) / 16) * 16;
  const base = jobs(k, count * stride);
  const view = new DataView(k.memory.buffer);
  for (let c = 0; c < count; c++) {
    const first = c * perChunk;
    spec.write(view, base + c * stride, split.chunk(call, first, Math.min(perChunk, rows - first)));
  }
  const exportIndex = SERVED_EXPORTS.indexOf(spec.name);
  return { pool, rows, classes, perChunk, count, exportIndex, base, stride, statusOffset, outcomeOffset };
}

/**
 * Runs kernel `spec` on `call` over the pool when there is one and the call is large enough;
 * undefined otherwise (the caller then runs it alone). `frame` is the caller's own call frame
 * (for the targets' check).
 */
export function runSplit<C, R>(k: WasmExports, spec: KernelExportSpec<C, R>, call: C, frame: number): KernelOutcome<R> | undefined {
  const job = planSplit(k, spec, call, frame);
  if (!job || 'status' in job) return job;
  const { pool, count } = job;
  const generation = publish(job, count);
  try {
    runChunks(pool.control, pool.memory, generation, k as unknown as Record<string, unknown>);
  } finally {
    // Also after the caller's own chunk threw: the workers' chunks are in flight.
    waitForChunks(pool.control, count);
  }
  return finish(k, spec, job);
}

/** After every chunk is done: the worker failure that ended the call, or the combined outcome. */
export function finish<C, R>(k: WasmExports, spec: KernelExportSpec<C, R>, job: SplitJob): KernelOutcome<R> {
  const { pool } = job;
  if (Atomics.load(pool.control, Slot.failed)) {
    const message = failureMessage(pool.control);
    restartPool(pool);
    throw new Error(`labelsmooth: a worker thread failed during the call (${message}); the pool restarts its workers, and calls run on the calling thread until it has`);
  }
  return combine(k, spec, job.base, job.count, job.stride, job.statusOffset, job.outcomeOffset, job.perChunk);
}

/**
 * Writes the job's descriptor and wakes the workers; returns its generation. Chunks from
 * `published` on are claimed only once the caller publishes them (threads/pipeline.ts).
 */
export function publish(job: SplitJob, published: number): number {
  const { pool, count, exportIndex, base, stride, statusOffset, outcomeOffset } = job;
  const c = pool.control;
  const generation = (pool.generation = (pool.generation + 1) | 0);
  // First close the claims (a late worker of the last job must claim nothing while the
  // descriptor changes), then the descriptor, then open the claims and wake the workers.
  Atomics.store(c, Slot.next, claimWord(generation, MAX_CHUNKS));
  Atomics.store(c, Slot.count, count);
  Atomics.store(c, Slot.exportIndex, exportIndex);
  Atomics.store(c, Slot.base, base);
  Atomics.store(c, Slot.stride, stride);
  Atomics.store(c, Slot.statusOffset, statusOffset);
  Atomics.store(c, Slot.outcomeOffset, outcomeOffset);
  Atomics.store(c, Slot.published, claimWord(generation, published));
  Atomics.store(c, Slot.completed, 0);
  Atomics.store(c, Slot.failed, 0);
  Atomics.store(c, Slot.next, claimWord(generation, 0));
  Atomics.store(c, Slot.generation, generation);
  Atomics.notify(c, Slot.generation);
  Atomics.notify(c, Slot.published);
  return generation;
}

/** Blocks the calling thread until every chunk is done (a failed chunk counts as done). */
export function waitForChunks(control: Int32Array, count: number): void {
  for (let done = Atomics.load(control, Slot.completed); done < count; done = Atomics.load(control, Slot.completed)) {
    Atomics.wait(control, Slot.completed, done, 1000);
  }
}

/** The chunks' results added in chunk order, or the first chunk's refusal (its row made global). */
function combine<C, R>(
  k: WasmExports,
  spec: KernelExportSpec<C, R>,
  base: number,
  count: number,
  stride: number,
  statusOffset: number,
  outcomeOffset: number,
  perChunk: number,
): KernelOutcome<R> {
  const view = new DataView(k.memory.buffer);
  let total: Record<string, number> | undefined;
  for (let c = 0; c < count; c++) {
    const frame = base + c * stride;
    const status = view.getInt32(frame + statusOffset, true) as Status;
    if (status !== Status.ok) {
      const refusal = readRefusal(view, frame + outcomeOffset);
      if (status === Status.targetOutOfRange) refusal.first += c * perChunk;
      return { status, refusal };
    }
    const result = spec.read(view, frame + outcomeOffset + spec.resultOffset) as Record<string, number>;
    if (!total) total = Object.fromEntries(Object.keys(result).map((key) => [key, 0]));
    for (const key in result) total[key] += result[key];
  }
  return { status: Status.ok, result: total as R };
}
