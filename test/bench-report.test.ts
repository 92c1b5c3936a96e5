// The benchmark's threads rows and what the report makes of them (bench/threads-rows.mjs,
// bench/report-threads.mjs, bench/report.mjs): the threads table from a result of known numbers,
// the fallback and error lines, the relaxed × simd128 column, the README's block (replaced only
// between its markers, and what bench/results/latest.json renders), and the quick mode's threads
// rows measured for real in Node (bench/node-entry.mjs --quick --only threads).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../bench/report.mjs';
import { readmeBlock, relaxedTable, replaceReadmeBlock, threadsTable } from '../bench/report-threads.mjs';
import { QUICK_THREAD_SHAPES, roundsFor, runThreadRows, threadConfigs, threadRounds } from '../bench/threads-rows.mjs';
import { repoRoot } from '../scripts/lib/source-files.mjs';

/** One threads row as bench/threads-rows.mjs makes it. */
function row(shape: string, api: string, config: string, threads: number, median: number, one: number) {
  return { shape, api, config, label: config, threads, ms: { median, min: median, max: median, runs: 7 }, reps: 1, speedupOverOneThread: one / median };
}

/** A merged result (bench/run.mjs) of three runtimes: a pool with 'auto' = 2, a pool with 'auto' = 4, a fallback, an error. */
function merged() {
  const single = (name: string, relaxed?: number) => ({
    runtime: { name, version: '1.0' },
    shapes: ['8192×1000'],
    rows: [
      { shape: '8192×1000', id: 'ls-simd128-kernel', impl: 'labelsmooth simd128', variant: 'kernel', ms: { median: 10, min: 9, max: 11, runs: 7 }, mlogitsPerS: 819 },
      ...(relaxed ? [{ shape: '8192×1000', id: 'ls-relaxed-simd-kernel', impl: 'labelsmooth relaxed-simd', variant: 'kernel', ms: { median: 10 / relaxed, min: 1, max: 20, runs: 7 }, mlogitsPerS: 900, speedupOverSimd128: relaxed }] : []),
    ],
  });
  return {
    date: '2026-12-01T05:00:00.000Z',
    mode: 'full',
    durationSeconds: 600,
    machine: { cpu: 'Test CPU', cores: 4, memoryGiB: 8, platform: 'linux x64', loadAverage: [0.5, 0.4, 0.3] },
    versions: { labelsmooth: '0.1.0', tfjs: '4.22.0', tfjsBackendWasm: '4.22.0' },
    failures: [],
    runtimes: [
      {
        ...single('node', 1.25),
        threads: {
          auto: 2,
          loadAverage: 0.42,
          rows: [row('8192×1000', 'wasm', 'simd128', 1, 20, 21), row('8192×1000', 'wasm', 't1', 1, 21, 21), row('8192×1000', 'wasm', 't2', 2, 12, 21), row('8192×1000', 'plain', 't1', 1, 30, 30), row('8192×1000', 'plain', 't2', 2, 25, 30)],
        },
      },
      {
        ...single('deno'),
        threads: { auto: 4, rows: [row('64×1000', 'wasm', 't1', 1, 0.16, 0.16), row('64×1000', 'wasm', 't2', 2, 0.2, 0.16), row('64×1000', 'wasm', 'auto', 4, 0.08, 0.16)] },
      },
      { ...single('bun'), threads: { fallback: 'this engine cannot compile the threaded build (no)' } },
      { ...single('chromium'), threads: { error: 'the worker failed: boom' } },
    ],
  };
}

