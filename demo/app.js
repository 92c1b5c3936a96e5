// The demo page: every number and both heatmaps come from the labelsmooth package (its browser
// build, copied next to this file as labelsmooth.mjs by demo/build.mjs).
import { backend, crossEntropy, crossEntropyParts, init, renderHeatmap, smoothTargets } from './labelsmooth.mjs';

/** The Annotated Transformer's label-smoothing example, which the page starts with. */
const EXAMPLE = {
  epsilon: 0.5,
  numClasses: 5,
  convention: 'annotated',
  paddingIdx: 0,
  targets: '2,1,0',
  logits: '0, 0.2, 0.7, 0.1, 0\n0, 0.2, 0.7, 0.1, 0\n0, 0.2, 0.7, 0.1, 0',
};

const $ = (id) => document.getElementById(id);
const els = {
  epsilon: $('epsilon'),
  epsilonValue: $('epsilon-value'),
  numClasses: $('num-classes'),
  convention: $('convention'),
  paddingIdx: $('padding-idx'),
  targets: $('targets'),
  logits: $('logits'),
  error: $('error'),
};

const fixed = (v, d = 4) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '∞' : v === -Infinity ? '−∞' : v.toFixed(d).replace(/^-(0\.0+)$/, '$1').replace('-', '−'));

function setNumber(id, value, decimals = 4) {
  const el = $(id);
  el.textContent = fixed(value, decimals);
  el.dataset.value = String(value);
}

/** Reads the inputs; throws an Error with a readable message when they do not make sense. */
function readInputs() {
  const epsilon = Number(els.epsilon.value);
  const numClasses = Number(els.numClasses.value);
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 64) throw new Error(`K must be an integer from 1 to 64, not "${els.numClasses.value}"`);
  const convention = els.convention.value;
  const paddingIdx = Number(els.paddingIdx.value);
  const parts = els.targets.value.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0) throw new Error('give at least one target class');
  if (parts.length > 32) throw new Error('at most 32 targets on this page');
  const targets = parts.map((s) => {
    if (!/^[+-]?\d+$/.test(s)) throw new Error(`targets: "${s}" is not an integer class index`);
    return Number(s);
  });
  const options = { labelSmoothing: epsilon, convention };
  if (convention === 'annotated') options.paddingIdx = paddingIdx;
  return { epsilon, numClasses, convention, paddingIdx, targets, options };
}

/** Parses the logits box (one row per line), resizing it to N×K: missing values are 0. */
function readLogits(n, k) {
  const lines = els.logits.value.split(/\n/).map((l) => l.trim()).filter((l) => l !== '');
  const rows = lines.map((line, i) =>
    line.split(/[\s,;]+/).filter((s) => s !== '').map((s) => {
      const v = Number(s.replace('−', '-'));
      if (!Number.isFinite(v)) throw new Error(`logits, line ${i + 1}: "${s}" is not a number`);
      return v;
    }),
  );
  const logits = new Float32Array(n * k);
  let reshaped = rows.length !== n;
  for (let i = 0; i < n; i++) {
    const row = rows[i] ?? [];
    if (row.length !== k) reshaped = true;
    for (let j = 0; j < k; j++) logits[i * k + j] = row[j] ?? 0;
  }
  return { logits, reshaped };
}

function softmax(logits, n, k) {
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, logits[i * k + j]);
    let s = 0;
    for (let j = 0; j < k; j++) s += p[i * k + j] = Math.exp(logits[i * k + j] - m);
    for (let j = 0; j < k; j++) p[i * k + j] /= s;
  }
  return p;
}

/** On-target and off-target mass of the convention (docs/semantics.md §1). */
function onOff(convention, e, k) {
  if (convention === 'uniform') return { on: 1 - e + e / k, off: e / k };
  if (convention === 'fairseq') return { on: 1 - e, off: k > 1 ? e / (k - 1) : 0 };
  return { on: 1 - e, off: e / (k - 2) };
}

function heatmapOptions(n, k, title, targets, extra) {
  const small = k <= 8 && n <= 12;
  return {
    numClasses: k,
    title,
    rowLabels: targets.map((t, i) => `${i} → ${t}`),
    yLabel: 'row → target',
    xLabel: 'class',
    values: small,
    maxWidth: 380,
    maxHeight: 380,
    ...extra,
  };
}

