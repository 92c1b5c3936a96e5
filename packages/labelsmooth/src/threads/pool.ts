// The worker pool: starting, resizing and stopping the workers of the threaded build, and what
// `threadCount()` and `threadStatus()` report. How one call is spread over the pool is split.ts;
// what the threads share, protocol.ts; a worker's own loop, worker.ts.
import { threadHost } from '#loader';
import type { ThreadHost, ThreadWorker } from './host';
import { allocate } from '../memory';
import { activeExports } from '../runtime';
import type { WasmExports } from '../wasm-interface.generated';
import { describe } from '../validate';
import { CONTROL_BYTES, Slot } from './protocol';

/** What `threadStatus()` returns. */
export interface ThreadStatus {
  /** How many threads serve calls now (the calling thread included): `threadCount()`. */
  readonly threads: number;
  /** How many were asked for (`init({ threads })`, `setThreads`); 1 when never asked. */
  readonly requested: number;
  /** Why fewer threads serve than were asked for; `null` when none are missing. */
  readonly fallback: string | null;
}

/** A running pool over the threaded build's exports. */
export interface Pool {
  readonly exports: WasmExports;
  readonly memory: WebAssembly.Memory;
  /** The control block (protocol.ts), at `controlAddress` in the shared memory. */
  readonly control: Int32Array;
  readonly controlAddress: number;
  readonly module: WebAssembly.Module;
  readonly host: ThreadHost;
  workers: ThreadWorker[];
  generation: number;
  /** Set while workers are being replaced after a failure: calls run on the calling thread. */
  restarting?: Promise<void>;
}

let pool: Pool | undefined;
let requested = 1;
let fallback: string | null = null;

/** The pool that serves calls of `exports` now, if any (one with at least one worker). */
export function activePool(exports: WasmExports): Pool | undefined {
  return pool && pool.exports === exports && pool.workers.length > 0 && !pool.restarting ? pool : undefined;
}

/** How many threads serve calls of the active build now (1 when another build is active). */
export function threadCount(): number {
  const exports = activeExports();
  return exports && activePool(exports) ? pool!.workers.length + 1 : 1;
}

export function threadStatus(): ThreadStatus {
  return { threads: threadCount(), requested, fallback };
}

/** Records that threads were asked for and could not be had (and why). */
export function noteFallback(asked: number, reason: string): void {
  requested = asked;
  fallback = reason;
}

/** A thread count: an integer from 1 to 256, or `'auto'` (returned as is). */
export function threadCountOption(where: string, what: string, value: unknown): number | 'auto' {
  if (value === 'auto') return value;
  const expected = "an integer from 1 to 256 or 'auto'";
  if (typeof value !== 'number') {
    const message = `${where}: ${what} must be ${expected}, received ${describe(value)}`;
    throw typeof value === 'string' ? new RangeError(message) : new TypeError(message);
  }
  if (!Number.isInteger(value) || value < 1 || value > 256) throw new RangeError(`${where}: ${what} must be ${expected}, received ${describe(value)}`);
  return value;
}

/** The number of threads `value` (checked by threadCountOption) asks for on `host`. */
export function threadsWanted(value: number | 'auto', host: ThreadHost | undefined): number {
  return value === 'auto' ? Math.max(1, host?.parallelism() ?? 1) : value;
}

/** Why this host cannot run a pool, or undefined when it can. */
export function whyNoThreads(host: ThreadHost | undefined): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined') {
    return typeof crossOriginIsolated !== 'undefined' && !crossOriginIsolated
      ? 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp), so SharedArrayBuffer is unavailable'
      : 'this runtime has no SharedArrayBuffer';
  }
  if (!host) return 'labelsmooth/slim starts no worker threads (the main entry does, in Node, Deno, Bun and web workers)';
  return host.unavailable;
}

/** The threaded build's host (worker creation, the module's bytes), when this entry has one. */
export async function loadHost(): Promise<ThreadHost | undefined> {
  return threadHost();
}

/**
 * Starts a pool of `threads − 1` workers over `exports` (the threaded build, instantiated on
 * `memory`), replacing any pool. Resolves when every worker is ready.
 */
