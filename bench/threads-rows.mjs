// The worker pool's rows, runtime-neutral (Node, Bun, Deno, a Chromium module worker): fwd+grad
// crossEntropyWithGrad on WasmArrays and on plain Float32Arrays with the single-thread simd128
// build (no pool) and the threaded build on 1, 2 and 'auto' threads (setThreads), the
// configurations alternating round by round so that every ratio compares medians of one run under
// the same load. Used by bench/node-entry.mjs and bench/threads-worker.mjs (through run.mjs, the
// `threads` group of `npm run bench`) and by bench/threads.mjs (a table in the terminal).
import { fillLogits, makeTargets } from './bench.mjs';
import { median, warmUp } from './timing.mjs';

/** The benchmark's three shapes, the long rows of the threads issue, and a call below the split threshold. */
export const THREAD_SHAPES = [
  [8192, 1000],
  [1024, 32000],
  [128, 256000],
  [4, 256000],
  [1, 256000],
  [64, 1000],
];
/** --quick: one tiny shape above the pool's split threshold (1.5 chunks: threads/split.ts). */
export const QUICK_THREAD_SHAPES = [[256, 1000]];
/** The two ways of calling: the data in wasm memory, or a caller's arrays copied in and out. */
export const THREAD_APIS = [
  ['wasm', 'fwd+grad, WasmArray'],
  ['plain', 'fwd+grad, Float32Array'],
];

const EPS = 0.1;
/** A shape of at least this many logits is "large": fewer rounds (each call takes 10–200 ms). */
const LARGE = 4e6;
/**
 * Calls per timed sample: enough that a small shape's sample lasts about 10 ms (samples of a
 * millisecond right after a reconfiguration measured the warm-up, not the call: bench/README.md).
 */
const SAMPLE_LOGITS = 5e6;

/** How many rounds a shape gets: `rounds` for small shapes, `largeRounds` for large ones. */
export function roundsFor([n, k], { rounds, largeRounds }) {
  return n * k >= LARGE ? largeRounds : rounds;
}

/**
 * The rounds of a mode: full (the default), quick (CI) or as asked (`--rounds R`: every shape).
 * @param {{ quick?: boolean, rounds?: number }} [mode]
 */
export function threadRounds({ quick = false, rounds } = {}) {
  if (rounds) return { rounds, largeRounds: rounds };
  return quick ? { rounds: 3, largeRounds: 3 } : { rounds: 15, largeRounds: 7 };
}

/**
 * Starts the pool and decides the configurations. Returns `{ fallback }` where this runtime cannot
 * run a pool (threadStatus().fallback: the reason), else `{ configs, auto }`: the simd128 build
 * (no pool), the threaded build on 1 and 2 threads, and 'auto' when it resolves to another count
 * than 1 or 2 (when it resolves to 2, the 2-thread measurement is the auto one: `auto` says so).
 */
export async function threadConfigs(ls) {
  await ls.init({ threads: 2, backend: 'simd128' });
  if (ls.threadCount() !== 2) return { fallback: ls.threadStatus().fallback ?? `threadCount() is ${ls.threadCount()} after init({ threads: 2 })` };
  await ls.setThreads('auto');
  const auto = ls.threadCount();
  const configs = [
    { id: 'simd128', label: 'simd128 build, no pool', activate: () => ls.init({ backend: 'simd128' }) },
    { id: 't1', label: 'threaded build, 1 thread', activate: () => ls.setThreads(1) },
    { id: 't2', label: 'threaded build, 2 threads', activate: () => ls.setThreads(2) },
  ];
  if (auto !== 1 && auto !== 2) configs.push({ id: 'auto', label: `threaded build, auto (${auto})`, activate: () => ls.setThreads('auto') });
  return { configs, auto };
}

/**
 * Measures every configuration × API at one shape, `rounds` alternating rounds; each sample is one
 * untimed call and `reps` timed ones. Returns the rows `{ shape, n, k, api, config, threads, ms:
 * { median, min, max, runs }, reps, speedupOverOneThread }`.
 */
