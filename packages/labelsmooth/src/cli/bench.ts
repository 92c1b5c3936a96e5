// `labelsmooth bench`: times this installed package's own kernels, on both wasm builds, so that a
// user can see what labelsmooth does on their machine after `npm install`. It runs only code the
// package ships: it never looks for a benchmark (or anything else) in the user's directories.
// The repository's comparative benchmark (against tfjs and a plain-JavaScript reference) is
// bench/run.mjs (`npm run bench` in a clone); it is not part of the package.
import { allocFloat32, crossEntropy, crossEntropyWithGrad, initSync, type Backend } from '../index';
import { choice, integerOption, parse, RuntimeFailure, stringOption, UsageError, type Values } from './args';

export const BENCH_HELP = `labelsmooth bench: times this package's kernels on your machine, on both wasm builds

Usage: labelsmooth bench [--quick] [--shapes NxK,…] [--runs R] [--backend B] [--json]

  Times crossEntropy (the loss) and crossEntropyWithGrad (the loss and its gradient, written into
  a WasmArray gradOut) on WasmArray logits (nothing copied; labelSmoothing 0.1, reduction 'mean'),
  for each shape and build: a warm-up (≥ 2 calls and ≥ 0.2 s), then R timed calls; prints the median time, the
  throughput in millions of logits per second, and the simd128 build's speed-up over the scalar
  build measured in the same run. It runs only code shipped in this package.

  --quick         small shapes (512x1000, 16x32000) and 5 runs: a few seconds
  --shapes LIST   N×K shapes, comma-separated (default 8192x1000,1024x32000)
  --runs R        timed calls per row, at least 5 (default 7; 5 with --quick)
  --backend B     relaxed-simd, simd128, scalar, or both (scalar and simd128; the default)
  --json          print the results as JSON
  -h, --help      this help

The comparative benchmark (labelsmooth against tfjs and a JavaScript reference) ships with the
labelsmooth repository, not with this package: run \`npm run bench\` in a clone.

Exit status: 0 ok, 1 a failure while measuring, 2 a bad command line.`;

// Warm-up: at least this many calls and this long, so that the engine's optimising compiler has
// replaced its baseline code (V8 tiers wasm up in the background) before anything is timed.
const WARMUP_CALLS = 2;
const WARMUP_MS = 200;
const MIN_RUNS = 5;
const FULL_SHAPES = '8192x1000,1024x32000';
const QUICK_SHAPES = '512x1000,16x32000';
const CALLS = ['crossEntropy', 'crossEntropyWithGrad'] as const;
type Call = (typeof CALLS)[number];

interface Row {
  call: Call;
  n: number;
  k: number;
  backend: Backend;
  medianMs: number;
  mLogitsPerSecond: number;
}

function shapes(command: string, text: string): Array<[number, number]> {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new UsageError(`--shapes needs at least one N×K shape, received '${text}'`, command);
  return parts.map((part) => {
    const m = /^(\d+)\s*[x×]\s*(\d+)$/.exec(part);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new UsageError(`--shapes: '${part}' is not N×K with positive integers (e.g. 8192x1000)`, command);
    return [Number(m[1]), Number(m[2])];
  });
}