export async function startPool(
  host: ThreadHost,
  module: WebAssembly.Module,
  exports: WasmExports,
  memory: WebAssembly.Memory,
  threads: number,
): Promise<void> {
  await stopPool();
  requested = threads;
  fallback = null;
  if (threads <= 1) return;
  // The control block lives as long as the module: one per module, never freed.
  const controlAddress = controlOf(exports);
  const control = new Int32Array(memory.buffer, controlAddress, CONTROL_BYTES / 4);
  const next: Pool = { exports, memory, control, controlAddress, module, host, workers: [], generation: Atomics.load(control, Slot.generation) };
  Atomics.store(control, Slot.stop, 0);
  const started: ThreadWorker[] = [];
  try {
    next.workers = await Promise.all(Array.from({ length: threads - 1 }, () => spawn(next, started)));
  } catch (error) {
    for (const w of started) void w.terminate();
    fallback = `the worker threads did not start: ${(error as Error)?.message ?? String(error)}`;
    return;
  }
  pool = next;
}

const controls = new WeakMap<WasmExports, number>();
function controlOf(exports: WasmExports): number {
  let at = controls.get(exports);
  if (at === undefined) {
    at = allocate(exports, CONTROL_BYTES, 'the thread pool').ptr;
    new Int32Array((exports.memory as WebAssembly.Memory).buffer, at, CONTROL_BYTES / 4).fill(0);
    controls.set(exports, at);
  }
  return at;
}

/** Starts one worker (noted in `started` at once); resolves when it is ready to take chunks. */
function spawn(p: Pool, started: ThreadWorker[] = []): Promise<ThreadWorker> {
  return new Promise((resolve, reject) => {
    const worker = p.host.spawn({ module: p.module, memory: p.memory, control: p.controlAddress });
    started.push(worker);
    const failed = (error: unknown) => reject(error instanceof Error ? error : new Error(`the worker exited with code ${String(error)}`));
    worker.once('error', failed);
    worker.once('exit', failed);
    worker.once('message', () => {
      worker.off('error', failed);
      worker.off('exit', failed);
      // A worker that dies later is noticed by the call it was serving (protocol.ts) or by the
      // next `setThreads`; the pool must not keep the process alive.
      worker.on('error', () => undefined);
      worker.unref();
      resolve(worker);
    });
  });
}

/** Stops every worker of the pool (they leave their loop and free their stacks). */
export async function stopPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  requested = 1;
  fallback = null;
  if (!p) return;
  if (p.restarting) await p.restarting.catch(() => undefined);
  Atomics.store(p.control, Slot.stop, 1);
  Atomics.add(p.control, Slot.generation, 1);
  Atomics.notify(p.control, Slot.generation);
  await Promise.all(p.workers.map((w) => new Promise<void>((resolve) => {
    // Referenced again while they stop, so that the caller's `await` is not cut short by the
    // process exiting first.
    w.ref();
    w.once('exit', () => resolve());
    // A worker stuck in a kernel would never see the flag.
    setTimeout(() => void w.terminate(), 2000).unref?.();
  })));
  Atomics.store(p.control, Slot.stop, 0);
}

/**
 * After a worker failed during a call: replaces every worker (a failed one may have left its
 * stack in any state). Calls run on the calling thread until the new workers are ready.
 */
export function restartPool(p: Pool): void {
  if (p.restarting) return;
  const count = p.workers.length;
  const old = p.workers;
  p.restarting = (async () => {
    await Promise.all(old.map((w) => (w.ref(), w.terminate())));
    const started: ThreadWorker[] = [];
    try {
      p.workers = await Promise.all(Array.from({ length: count }, () => spawn(p, started)));
    } catch (error) {
      for (const w of started) void w.terminate();
      p.workers = [];
      fallback = `the worker threads did not restart: ${(error as Error)?.message ?? String(error)}`;
    }
    Atomics.store(p.control, Slot.failed, 0);
    p.restarting = undefined;
  })();
}

/** Resolves when a pool restarting after a failure is ready again (for tests and callers that wait). */
export async function poolReady(): Promise<void> {
  await pool?.restarting;
}