// ---- the loss-against-ε plot (plain SVG) ----
function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
}

function lossPlot(series, epsilon) {
  const W = 640;
  const H = 300;
  const L = 62;
  const R = 170;
  const T = 16;
  const B = 46;
  const all = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const yMax = Math.max(1e-6, ...all);
  const yMin = Math.min(0, ...all);
  const step = niceStep(yMax - yMin, 5);
  const top = Math.ceil(yMax / step) * step;
  const bottom = Math.floor(yMin / step) * step;
  const x = (e) => L + e * (W - L - R);
  const y = (v) => T + (H - T - B) * (1 - (v - bottom) / (top - bottom || 1));
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" role="img"><title>loss against ε</title>`];
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  for (let v = bottom; v <= top + step * 1e-6; v += step) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${L}" x2="${W - R}" y1="${yy}" y2="${yy}" stroke="#e3e3e8"/>`);
    out.push(`<text x="${L - 6}" y="${yy}" dy="0.35em" text-anchor="end">${Number(v.toFixed(6))}</text>`);
  }
  for (let e = 0; e <= 1.0001; e += 0.2) {
    const xx = x(e).toFixed(1);
    out.push(`<line x1="${xx}" x2="${xx}" y1="${H - B}" y2="${H - B + 4}" stroke="#000"/>`);
    out.push(`<text x="${xx}" y="${H - B + 17}" text-anchor="middle">${e.toFixed(1)}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#000"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">ε (label smoothing)</text>`);
  out.push(`<text x="14" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(T + H - B) / 2})">loss</text>`);
  const ex = x(epsilon).toFixed(1);
  out.push(`<line x1="${ex}" x2="${ex}" y1="${T}" y2="${H - B}" stroke="#888" stroke-dasharray="4 3"/>`);
  series.forEach((s, j) => {
    const segments = [];
    let current = [];
    for (const [e, v] of s.points) {
      if (Number.isFinite(v)) current.push(`${x(e).toFixed(1)},${y(v).toFixed(1)}`);
      else if (current.length) (segments.push(current), (current = []));
    }
    if (current.length) segments.push(current);
    for (const seg of segments) out.push(`<polyline class="series" data-series="${s.name}" points="${seg.join(' ')}" fill="none" stroke="${s.colour}" stroke-width="${s.width}"/>`);
    if (Number.isFinite(s.current)) out.push(`<circle cx="${ex}" cy="${y(s.current).toFixed(1)}" r="4.5" fill="${s.colour}" stroke="#fff" stroke-width="1.5"/>`);
    const ly = T + 12 + j * 20;
    out.push(`<line x1="${W - R + 14}" x2="${W - R + 38}" y1="${ly}" y2="${ly}" stroke="${s.colour}" stroke-width="${s.width}"/>`);
    out.push(`<text x="${W - R + 44}" y="${ly}" dy="0.35em">${s.name}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

let renders = 0;
let lastShape = '';

function render() {
  let state;
  try {
    state = readInputs();
  } catch (e) {
    return showError(e.message);
  }
  const { epsilon, numClasses: k, convention, targets, options } = state;
  const n = targets.length;
  els.epsilonValue.textContent = epsilon.toFixed(2);
  els.paddingIdx.disabled = convention !== 'annotated';
  els.paddingIdx.max = String(k - 1);

  let parsed;
  try {
    parsed = readLogits(n, k);
  } catch (e) {
    return showError(e.message);
  }
  const { logits } = parsed;
  const shape = `${n}x${k}`;
  if (parsed.reshaped && shape !== lastShape && lastShape !== '') {
    // K or the number of targets changed: rewrite the box in the new shape.
    els.logits.value = Array.from({ length: n }, (_, i) => Array.from(logits.subarray(i * k, i * k + k), (v) => String(Number(v.toFixed(4)))).join(', ')).join('\n');
    els.logits.rows = Math.min(12, Math.max(3, n));
  }
  lastShape = shape;

  let q;
  let loss;
  let parts;
  try {
    q = smoothTargets(targets, k, options);
    loss = crossEntropy(logits, targets, { ...options, numClasses: k });
    parts = crossEntropyParts(logits, targets, { ...options, numClasses: k });
  } catch (e) {
    return showError(e.message);
  }
  els.error.hidden = true;
  els.error.textContent = '';

  const { on, off } = onOff(convention, epsilon, k);
  const d = parts.denominator;
  setNumber('loss', loss, 4);
  setNumber('loss-nll-part', ((on - off) * parts.nll) / d, 4);
  setNumber('loss-smooth-part', off === 0 ? 0 : (off * parts.smooth) / d, 4);
  setNumber('sum-nll', parts.nll, 4);
  setNumber('sum-smooth', parts.smooth, 4);
  $('loss-formula').textContent = `on = ${fixed(on)}, off = ${fixed(off)}, D = ${d} row${d === 1 ? '' : 's'} counted`;
  const ignoredRows = convention === 'annotated' ? targets.filter((t) => t === state.paddingIdx).length : 0;
  $('loss-note').textContent =
    convention === 'annotated'
      ? `Rows whose target is the padding class (${ignoredRows} here) count for nothing; the padding column gets no smoothing mass. This is the cross-entropy H(q, p); the Annotated Transformer's criterion reports the KL divergence H(q, p) − H(q), summed.`
      : `This is the cross-entropy H(q, p) that PyTorch's F.cross_entropy(label_smoothing=ε) computes${convention === 'fairseq' ? ', with fairseq\'s targets' : ''}.`;

  const title = convention === 'annotated' ? `true_dist: K=${k}, padding ${state.paddingIdx}, ε=${epsilon.toFixed(2)}` : `smoothed targets: ${convention}, K=${k}, ε=${epsilon.toFixed(2)}`;
  $('targets-heatmap').innerHTML = renderHeatmap(q, heatmapOptions(n, k, title, targets, { min: 0 }));
  $('softmax-heatmap').innerHTML = renderHeatmap(softmax(logits, n, k), heatmapOptions(n, k, 'softmax(logits)', targets, { min: 0 }));

  const points = { loss: [], nll: [], smooth: [] };
  for (let i = 0; i <= 50; i++) {
    const e = i / 50;
    const o = { ...options, labelSmoothing: e, numClasses: k };
    const p = crossEntropyParts(logits, targets, o);
    const oo = onOff(convention, e, k);
    points.loss.push([e, crossEntropy(logits, targets, o)]);
    points.nll.push([e, ((oo.on - oo.off) * p.nll) / p.denominator]);
    points.smooth.push([e, oo.off === 0 ? 0 : (oo.off * p.smooth) / p.denominator]);
  }
  $('loss-plot').innerHTML = lossPlot(
    [
      { name: 'loss', colour: '#440154', width: 3, points: points.loss, current: loss },
      { name: 'NLL part', colour: '#31688e', width: 2, points: points.nll, current: ((on - off) * parts.nll) / d },
      { name: 'smoothing part', colour: '#35b779', width: 2, points: points.smooth, current: off === 0 ? 0 : (off * parts.smooth) / d },
    ],
    epsilon,
  );
  renders += 1;
  document.body.dataset.renders = String(renders);
}

function showError(message) {
  els.error.hidden = false;
  els.error.textContent = message;
  renders += 1;
  document.body.dataset.renders = String(renders);
}

function resetExample() {
  els.epsilon.value = String(EXAMPLE.epsilon);
  els.numClasses.value = String(EXAMPLE.numClasses);
  els.convention.value = EXAMPLE.convention;
  els.paddingIdx.value = String(EXAMPLE.paddingIdx);
  els.targets.value = EXAMPLE.targets;
  els.logits.value = EXAMPLE.logits;
  lastShape = '';
  render();
}

async function start() {
  const wanted = new URLSearchParams(location.search).get('backend') ?? 'auto';
  try {
    await init({ backend: wanted });
  } catch (e) {
    $('backend').textContent = 'no';
    return showError(`labelsmooth could not load: ${e.message}`);
  }
  $('backend').textContent = backend();
  document.body.dataset.backend = backend();
  for (const el of [els.epsilon, els.numClasses, els.convention, els.paddingIdx, els.targets, els.logits]) {
    el.addEventListener('input', render);
  }
  $('reset-example').addEventListener('click', resetExample);
  render();
  document.body.dataset.ready = 'true';
}

start();
