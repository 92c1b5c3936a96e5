// A split call whose N×K arguments are the caller's plain Float32Arrays: their copies in and out
// (which only the calling thread can make) overlap the workers' compute, through a ring of a few
// chunk-sized slots per array that stays in cache. The caller copies chunk c's inputs into slot
// c mod S and publishes the chunk (workers claim only published chunks), copies each finished
// chunk's outputs out in chunk order (which frees its slots), and runs a chunk when it has nothing
// to copy. Why a refused call writes nothing, and why an output overlapping an input is not
// pipelined: docs/architecture.md, "Threads".
import { Status, type KernelExportSpec, type KernelOutcome, type WasmExports } from '../wasm-interface.generated';
import { allocate } from '../memory';
import { activePool } from './pool';
import { claimWord, runChunks, Slot } from './protocol';
import { ROW_SPLITS, type RowSplit } from './row-split';
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
  /** The caller's array when it is a Float32Array (to tell whether it overlaps an input). */
  readonly dest: Float32Array | undefined;
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

/** One N×K array of the call carried through a ring: its address in the record, its slots. */
interface Ring {
  ptr: number;
  input?: PendingCopy;
  outputs: OutputCopy[];
  slots: number;
}

/**
 * Runs kernel `spec` on `call` over the pool with its N×K pending inputs and outputs carried
 * through rings (the other pending inputs are copied whole first); undefined when the call is
 * not split or not pipelined (nothing is copied then). On success every N×K output is
 * `delivered`; `unstaged` are the inputs whose blocks never received their values (they are
 * pending still, should anything read those blocks later).
 */
export function runPipelined<C, R>(
  k: WasmExports,
  spec: KernelExportSpec<C, R>,
  call: C,
  frame: number,
  pending: readonly PendingCopy[],
  outputs: readonly OutputCopy[],
): { outcome: KernelOutcome<R>; unstaged: readonly PendingCopy[] } | undefined {
  const split = ROW_SPLITS[spec.name] as RowSplit<C> | undefined;
  if (!split) return undefined;
  const { rows, classes } = split.shape(call);
  const inputs = pending.filter((p) => p.source.length === rows * classes);
  const written = outputs.filter((o) => o.length === rows * classes && !o.delivered);
  if ((inputs.length === 0 && written.length === 0) || overlaps(pending, written)) return undefined;
  const job = planSplit(k, spec, call, frame);
  if (!job) return undefined;
  if ('status' in job) return { outcome: job, unstaged: pending };
  for (const p of pending) if (!inputs.includes(p)) copyIn(k, p);
  const rings = new Map<number, Ring>();
  const ringOf = (ptr: number) => rings.get(ptr) ?? rings.set(ptr, { ptr, outputs: [], slots: 0 }).get(ptr)!;
  for (const p of inputs) ringOf(p.ptr).input = p;
  for (const o of written) ringOf(o.ptr).outputs.push(o);
  // Enough slots that every thread computes one while the caller fills one and empties another.
  const depth = Math.min(job.count, 2 * (job.pool.workers.length + 1) + 2);
  const slotValues = job.perChunk * classes;
  const block = allocate(k, rings.size * depth * slotValues * 4, 'the thread pool copy slots');
  [...rings.values()].forEach((ring, i) => (ring.slots = block.ptr + i * depth * slotValues * 4));
  const slot = (ring: Ring, c: number) => ring.slots + (c % depth) * slotValues * 4;
  try {
    pointAtSlots(k, spec, split, call, job, [...rings.values()], slot);
    const copied = pipeline(k, job, [...rings.values()], slot, depth);
    if (copied === job.count) for (const o of written) o.delivered = true;
  } finally {
    k.dealloc(block.ptr, block.bytes);
  }
  return { outcome: finish(k, spec, job), unstaged: inputs };
}

/**
 * Whether an output's array shares a buffer with a pending input other than as the same values
 * (then chunk c's output could overwrite an input of a later chunk before it is copied in).
 */
function overlaps(pending: readonly PendingCopy[], outputs: readonly OutputCopy[]): boolean {
  return outputs.some(
    ({ dest }) =>
      dest !== undefined &&
      pending.some(({ source }) => source.buffer === dest.buffer && (source.byteOffset !== dest.byteOffset || source.length !== dest.length)),
  );
}