describe('the threads table', () => {
  const lines = threadsTable(merged());

  it("has one line per runtime, shape and arrays, with each configuration's median and its ratio over one thread", () => {
    expect(lines).toContain('| node | 8192×1000 | `WasmArray` | 20.0 | 21.0 | 12.0 | 12.0 (2) | 1.05× | 1.75× | 1.75× |');
    // No simd128 row for the plain arrays in this result: a dash, not a number.
    expect(lines).toContain('| node | 8192×1000 | `Float32Array` | — | 30.0 | 25.0 | 25.0 (2) | — | 1.20× | 1.20× |');
    // 'auto' resolving to 4 threads has its own measurement.
    expect(lines).toContain('| deno | 64×1000 | `WasmArray` | — | 0.160 | 0.200 | 0.080 (4) | — | 0.80× | 2.00× |');
  });

  it("gives the load average as each runtime's rows began, where it was measured", () => {
    expect(lines).toContain("Load average (1 min) as each runtime's threads rows began (4 cores): node 0.42.");
  });

  it('says why a runtime has no rows: the fallback reason, or the error', () => {
    expect(lines).toContain('- bun 1.0: no pool (`threadStatus().fallback`): this engine cannot compile the threaded build (no)');
    expect(lines).toContain('- chromium 1.0: threads not measured: the worker failed: boom');
    expect(lines.filter((l) => l.startsWith('| bun') || l.startsWith('| chromium'))).toEqual([]);
  });

  it('is left out of a result without threads', () => {
    const m = merged();
    for (const rt of m.runtimes) delete (rt as { threads?: unknown }).threads;
    expect(threadsTable(m)).toEqual([]);
    expect(renderMarkdown(m)).not.toContain('## Threads');
  });
});

describe('the report', () => {
  it('has the threads section and a relaxed × simd128 column in the summary', () => {
    const md = renderMarkdown(merged());
    expect(md).toContain('## Threads (fwd+grad, ms; × over the threaded build on 1 thread)');
    expect(md).toContain('| node | 8192×1000 | `WasmArray` | 20.0 | 21.0 | 12.0 | 12.0 (2) | 1.05× | 1.75× | 1.75× |');
    const summary = md.split('\n').filter((l) => l.startsWith('| node | 8192×1000 | 819 |') || l.startsWith('| deno | 8192×1000 | 819 |'));
    expect(summary).toHaveLength(2);
    expect(summary[0]).toContain('| 1.25× |');
    expect(summary[1].split('|').filter((c) => c.trim() === '—').length).toBeGreaterThan(0);
  });

  it('has no empty single-thread lines for a run of the threads group alone', () => {
    const m = merged();
    for (const rt of m.runtimes) rt.rows = [];
    const md = renderMarkdown(m);
    expect(md).not.toMatch(/^\| node \| 8192×1000 \| — \|/m);
    expect(md).not.toContain('### 8192×1000');
  });

  it('has the relaxed × simd128 table per runtime', () => {
    expect(relaxedTable(merged())).toEqual(['| runtime | 8192×1000 |', '|---|--:|', '| node 1.0 | 1.25× |', '| deno 1.0 | — |', '| bun 1.0 | — |', '| chromium 1.0 | — |']);
  });
});

describe("the README's block", () => {
  const START = '<!-- bench:threads-and-relaxed (written by bench/run.mjs from bench/results/latest.json; do not edit) -->';
  const END = '<!-- /bench:threads-and-relaxed -->';

  it('is replaced between its markers only, the same way every time, with the date, the machine and both tables', () => {
    const readme = `# x\n\nbefore\n\n${START}\nold\n${END}\n\nafter\n`;
    const once = replaceReadmeBlock(readme, merged());
    expect(once.startsWith('# x\n\nbefore\n\n<!-- bench:threads-and-relaxed')).toBe(true);
    expect(once.endsWith(`${END}\n\nafter\n`)).toBe(true);
    expect(once).not.toContain('\nold\n');
    expect(once).toContain('Measured 2026-12-01 by `npm run bench` (full mode) on Test CPU, 4 cores, 8 GiB, linux x64; load average at the end 0.5 / 0.4 / 0.3');
    expect(once).toContain('| node | 8192×1000 | `WasmArray` | 20.0 | 21.0 | 12.0 | 12.0 (2) | 1.05× | 1.75× | 1.75× |');
    expect(once).toContain('| node 1.0 | 1.25× |');
    expect(replaceReadmeBlock(once, merged())).toBe(once);
  });

  it('is an error where the README has no block', () => {
    expect(() => replaceReadmeBlock('# x\n', merged())).toThrow(/README.md has no block between/);
  });

  it('in README.md is what bench/results/latest.json renders (node bench/run.mjs --render writes it)', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const latest = JSON.parse(readFileSync(path.join(repoRoot, 'bench/results/latest.json'), 'utf8'));
    expect(readme).toContain(readmeBlock(latest));
  });
});

