// The threads part of the benchmark report (bench/report.mjs) and of the README's performance
// section: the pool's rows of each runtime (bench/threads-rows.mjs) as a table, or why a runtime
// has none; and the relaxed-simd × simd128 ratios per runtime (bench/bench.mjs computes them).

const fixed = (v, digits) => (v === undefined || v === null || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const msCell = (v) => (v === undefined ? '—' : v >= 100 ? fixed(v, 0) : v >= 10 ? fixed(v, 1) : v >= 1 ? fixed(v, 2) : fixed(v, 3));
const ratio = (v) => (v === undefined ? '—' : `${fixed(v, 2)}×`);
const API_NAMES = { wasm: '`WasmArray`', plain: '`Float32Array`' };

/** The runtimes of a merged result that have a threads part (rows, a fallback or an error). */
function withThreads(m) {
  return m.runtimes.filter((rt) => rt.threads);
}

/** The table rows (Markdown lines) of one runtime's threads rows: one line per shape and API. */
function threadLines(rt) {
  const t = rt.threads;
  const lines = [];
  const shapes = [...new Set(t.rows.map((r) => r.shape))];
  for (const shape of shapes) {
    for (const api of ['wasm', 'plain']) {
      const at = (config) => t.rows.find((r) => r.shape === shape && r.api === api && r.config === config);
      const [simd, one, two, auto] = ['simd128', 't1', 't2', 'auto'].map(at);
      if (!one) continue;
      // 'auto' resolving to 2 threads is the 2-thread measurement (threads-rows.mjs).
      const autoRow = auto ?? (t.auto === 2 ? two : undefined);
      out(lines, [rt.runtime.name, shape, API_NAMES[api], msCell(simd?.ms.median), msCell(one.ms.median), msCell(two?.ms.median), autoRow ? `${msCell(autoRow.ms.median)} (${autoRow.threads})` : '—', ratio(simd?.speedupOverOneThread), ratio(two?.speedupOverOneThread), ratio(autoRow?.speedupOverOneThread)]);
    }
  }
  return lines;
}

function out(lines, cells) {
  lines.push(`| ${cells.join(' | ')} |`);
}

/** The lines saying why a runtime has no threads rows. */
function missingLines(m) {
  const lines = [];
  for (const rt of withThreads(m)) {
    if (rt.threads.fallback) lines.push(`- ${rt.runtime.name} ${rt.runtime.version}: no pool (\`threadStatus().fallback\`): ${rt.threads.fallback}`);
    else if (rt.threads.error) lines.push(`- ${rt.runtime.name} ${rt.runtime.version}: threads not measured: ${rt.threads.error}`);
  }
  return lines;
}

/** The threads table (header and rows) and the fallback lines; [] when no runtime has a threads part. */
export function threadsTable(m) {
  const measured = withThreads(m).filter((rt) => rt.threads.rows?.length);
  const lines = [];
  if (measured.length) {
    lines.push('| runtime | N×K | arrays | simd128, no pool ms | 1 thread ms | 2 threads ms | auto ms (threads) | simd128 × | 2 threads × | auto × |');
    lines.push('|---|---|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const rt of measured) lines.push(...threadLines(rt));
  }
  const loads = withThreads(m).filter((rt) => rt.threads.loadAverage !== undefined);
  if (loads.length) lines.push('', `Load average (1 min) as each runtime's threads rows began (${m.machine.cores} cores): ${loads.map((rt) => `${rt.runtime.name} ${fixed(rt.threads.loadAverage, 2)}`).join(', ')}.`);
  const missing = missingLines(m);
  if (missing.length) lines.push(...(lines.length ? [''] : []), ...missing);
  return lines;
}

/** What the threads table shows (for the report and the README). */
export const THREADS_LEGEND =
  "fwd+grad `crossEntropyWithGrad` (ε = 0.1, `'mean'`) on `WasmArray`s (logits and `gradOut` in wasm memory) and on plain `Float32Array`s (copied in and out by the calling thread). The simd128 build without a pool and the threaded build on 1, 2 and `'auto'` threads (`setThreads`) alternate round by round in one process; each ms is a median, × is the threaded build's 1-thread median over that configuration's, so above 1 is faster than one thread. Where `'auto'` resolves to 2 threads, its cells are the 2-thread measurement. Chromium runs the rows in a module worker of a cross-origin isolated page.";

/** The relaxed × simd128 ratios (fwd+grad on WasmArrays) of each runtime, one line per runtime; [] when none. */
export function relaxedTable(m) {
  const shapes = [...new Set(m.runtimes.flatMap((rt) => rt.rows.filter((r) => r.id === 'ls-relaxed-simd-kernel').map((r) => r.shape)))];
  if (!shapes.length) return [];
  const lines = [`| runtime | ${shapes.join(' | ')} |`, `|---|${shapes.map(() => '--:').join('|')}|`];
  for (const rt of m.runtimes) {
    const cells = shapes.map((shape) => ratio(rt.rows.find((r) => r.shape === shape && r.id === 'ls-relaxed-simd-kernel')?.speedupOverSimd128));
    lines.push(`| ${rt.runtime.name} ${rt.runtime.version} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** The Markdown section of latest.md; [] when no runtime has a threads part. */
export function threadsSection(m) {
  const table = threadsTable(m);
  if (!table.length) return [];
  return ['## Threads (fwd+grad, ms; × over the threaded build on 1 thread)', '', THREADS_LEGEND, '', ...table, ''];
}

const README_START = '<!-- bench:threads-and-relaxed (written by bench/run.mjs from bench/results/latest.json; do not edit) -->';
const README_END = '<!-- /bench:threads-and-relaxed -->';

/** The README's block: where and when, the threads table, the relaxed × simd128 table. */
export function readmeBlock(m) {
  const when = `Measured ${m.date.slice(0, 10)} by \`npm run bench\` (${m.mode} mode) on ${m.machine.cpu}, ${m.machine.cores} cores, ${m.machine.memoryGiB} GiB, ${m.machine.platform}; load average at the end ${m.machine.loadAverage.join(' / ')}; runtimes ${m.runtimes.map((r) => `${r.runtime.name} ${r.runtime.version}`).join(', ')}.`;
  const lines = [README_START, when, ''];
  const threads = threadsTable(m);
  lines.push('**Threads**: ' + THREADS_LEGEND, '', ...(threads.length ? threads : ['(the run of bench/results/latest.json has no threads rows: a full `npm run bench` measures them)']), '');
  const relaxed = relaxedTable(m);
  lines.push('**Relaxed SIMD × simd128** (fwd+grad on `WasmArray`s, the simd128 median over the relaxed-simd one, same run; runtimes without relaxed SIMD show —):', '', ...(relaxed.length ? relaxed : ['(the run of bench/results/latest.json has no relaxed-simd rows: a full `npm run bench` measures them where the engine has relaxed SIMD)']), README_END);
  return lines.join('\n');
}

/** `readme` with its block replaced by `readmeBlock(m)`; throws when the README has no block. */
export function replaceReadmeBlock(readme, m) {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`bench: README.md has no block between "${README_START}" and "${README_END}"`);
  return readme.slice(0, start) + readmeBlock(m) + readme.slice(end + README_END.length);
}