/** Rewrites each chunk's record with its rows of every ring's array at the chunk's slot. */
function pointAtSlots<C, R>(
  k: WasmExports,
  spec: KernelExportSpec<C, R>,
  split: RowSplit<C>,
  call: C,
  job: SplitJob,
  rings: readonly Ring[],
  slot: (ring: Ring, c: number) => number,
): void {
  const view = new DataView(k.memory.buffer);
  for (let c = 0; c < job.count; c++) {
    const first = c * job.perChunk;
    const record = split.chunk(call, first, Math.min(job.perChunk, job.rows - first)) as Record<string, unknown>;
    // The chunk's record holds `ptr + 4·first·K` for the array at `ptr` (row-split.ts).
    for (const ring of rings) {
      const at = ring.ptr + 4 * first * job.classes;
      for (const key in record) if (record[key] === at) record[key] = slot(ring, c);
    }
    spec.write(view, job.base + c * job.stride, record as C);
  }
}

/** Values [from, from + length) of chunk c's rows. */
function chunkValues(job: SplitJob, c: number): { from: number; length: number } {
  const first = c * job.perChunk;
  return { from: first * job.classes, length: Math.min(job.perChunk, job.rows - first) * job.classes };
}

/**
 * Publishes the job and runs the calling thread's part: copy each finished chunk's outputs out
 * (in chunk order), else copy the next chunk's inputs in while its slots are free, else run a
 * chunk, else wait for one to end. Returns how many chunks' outputs were copied (fewer than all
 * when a chunk refused or a thread failed: the call then ends with that error).
 */
function pipeline(k: WasmExports, job: SplitJob, rings: readonly Ring[], slot: (ring: Ring, c: number) => number, depth: number): number {
  const { control, memory } = job.pool;
  const kernels = k as unknown as Record<string, unknown>;
  const words = new Int32Array(k.memory.buffer);
  const status = (c: number) => Atomics.load(words, (job.base + c * job.stride + job.statusOffset) >> 2);
  for (let c = 0; c < job.count; c++) words[(job.base + c * job.stride + job.statusOffset) >> 2] = PENDING;
  const generation = publish(job, 0);
  let [staged, copied] = [0, 0];
  try {
    while (copied < job.count) {
      const s = status(copied);
      if (s === Status.ok) {
        const { from, length } = chunkValues(job, copied);
        for (const ring of rings) for (const o of ring.outputs) o.write(slot(ring, copied), from, length);
        copied++;
      } else if (s !== PENDING) {
        break; // a refusal: finish() reports it
      } else if (Atomics.load(control, Slot.failed)) {
        break; // a thread failed (perhaps on this chunk, which then never ends): finish() throws
      } else if (staged < job.count && staged < copied + depth) {
        const { from, length } = chunkValues(job, staged);
        for (const ring of rings) {
          if (ring.input) new Float32Array(k.memory.buffer, slot(ring, staged), length).set(ring.input.source.subarray(from, from + length));
        }
        staged++;
        Atomics.store(control, Slot.published, claimWord(generation, staged));
        Atomics.notify(control, Slot.published);
      } else if (runChunks(control, memory, generation, kernels, undefined, undefined, 1) === 0) {
        // Chunk `copied` runs on another thread: wait for a chunk to end.
        const done = Atomics.load(control, Slot.completed);
        if (status(copied) !== PENDING) continue;
        if (done === job.count) break; // every chunk ended, this one with no status: a failure
        Atomics.wait(control, Slot.completed, done, 1000);
      }
    }
  } finally {
    // Also after a throw, a refusal or a failure: every chunk published (a chunk whose inputs
    // were not copied computes on stale slots, and its result is never read), so no thread waits
    // for one; the caller runs what is left (a failed worker takes no more), and all end.
    if (staged < job.count) {
      Atomics.store(control, Slot.published, claimWord(generation, job.count));
      Atomics.notify(control, Slot.published);
    }
    try {
      runChunks(control, memory, generation, kernels);
    } finally {
      waitForChunks(control, job.count);
    }
  }
  return copied;
}
