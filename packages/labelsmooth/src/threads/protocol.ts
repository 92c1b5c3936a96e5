// How the calling thread and the pool's workers share one split call (docs/architecture.md,
// "Threads"). Everything lives in the threaded build's shared wasm memory: a control block of
// int32 slots, and one job per chunk of rows (a kernel call record and its outcome, written by
// the caller before it publishes the job). Every thread, the caller included, claims chunks
// until none is left, calls the kernel export on each, and stores its status; the caller then
// adds the chunks' results in chunk order (threads/split.ts). Which thread runs a chunk changes
// nothing in the results: see crates/kernels/src/chunks.rs.
import type { KernelExportName } from '../wasm-interface.generated';

/** The int32 slots of the control block. */
export const Slot = {
  /** The job's generation: workers `Atomics.wait` on it; the caller bumps it to publish a job. */
  generation: 0,
  /** The next chunk to claim, tagged with the generation (`claimWord`). */
  next: 1,
  /** How many chunks the job has. */
  count: 2,
  /** The kernel export, an index into SERVED_EXPORTS. */
  exportIndex: 3,
  /** The address of job 0 (job i is at `base + i·stride`). */
  base: 4,
  /** The bytes of one job: the call frame, then the status (int32). */
  stride: 5,
  /** The bytes of the call frame before the status. */
  statusOffset: 6,
  /** How many chunks are done (the caller waits for `count`). */
  completed: 7,
  /** Non-zero: workers leave their loop. */
  stop: 8,
  /** Non-zero when a worker failed during the job (its message follows). */
  failed: 9,
  /** Length of the failing worker's message, in UTF-16 code units (at most MESSAGE_UNITS). */
  messageLength: 10,
  /** The bytes of the call record before the outcome (16-byte aligned). */
  outcomeOffset: 11,
  /**
   * How many chunks, from chunk 0, have their inputs in wasm memory and may be claimed, tagged
   * with the generation like `next` (`claimWord`): `count` for a job staged before it is
   * published; raised chunk by chunk while the caller copies a plain array's rows in
   * (threads/pipeline.ts). A worker that reaches an unpublished chunk waits on this slot; the tag
   * makes every job change it, so a worker still waiting from an earlier job wakes.
   */
  published: 12,
  /** The first of MESSAGE_UNITS / 2 slots holding the message, two code units per slot. */
  message: 16,
} as const;

const MESSAGE_UNITS = 192;
/** The control block's size in bytes. */
export const CONTROL_BYTES = (Slot.message + MESSAGE_UNITS / 2) * 4;

/** The exports a pool can run row by row. */
export const SERVED_EXPORTS: readonly KernelExportName[] = [
  'cross_entropy',
  'soft_cross_entropy',
  'sigmoid_cross_entropy',
  'kl_div',
  'label_smoothing_kl',
  'smooth_targets',
];

/** The claim word: the generation's low 13 bits above a chunk index of 18 bits. */
const INDEX_BITS = 18;
export const MAX_CHUNKS = 2 ** INDEX_BITS - 1;
export function claimWord(generation: number, index: number): number {
  return (((generation & 0x1fff) << INDEX_BITS) | index) | 0;
}

type Kernel = (call: number, outcome: number) => number;

/**
 * Claims and runs chunks of job `generation` until none is left (or the job is another one's:
 * the claim word carries the generation, so a late worker never runs a chunk of the wrong job).
 * `busy` runs before each kernel call and `done` after it (a worker notes that it holds a chunk).
 * A failure (an exception in `busy` or the kernel) is recorded for the caller and rethrown.
 * Runs at most `limit` chunks (the caller of a pipelined job takes one at a time, between its
 * copies, and never waits for an unpublished one); returns how many it ran.
 */
export function runChunks(
  control: Int32Array,
  memory: { readonly buffer: ArrayBufferLike },
  generation: number,
  kernels: Record<string, unknown>,
  busy?: (chunk: number) => void,
  done?: () => void,
  limit = Infinity,
): number {
  const count = Atomics.load(control, Slot.count);
  const base = Atomics.load(control, Slot.base);
  const stride = Atomics.load(control, Slot.stride);
  const statusOffset = Atomics.load(control, Slot.statusOffset);
  const outcomeOffset = Atomics.load(control, Slot.outcomeOffset);
  const kernel = kernels[SERVED_EXPORTS[Atomics.load(control, Slot.exportIndex)]] as Kernel;
  // Taken once the job is published: every block the job uses was allocated before.
  const words = new Int32Array(memory.buffer);
  let ran = 0;
  while (ran < limit) {
    const word = Atomics.load(control, Slot.next);
    const index = word & MAX_CHUNKS;
    // Another generation's word: the descriptor read above may be another job's.
    if (word !== claimWord(generation, index) || index >= count) break;
    const published = Atomics.load(control, Slot.published);
    if (published !== claimWord(generation, published & MAX_CHUNKS)) break; // another job's
    if (index >= (published & MAX_CHUNKS)) {
      // Its inputs are still being copied in. The caller of a pipelined job (a `limit`) is the
      // one that copies them: it returns to do so; a worker waits until it publishes more.
      if (limit !== Infinity) break;
      Atomics.wait(control, Slot.published, published);
      continue;
    }
    if (Atomics.compareExchange(control, Slot.next, word, word + 1) !== word) continue;
    ran++;
    // A chunk is always counted done, after its status or its failure is recorded (so the
    // caller, waiting for the count, never hangs and never reads a status that was not written).
    try {
      busy?.(index);
      const frame = base + index * stride;
      const status = kernel(frame, frame + outcomeOffset);
      Atomics.store(words, (frame + statusOffset) >> 2, status);
    } catch (error) {
      recordFailure(control, String((error as Error)?.message ?? error));
      throw error;
    } finally {
      done?.();
      finishChunk(control);
    }
  }
  return ran;
}

/**
 * Counts one chunk as done and wakes the caller, after every chunk: the caller of a pipelined job
 * (threads/pipeline.ts) copies each chunk's output out as it ends (a notify nobody waits for
 * costs far less than a chunk).
 */
export function finishChunk(control: Int32Array): void {
  Atomics.add(control, Slot.completed, 1);
  Atomics.notify(control, Slot.completed);
}

/** Records a worker's failure (the caller throws it when the job is done). */
export function recordFailure(control: Int32Array, message: string): void {
  if (Atomics.compareExchange(control, Slot.failed, 0, 1) !== 0) return;
  const units = Math.min(message.length, MESSAGE_UNITS);
  for (let i = 0; i < units; i += 2) {
    const pair = message.charCodeAt(i) | ((i + 1 < units ? message.charCodeAt(i + 1) : 0) << 16);
    Atomics.store(control, Slot.message + i / 2, pair);
  }
  Atomics.store(control, Slot.messageLength, units);
}

/** The failing worker's message. */
export function failureMessage(control: Int32Array): string {
  const units = Atomics.load(control, Slot.messageLength);
  let text = '';
  for (let i = 0; i < units; i++) {
    const pair = Atomics.load(control, Slot.message + (i >> 1));
    text += String.fromCharCode(i & 1 ? pair >>> 16 : pair & 0xffff);
  }
  return text;
}