async function measureShape(ls, configs, [n, k], rounds) {
  const area = n * k;
  const logits = new Float32Array(area);
  fillLogits(logits, n, k);
  const targets = makeTargets(n, k);
  const gradPlain = new Float32Array(area);
  const opts = { numClasses: k, labelSmoothing: EPS };
  const reps = Math.max(1, Math.round(SAMPLE_LOGITS / area));
  // WasmArrays belong to one build: one pair for the simd128 build, one for the threaded build
  // (setThreads keeps that build and its memory, whatever the count).
  const arrays = new Map();
  const arraysFor = (config) => {
    const build = config.id === 'simd128' ? 'simd128' : 'threaded';
    if (!arrays.has(build)) {
      const x = ls.allocFloat32(area);
      const g = ls.allocFloat32(area);
      x.view.set(logits);
      arrays.set(build, { x, g });
    }
    return arrays.get(build);
  };
  const times = new Map();
  const threadsOf = new Map();
  for (let r = 0; r < rounds; r++) {
    for (const config of configs) {
      await config.activate();
      threadsOf.set(config.id, ls.threadCount());
      const { x, g } = arraysFor(config);
      const calls = {
        wasm: () => ls.crossEntropyWithGrad(x, targets, { ...opts, gradOut: g }),
        plain: () => ls.crossEntropyWithGrad(logits, targets, { ...opts, gradOut: gradPlain }),
      };
      for (const [api] of THREAD_APIS) {
        const call = calls[api];
        warmUp(call);
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) call();
        const key = `${api}|${config.id}`;
        if (!times.has(key)) times.set(key, []);
        times.get(key).push((performance.now() - t0) / reps);
      }
    }
  }
  // Free each pair while its build is active.
  for (const config of configs) {
    const build = config.id === 'simd128' ? 'simd128' : 'threaded';
    if (!arrays.has(build)) continue;
    await config.activate();
    for (const a of Object.values(arrays.get(build))) a.free();
    arrays.delete(build);
  }
  const rows = [];
  for (const [api] of THREAD_APIS) {
    const one = median(times.get(`${api}|t1`));
    for (const config of configs) {
      const t = times.get(`${api}|${config.id}`);
      const m = median(t);
      rows.push({
        shape: `${n}×${k}`,
        n,
        k,
        api,
        config: config.id,
        label: config.label,
        threads: threadsOf.get(config.id),
        ms: { median: m, min: Math.min(...t), max: Math.max(...t), runs: t.length },
        reps,
        speedupOverOneThread: one / m,
      });
    }
  }
  return rows;
}

/**
 * The threads rows of one runtime: `{ auto, rounds, rows }`, or `{ fallback }` where no pool
 * can start there. `opts.shapes` (default THREAD_SHAPES, or QUICK_THREAD_SHAPES with
 * `opts.quick`), `opts.rounds` (every shape; default: threadRounds). Leaves one thread.
 */
export async function runThreadRows(env, opts = {}) {
  const { ls, log = () => {}, runtime = { name: '?' } } = env;
  const shapes = opts.shapes ?? (opts.quick ? QUICK_THREAD_SHAPES : THREAD_SHAPES);
  const plan = threadRounds(opts);
  const started = await threadConfigs(ls);
  if (started.fallback) {
    log(`[${runtime.name}] threads: no pool: ${started.fallback}`);
    return { fallback: started.fallback };
  }
  const rows = [];
  for (const [i, shape] of shapes.entries()) {
    const rounds = roundsFor(shape, plan);
    const measured = await measureShape(ls, started.configs, shape, rounds);
    for (const r of measured) {
      log(`[${runtime.name}] threads ${i + 1}/${shapes.length} ${r.shape} ${r.api === 'wasm' ? 'WasmArray' : 'Float32Array'} ${r.label}: ${r.ms.median.toFixed(3)} ms median of ${rounds}, ${r.speedupOverOneThread.toFixed(2)}× 1 thread`);
    }
    rows.push(...measured);
  }
  await ls.setThreads(1);
  return { auto: started.auto, rounds: plan, rows };
}