function options(command: string, values: Values) {
  const quick = values.quick === true;
  const runs = integerOption(command, values, 'runs') ?? (quick ? MIN_RUNS : 7);
  if (runs < MIN_RUNS) throw new UsageError(`--runs must be at least ${MIN_RUNS}, received ${runs}`, command);
  const which = choice(command, values, 'backend', ['both', 'relaxed-simd', 'simd128', 'scalar'] as const, 'both');
  return {
    shapes: shapes(command, stringOption(command, values, 'shapes') ?? (quick ? QUICK_SHAPES : FULL_SHAPES)),
    runs,
    backends: (which === 'both' ? ['scalar', 'simd128'] : [which]) as Backend[],
    json: values.json === true,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Times one call on one build: warm-ups, then `runs` timed calls; the median in ms. */
function measure(call: Call, n: number, k: number, runs: number): number {
  const logits = allocFloat32(n * k);
  const gradOut = allocFloat32(n * k);
  try {
    // Deterministic inputs (a linear congruential generator): logits in [-4, 4), targets in [0, K).
    let seed = 0x2545f491;
    const next = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const view = logits.view;
    for (let i = 0; i < view.length; i++) view[i] = 8 * next() - 4;
    const target = new Int32Array(n);
    for (let i = 0; i < n; i++) target[i] = Math.floor(next() * k);
    const opts = { numClasses: k, labelSmoothing: 0.1 };
    const once = (): number => (call === 'crossEntropy' ? crossEntropy(logits, target, opts) : crossEntropyWithGrad(logits, target, { ...opts, gradOut }).loss);
    const timed = (): number => {
      const started = performance.now();
      const loss = once();
      const elapsed = performance.now() - started;
      if (!Number.isFinite(loss)) throw new RuntimeFailure(`${call} returned ${loss} for ${n}×${k} random logits`);
      return elapsed;
    };
    const warmupStarted = performance.now();
    for (let i = 0; i < WARMUP_CALLS || performance.now() - warmupStarted < WARMUP_MS; i++) timed();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(timed());
    return median(times);
  } finally {
    logits.free();
    gradOut.free();
  }
}

const pad = (s: string, width: number): string => s.padEnd(width);
const lpad = (s: string, width: number): string => s.padStart(width);

export function runBench(argv: string[], out: (s: string) => void, info: (s: string) => void): number {
  const command = 'bench';
  const { values } = parse(command, argv, {
    quick: { type: 'boolean' },
    shapes: { type: 'string' },
    runs: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    out(BENCH_HELP);
    return 0;
  }
  const opts = options(command, values);
  const started = performance.now();
  const tty = Boolean(process.stderr.isTTY);
  const rows: Row[] = [];
  if (!opts.json) {
    out(`labelsmooth bench: this package's kernels in Node ${process.version}; median of ${opts.runs} timed calls after a warm-up of ≥ ${WARMUP_CALLS} calls and ≥ ${WARMUP_MS} ms`);
    out(`WasmArray logits and gradOut (nothing copied), labelSmoothing 0.1, reduction 'mean'\n`);
    out(`${pad('call', 22)}${pad('N×K', 12)}${pad('build', 9)}${lpad('median ms', 11)}${lpad('M logits/s', 12)}${lpad('simd128 ÷ scalar', 18)}`);
  }
  for (const [n, k] of opts.shapes) {
    for (const call of CALLS) {
      for (const backend of opts.backends) {
        // The progress line: each measurement blocks the event loop, so it is written before.
        if (tty) process.stderr.write(`\r\x1b[K${call} ${n}×${k} ${backend}…`);
        try {
          initSync({ backend });
        } catch (e) {
          throw new RuntimeFailure(`could not load the ${backend} build: ${(e as Error).message}`);
        }
        let medianMs: number;
        try {
          medianMs = measure(call, n, k, opts.runs);
        } catch (e) {
          if (e instanceof RuntimeFailure) throw e;
          throw new RuntimeFailure(`${call} on ${n}×${k} (${backend} build) failed: ${(e as Error).message}`);
        } finally {
          if (tty) process.stderr.write('\r\x1b[K');
        }
        const row: Row = { call, n, k, backend, medianMs, mLogitsPerSecond: (n * k) / medianMs / 1000 };
        rows.push(row);
        if (opts.json) continue;
        const scalar = rows.find((r) => r.call === call && r.n === n && r.k === k && r.backend === 'scalar');
        const ratio = backend === 'simd128' && scalar ? `${(scalar.medianMs / medianMs).toFixed(2)}×` : '';
        out(`${pad(call, 22)}${pad(`${n}×${k}`, 12)}${pad(backend, 9)}${lpad(medianMs.toFixed(3), 11)}${lpad(row.mLogitsPerSecond.toFixed(1), 12)}${lpad(ratio, 18)}`.trimEnd());
      }
    }
  }
  if (opts.json) out(JSON.stringify({ node: process.version, warmup: { calls: WARMUP_CALLS, ms: WARMUP_MS }, runs: opts.runs, rows }, null, 2));
  info(`labelsmooth bench: finished in ${((performance.now() - started) / 1000).toFixed(1)} s (the comparison with tfjs: npm run bench in the labelsmooth repository)`);
  return 0;
}