describe('the rounds', () => {
  it('are fewer for shapes of 4 M logits and more, the same for every shape when asked, and few in quick mode', () => {
    const full = threadRounds();
    expect(roundsFor([8192, 1000], full)).toBeLessThan(roundsFor([64, 1000], full));
    expect(roundsFor([1, 256000], full)).toBe(roundsFor([64, 1000], full));
    expect(threadRounds({ rounds: 9 })).toEqual({ rounds: 9, largeRounds: 9 });
    expect(threadRounds({ quick: true })).toEqual({ rounds: 3, largeRounds: 3 });
  });
});

/** The part of the labelsmooth API the threads rows use to start: a pool of `pool` threads at most, 'auto' = `auto`. */
function fakePool(pool: number, auto: number, fallback: string | null) {
  let threads = 1;
  const set = async (n: number | 'auto') => {
    threads = Math.min(n === 'auto' ? auto : n, pool);
  };
  return {
    init: async (o: { threads?: number | 'auto' }) => (o.threads === undefined ? undefined : set(o.threads)),
    setThreads: set,
    threadCount: () => threads,
    threadStatus: () => ({ threads, requested: 2, fallback }),
  };
}

describe('the configurations', () => {
  it("are the fallback reason where init({ threads: 2 }) leaves one thread, and no rows", async () => {
    const reason = 'wasm threads need SharedArrayBuffer, which this runtime does not have';
    expect(await threadConfigs(fakePool(1, 1, reason))).toEqual({ fallback: reason });
    const lines: string[] = [];
    expect(await runThreadRows({ ls: fakePool(1, 1, reason), log: (l: string) => lines.push(l), runtime: { name: 'x' } }, { quick: true })).toEqual({ fallback: reason });
    expect(lines).toEqual([`[x] threads: no pool: ${reason}`]);
  });

  it("have an 'auto' of their own only where it is neither 1 nor 2 threads", async () => {
    const ids = async (auto: number) => {
      const r = await threadConfigs(fakePool(16, auto, null));
      return { auto: r.auto, ids: (r.configs ?? []).map((c: { id: string }) => c.id) };
    };
    expect(await ids(2)).toEqual({ auto: 2, ids: ['simd128', 't1', 't2'] });
    expect(await ids(1)).toEqual({ auto: 1, ids: ['simd128', 't1', 't2'] });
    expect(await ids(8)).toEqual({ auto: 8, ids: ['simd128', 't1', 't2', 'auto'] });
  });
});

describe('quick mode in Node', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelsmooth-bench-quick-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Starts Node, loads the package's builds, starts a pool of 2 and times 3 rounds of 3
  // configurations × 2 APIs at 256×1000: about 1.5 s alone, 3 s with the other core busy.
  it('measures one tiny shape with the simd128 build and the threaded build on 1 and 2 threads, with the ratios of that run', { timeout: 30_000 }, () => {
    const out = path.join(dir, 'node.json');
    const r = spawnSync(process.execPath, ['bench/node-entry.mjs', '--quick', '--only', 'threads', '--no-tfjs', '--out', out], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { threads } = JSON.parse(readFileSync(out, 'utf8'));
    expect(threads.fallback).toBeUndefined();
    expect(threads.loadAverage).toBeGreaterThanOrEqual(0);
    const [[n, k]] = QUICK_THREAD_SHAPES;
    const configs = threads.auto === 2 ? ['simd128', 't1', 't2'] : ['simd128', 't1', 't2', 'auto'];
    expect(threads.rows.map((x: { api: string; config: string }) => `${x.api} ${x.config}`)).toEqual([...configs.map((c) => `wasm ${c}`), ...configs.map((c) => `plain ${c}`)]);
    for (const x of threads.rows) {
      expect(x.shape).toBe(`${n}×${k}`);
      expect(x.ms.runs).toBe(3);
      expect(x.ms.min).toBeGreaterThan(0);
      expect(x.ms.min).toBeLessThanOrEqual(x.ms.median);
      expect(x.ms.median).toBeLessThanOrEqual(x.ms.max);
      expect(x.threads).toBe({ simd128: 1, t1: 1, t2: 2, auto: threads.auto }[x.config as string]);
      const one = threads.rows.find((y: { api: string; config: string }) => y.api === x.api && y.config === 't1');
      expect(x.speedupOverOneThread).toBe(one.ms.median / x.ms.median);
    }
  });
});
