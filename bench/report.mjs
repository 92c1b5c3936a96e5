// Renders the merged benchmark results (bench/run.mjs) as a Markdown report and an SVG bar chart
// (hand-written SVG: log scale, one panel per runtime, one group per shape, one colour per
// implementation). The threads table and the README's block: report-threads.mjs.
import { threadsSection } from './report-threads.mjs';

const fmt = (v, digits = 0) => (v === undefined || v === null || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ms = (v) => (v >= 100 ? fmt(v, 0) : v >= 10 ? fmt(v, 1) : fmt(v, 2));
/** A ratio near 1, with two decimals (relaxed × simd128). */
const times2 = (v) => (v === undefined ? '—' : `${fmt(v, 2)}×`);
const times = (v) => (v === undefined ? '—' : `${v >= 10 ? fmt(v, 0) : fmt(v, 1)}×`);
const bytes = (b) => (b === undefined ? '' : b === 0 ? '0 B' : `${fmt(b / 2 ** 20, 1)} MiB`);

function find(rt, shape, id) {
  return rt.rows.find((r) => r.shape === shape && r.id === id);
}

/** The shapes with single-thread rows (a run of the `threads` group alone has none). */
function measuredShapes(rt) {
  return rt.shapes.filter((shape) => rt.rows.some((r) => r.shape === shape));
}

/** The Markdown report. */
export function renderMarkdown(m) {
  const out = [];
  const rtNames = m.runtimes.map((r) => `${r.runtime.name} ${r.runtime.version}`).join(', ');
  out.push(`# labelsmooth benchmark (${m.mode} mode)`);
  out.push('');
  out.push(`${m.date.slice(0, 10)} · ${m.machine.cpu}, ${m.machine.cores} cores, ${m.machine.memoryGiB} GiB, ${m.machine.platform} · load average at the end ${m.machine.loadAverage.join(' / ')}`);
  out.push('');
  out.push(`labelsmooth ${m.versions.labelsmooth} · @tensorflow/tfjs ${m.versions.tfjs} · @tensorflow/tfjs-backend-wasm ${m.versions.tfjsBackendWasm} · runtimes: ${rtNames} · took ${fmt(m.durationSeconds)} s`);
  out.push('');
  out.push('Single thread unless noted (the threads section). Label-smoothed cross-entropy (ε = 0.1, mean) and its gradient over N×K logits. Each row: warm-up, then ≥ 5 timed runs; the median, min–max, and M logits/s = N·K / median. Every ratio compares medians measured in the same run of the same runtime.');
  out.push('');
  out.push('## Summary (M logits/s; forward+gradient unless noted)');
  out.push('');
  out.push('| runtime | N×K | kernel fwd+grad | forward only | SIMD-exp bound | forward ÷ bound | plain API fwd+grad | scalar fwd+grad | relaxed × simd128 | kernel × tfjs-wasm | kernel × plain JS | plain API × tfjs-wasm | plain API × plain JS |');
  out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const rt of m.runtimes) {
    for (const shape of measuredShapes(rt)) {
      const k = find(rt, shape, 'ls-simd128-kernel');
      const f = find(rt, shape, 'ls-simd128-forward');
      const b = find(rt, shape, 'exp-simd128');
      const p = find(rt, shape, 'ls-simd128-plain');
      const s = find(rt, shape, 'ls-scalar-kernel');
      out.push(
        `| ${rt.runtime.name} | ${shape} | ${fmt(k?.mlogitsPerS)} | ${fmt(f?.mlogitsPerS)} | ${fmt(b?.mlogitsPerS)} | ${f?.fractionOfExpBound ? `${fmt(100 * f.fractionOfExpBound)} %` : '—'} | ${fmt(p?.mlogitsPerS)} | ${fmt(s?.mlogitsPerS)} | ${times2(find(rt, shape, 'ls-relaxed-simd-kernel')?.speedupOverSimd128)} | ${times(k?.['speedupOver_tfjs-wasm'])} | ${times(k?.['speedupOver_plain-js'])} | ${times(p?.['speedupOver_tfjs-wasm'])} | ${times(p?.['speedupOver_plain-js'])} |`,
      );
    }
  }
  out.push('');
  out.push('"kernel": `WasmArray` logits and `gradOut` (data already in wasm memory). "plain API": `Float32Array` logits copied in, the gradient copied into a caller `Float32Array`. "relaxed × simd128": the simd128 kernel\'s median over the relaxed-simd kernel\'s (fwd+grad, same run; — where the engine has no relaxed SIMD). "SIMD-exp bound": Σ exp(x − max) over the same N×K values with the kernels\' exp and nothing else. "in place" (detailed tables): `inPlace: true` on a `WasmArray`; every call overwrites the logits with its gradient, so the later calls run on gradient values, which takes the same time as on fresh logits (measured; why in place once ran slower than a separate gradient on an AMD EPYC, and the fix: bench/README.md, "In place vs a separate gradient").');
  out.push('');
  const relaxedRows = m.runtimes.flatMap((rt) => rt.shapes.map((shape) => [rt, shape])).filter(([rt, shape]) => find(rt, shape, 'ls-relaxed-simd-kernel'));
  if (relaxedRows.length) {
    out.push('## Relaxed SIMD × simd128 (M logits/s)');
    out.push('');
    out.push('The relaxed-simd build (multiply-adds through `f32x4.relaxed_madd`) and the simd128 build, measured one after the other in the same run of each runtime; × is the simd128 median over the relaxed-simd one. Each build\'s SIMD-exp bound is its own exp loop; "forward ÷ bound" for relaxed-simd is against the relaxed bound. Runtimes without relaxed SIMD have no row (the Node benchmark passes `--experimental-wasm-relaxed-simd` on Node 20).');
    out.push('');
    out.push('| runtime | N×K | relaxed fwd+grad | simd128 fwd+grad | relaxed × simd128 | relaxed forward | simd128 forward | forward × | exp bound relaxed | exp bound simd128 | bound × | relaxed forward ÷ relaxed bound |');
    out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const [rt, shape] of relaxedRows) {
      const r = (id) => find(rt, shape, id);
      const [rk, sk, rf, sf, rb, sb] = ['ls-relaxed-simd-kernel', 'ls-simd128-kernel', 'ls-relaxed-simd-forward', 'ls-simd128-forward', 'exp-relaxed-simd', 'exp-simd128'].map(r);
      const pct = rf?.fractionOfExpBound ? `${fmt(100 * rf.fractionOfExpBound)} %` : '—';
      out.push(`| ${rt.runtime.name} | ${shape} | ${fmt(rk?.mlogitsPerS)} | ${fmt(sk?.mlogitsPerS)} | ${times2(rk?.speedupOverSimd128)} | ${fmt(rf?.mlogitsPerS)} | ${fmt(sf?.mlogitsPerS)} | ${times2(rf?.speedupOverSimd128)} | ${fmt(rb?.mlogitsPerS)} | ${fmt(sb?.mlogitsPerS)} | ${times2(rb?.speedupOverSimd128)} | ${pct} |`);
    }
    out.push('');
  }
  out.push(...threadsSection(m));
  const lossNames = { kl: 'klDivWithGrad', sigmoid: 'sigmoidCrossEntropyWithGrad', soft: 'softCrossEntropyWithGrad' };
  const boundNames = { kl: 'Σ ln q', sigmoid: 'Σ log1p(exp(−\\|x\\|))', soft: 'Σ exp(x − max)' };
  const lossRows = m.runtimes.flatMap((rt) => rt.shapes.flatMap((shape) => Object.keys(lossNames).map((loss) => [rt, shape, loss]))).filter(([rt, shape, loss]) => find(rt, shape, `${loss}-simd128`));
  if (lossRows.length) {
    out.push('## Other losses (M elements/s, forward+gradient)');
    out.push('');
    out.push('Kernel style (`WasmArray` inputs, `gradOut`), ε = 0.1. Each loss next to its own bound: the loop of the transcendental work that loss must do per element and nothing else, with the kernels\' own functions ("loss ÷ bound" is the share of it the loss reaches).');
    out.push('');
    out.push('| runtime | N×K | loss | simd128 | scalar | simd128 × scalar | bound | bound simd128 | simd128 ÷ bound | bound scalar | scalar ÷ bound | relaxed-simd | relaxed × simd128 | bound relaxed | relaxed ÷ bound |');
    out.push('|---|---|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const [rt, shape, loss] of lossRows) {
      const v = find(rt, shape, `${loss}-simd128`);
      const sc = find(rt, shape, `${loss}-scalar`);
      const bound = loss === 'soft' ? 'exp' : `${loss}-bound`;
      const bv = find(rt, shape, `${bound}-simd128`);
      const bs = find(rt, shape, `${bound}-scalar`);
      const pct = (r) => (r?.fractionOfBound ? `${fmt(100 * r.fractionOfBound)} %` : '—');
      const rv = find(rt, shape, `${loss}-relaxed-simd`);
      const br = find(rt, shape, `${bound}-relaxed-simd`);
      out.push(`| ${rt.runtime.name} | ${shape} | ${lossNames[loss]} | ${fmt(v?.mlogitsPerS)} | ${fmt(sc?.mlogitsPerS)} | ${times(v?.speedupOverScalar)} | ${boundNames[loss]} | ${fmt(bv?.mlogitsPerS)} | ${pct(v)} | ${fmt(bs?.mlogitsPerS)} | ${pct(sc)} | ${fmt(rv?.mlogitsPerS)} | ${times2(rv?.speedupOverSimd128)} | ${fmt(br?.mlogitsPerS)} | ${pct(rv)} |`);
    }
    out.push('');
  }
  const tfjsOps = m.runtimes.flatMap((rt) => rt.rows.filter((r) => r.id.startsWith('ls-tfjs')).map((r) => [rt, r]));
  if (tfjsOps.length) {
    out.push('## labelsmooth/tfjs in TensorFlow.js (training step: loss + gradient)');
    out.push('');
    out.push("`tf.valueAndGrad` of each loss (ε = 0.1, tfjs's default reduction for the one-hot losses, `'mean'` for the sparse one), timed until it returns (the cpu and wasm backends compute synchronously), and with the gradient read back (`dataSync`); × is tfjs's `tf.losses.softmaxCrossEntropy` time on the same backend, with the same read-back, over labelsmooth/tfjs's.");
    out.push('');
    out.push('| runtime | N×K | tfjs backend | loss | read back | median ms | tfjs median ms | × faster than tfjs |');
    out.push('|---|---|---|---|---|--:|--:|--:|');
    for (const [rt, r] of tfjsOps) {
      const base = find(rt, r.shape, `tfjs-${r.tfjsBackend}${r.readBack ? '-read' : ''}`);
      out.push(`| ${rt.runtime.name} | ${r.shape} | ${r.tfjsBackend} | ${r.impl} | ${r.readBack ? 'yes' : 'no'} | ${ms(r.ms.median)} | ${base ? ms(base.ms.median) : '—'} | ${times(r.speedupOverTfjs)} |`);
    }
    out.push('');
  }
  out.push('## Memory');
  out.push('');
  out.push('Wasm memory growth of each labelsmooth row: during its first (warm-up) calls, and over its timed calls, next to the size of one N×K array. The kernel and in-place rows allocate no N×K block at all (their growth stays below one N×K array even on the first call); the plain API stages the logits once (one N×K block, which the gradient overwrites in place) and reuses that memory afterwards.');
  out.push('');
  out.push('| runtime | N×K | N×K array | kernel (gradOut): first calls / timed | in place: first / timed | plain API: first / timed |');
  out.push('|---|---|--:|--:|--:|--:|');
  for (const rt of m.runtimes) {
    for (const shape of measuredShapes(rt)) {
      const k = find(rt, shape, 'ls-simd128-kernel');
      const i = find(rt, shape, 'ls-simd128-inplace');
      const p = find(rt, shape, 'ls-simd128-plain');
      const pair = (r) => (r?.memory ? `${bytes(r.memory.firstCallsGrowthBytes)} / ${bytes(r.memory.grownDuringCallsBytes)}` : '—');
      out.push(`| ${rt.runtime.name} | ${shape} | ${bytes(k?.memory?.nkBlockBytes)} | ${pair(k)} | ${pair(i)} | ${pair(p)} |`);
    }
  }
  for (const rt of m.runtimes) {
    out.push('');
    out.push(`## ${rt.runtime.name} ${rt.runtime.version} (${rt.runtime.engine ?? ''}${rt.versions?.tfjsWasmThreads ? `, tfjs-wasm threads: ${rt.versions.tfjsWasmThreads}` : ''}, ${fmt(rt.seconds)} s)`);
    if (rt.errors?.length) {
      out.push('');
      for (const e of rt.errors) out.push(`- not measured: ${e}`);
    }
    for (const shape of measuredShapes(rt)) {
      out.push('');
      out.push(`### ${shape}`);
      out.push('');
      out.push('| implementation | what | median ms | min–max ms | runs | M logits/s | simd128 kernel is × faster |');
      out.push('|---|---|--:|--:|--:|--:|--:|');
      for (const r of rt.rows.filter((r) => r.shape === shape)) {
        out.push(`| ${r.impl} | ${r.variant} | ${ms(r.ms.median)} | ${ms(r.ms.min)}–${ms(r.ms.max)} | ${r.ms.runs} | ${fmt(r.mlogitsPerS)} | ${r.id === 'ls-simd128-kernel' ? '1×' : times(r.kernelSpeedupOverThis)} |`);
      }
    }
  }
  if (m.failures?.length) {
    out.push('');
    out.push('## Failures');
    out.push('');
    for (const f of m.failures) out.push(`- ${f}`);
  }
  out.push('');
  return out.join('\n');
}

/** What the chart shows, in order, with its colour. */
const SERIES = [
  ['exp-simd128', 'SIMD-exp bound (exp only)', '#9e9e9e'],
  ['ls-simd128-kernel', 'labelsmooth simd128, kernel', '#1b5e20'],
  ['ls-simd128-plain', 'labelsmooth simd128, plain API', '#66bb6a'],
  ['ls-scalar-kernel', 'labelsmooth scalar, kernel', '#0277bd'],
  ['plain-js', 'plain JS', '#f9a825'],
  ['tfjs-wasm', 'tfjs-wasm', '#e65100'],
  ['tfjs-cpu', 'tfjs-cpu', '#b71c1c'],
];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The SVG bar chart: forward+gradient M logits/s, log scale. */
export function renderSvg(m) {
  const values = m.runtimes.flatMap((rt) => rt.rows.filter((r) => SERIES.some(([id]) => id === r.id)).map((r) => r.mlogitsPerS)).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, 10)));
  const width = 960;
  const left = 70;
  const right = 20;
  const panelH = 230;
  const top = 86;
  const gap = 50;
  const height = top + m.runtimes.length * (panelH + gap) + 10;
  const y = (v, y0) => y0 + panelH - (panelH * (Math.log10(v) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${left}" y="22" font-size="15" font-weight="600">labelsmooth: label-smoothed cross-entropy forward+gradient, M logits/s (log scale, higher is better)</text>`);
  parts.push(`<text x="${left}" y="40" fill="#555">${esc(`${m.date.slice(0, 10)} · ${m.machine.cpu} · single thread · medians · grey: exp-only bound`)}</text>`);
  // Legend.
  let lx = left;
  let ly = 50;
  for (const [, label, colour] of SERIES) {
    const w = 24 + label.length * 7;
    if (lx + w > width - right) {
      lx = left;
      ly += 16;
    }
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${colour}"/><text x="${lx + 14}" y="${ly + 9}">${esc(label)}</text>`);
    lx += w;
  }
  m.runtimes.forEach((rt, p) => {
    const y0 = top + p * (panelH + gap) + 20;
    parts.push(`<text x="${left}" y="${y0 - 6}" font-weight="600">${esc(`${rt.runtime.name} ${rt.runtime.version}`)}</text>`);
    for (let d = lo; d <= hi; d *= 10) {
      const yy = y(d, y0);
      parts.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="#ddd"/><text x="${left - 6}" y="${yy + 4}" text-anchor="end" fill="#555">${fmt(d)}</text>`);
    }
    const groupW = (width - left - right) / rt.shapes.length;
    rt.shapes.forEach((shape, g) => {
      const present = SERIES.filter(([id]) => find(rt, shape, id));
      const barW = Math.min(34, (groupW - 30) / Math.max(present.length, 1));
      const x0 = left + g * groupW + (groupW - barW * present.length) / 2;
      present.forEach(([id, label, colour], i) => {
        const r = find(rt, shape, id);
        const v = r.mlogitsPerS;
        const yy = y(Math.max(v, lo), y0);
        const x = x0 + i * barW;
        parts.push(`<rect x="${x + 1}" y="${yy}" width="${barW - 2}" height="${y0 + panelH - yy}" fill="${colour}"><title>${esc(`${rt.runtime.name} ${shape} ${label}: ${fmt(v, 1)} M logits/s (median ${ms(r.ms.median)} ms)`)}</title></rect>`);
        parts.push(`<text x="${x + barW / 2}" y="${yy - 3}" text-anchor="middle" font-size="9" fill="#333">${v >= 10 ? fmt(v) : fmt(v, 1)}</text>`);
      });
      parts.push(`<text x="${left + g * groupW + groupW / 2}" y="${y0 + panelH + 16}" text-anchor="middle" fill="#333">N×K = ${esc(shape)}</text>`);
    });
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y0 + panelH}" y2="${y0 + panelH}" stroke="#888"/>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
