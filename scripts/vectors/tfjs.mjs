#!/usr/bin/env node
// Regenerates the tfjs reference vectors, test/fixtures/vectors/tfjs_softmax_cross_entropy.json
// and tfjs_sigmoid_cross_entropy.json, by running @tensorflow/tfjs (the devDependency) on its CPU
// backend.
//
// The cases are defined by the committed files themselves: for each case this script keeps what
// states the question (id, description, convention, api, params, inputs) and recomputes
// everything tfjs answers (outputs, error), plus the file header (framework versions from the
// running tfjs and Node). The random cases' inputs are drawn again (randomInputs). Adding a case
// means adding its question to the file and running this script. The format (number encoding, layout) is the one described in
// test/fixtures/vectors/README.md.
//
//   node scripts/vectors/tfjs.mjs              rewrite both files in place
//   node scripts/vectors/tfjs.mjs --out DIR    write them into DIR instead
//   node scripts/vectors/tfjs.mjs --check      regenerate in memory; print each difference from
//                                              the committed files, exit 1 if there is any (a
//                                              different Node version alone is only printed)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VECTORS = path.join(root, 'test/fixtures/vectors');
const GENERATOR = 'scripts/vectors/tfjs.mjs';

// ---------------------------------------------------------------------------------------------
// Running tfjs

/** tfjs's `Reduction` from the params' name; undefined leaves the argument out (its default). */
function reduction(name) {
  if (name.startsWith('default')) return undefined;
  if (!(name in tf.Reduction)) throw new Error(`unknown tfjs Reduction ${name}`);
  return tf.Reduction[name];
}

/** The loss call with its optional trailing arguments left out exactly as the case says. */
function callLoss(loss, labels, logits, params) {
  const weights = params.weights ?? undefined;
  const red = reduction(params.reduction);
  return red === undefined
    ? loss(labels, logits, weights, params.labelSmoothing)
    : loss(labels, logits, weights, params.labelSmoothing, red);
}

/** Runs `compute` in a tidy scope; a thrown error becomes the case's `error` (first line). */
function run(compute) {
  try {
    return { outputs: tf.tidy(compute), error: null };
  } catch (e) {
    return { outputs: null, error: { type: e.constructor.name, message: String(e.message).split('\n')[0] } };
  }
}

const SOFTMAX_LABELS_GRAD_NOTE =
  'gradient tfjs returns w.r.t. the (unsmoothed) labels; note its customGrad returns dy*(q - softmax) * (1-eps) instead of the true -dy*log_softmax*(1-eps)';
const SOFTMAX_Q_NOTE = 'rebuilt with tfjs ops: add(mul(labels, sub(1, eps)), div(eps, numClasses)), numClasses = shape[1]';
const SIGMOID_Q_NOTE = 'rebuilt with tfjs ops: add(mul(labels, sub(1, eps)), mul(0.5, eps))';

/**
 * q as tfjs builds it, `labels·(1 − ε) + offset`, and only when ε > 0: both losses test
 * `labelSmoothing > 0` and use the labels unchanged otherwise, so a negative ε smooths nothing
 * (tensorflow/tfjs, tfjs-core/src/ops/losses/softmax_cross_entropy.ts and
 * sigmoid_cross_entropy.ts).
 */
function smoothedOnlyIfPositive(labels, eps, offset) {
  return eps > 0 ? tf.add(tf.mul(labels, tf.sub(tf.scalar(1), tf.scalar(eps))), offset()) : labels;
}

/**
 * The random cases' inputs, drawn again rather than copied: mulberry32(1234) (a small 32-bit
 * generator), N·K normals by Box–Muller (u then v, sqrt(−2 ln u)·cos 2πv; the sine half is
 * dropped) scaled by 2 and rounded to float32, row-major; then N class ids floor(u·K), one-hot.
 */
const RANDOM_SEED = 1234;
const RANDOM_SOURCE = {
  rng: `mulberry32(${RANDOM_SEED}) + Box-Muller (scripts/vectors/tfjs.mjs, randomInputs)`,
  logits: 'randn*2 rounded to float32',
  target: 'floor(u*13)',
  weights: 'rows 2 and 5 weighted 0 (tfjs has no ignore_index)',
};

function mulberry32(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInputs([n, k]) {
  const u = mulberry32(RANDOM_SEED);
  const normal = () => {
    const a = u();
    const b = u();
    return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * b);
  };
  const logits = Array.from({ length: n }, () => Array.from({ length: k }, () => Math.fround(2 * normal())));
  const target = Array.from({ length: n }, () => Math.floor(u() * k));
  const onehot_labels = target.map((t) => Array.from({ length: k }, (_, j) => (j === t ? 1 : 0)));
  return { logits, onehot_labels };
}

const oneHot = (ids, k) => tf.oneHot(tf.tensor1d(ids, 'int32'), k).toFloat();

function softmaxCase(c) {
  const { params, inputs } = c;
  const [n, k] = inputs.shape;
  // Labels made by tf.oneHot are stored too, for readers: they must be what tf.oneHot makes. (A
  // mismatch stops the script; it is not a tfjs error to record.)
  const ids = inputs.target_indices_given_to_tf_oneHot;
  if (ids && JSON.stringify(tf.tidy(() => oneHot(ids, k).arraySync())) !== JSON.stringify(inputs.onehot_labels)) {
    throw new Error(`${c.id}: inputs.onehot_labels is not tf.oneHot(target_indices_given_to_tf_oneHot, ${k})`);
  }
  if (n === 0) {
    // The empty batch: only the reduced loss exists (the api field names the zero-size call).
    return run(() => ({
      loss: callLoss(tf.losses.softmaxCrossEntropy, tf.zeros([0, k]), tf.zeros([0, k]), params).arraySync(),
    }));
  }
  return run(() => {
    const logits = tf.tensor2d(inputs.logits, [n, k], 'float32');
    const ids = inputs.target_indices_given_to_tf_oneHot;
    const labels = ids ? oneHot(ids, k) : tf.tensor2d(inputs.onehot_labels, [n, k], 'float32');
    const f = (lab, lgt) => callLoss(tf.losses.softmaxCrossEntropy, lab, lgt, params);
    const eps = params.labelSmoothing;
    const [gradLabels, gradLogits] = tf.grads(f)([labels, logits]);
    return {
      loss: f(labels, logits).arraySync(),
      per_row_unweighted: tf.losses.softmaxCrossEntropy(labels, logits, undefined, eps, tf.Reduction.NONE).arraySync(),
      grad_logits: gradLogits.arraySync(),
      grad_onehot_labels: gradLabels.arraySync(),
      grad_onehot_labels_note: SOFTMAX_LABELS_GRAD_NOTE,
      smoothed_target: smoothedOnlyIfPositive(labels, eps, () => tf.div(tf.scalar(eps), tf.scalar(k))).arraySync(),
      smoothed_target_note: SOFTMAX_Q_NOTE,
    };
  });
}

function sigmoidCase(c) {
  const { params, inputs } = c;
  return run(() => {
    const logits = tf.tensor2d(inputs.logits, undefined, 'float32');
    const labels = tf.tensor2d(inputs.multi_class_labels, undefined, 'float32');
    const f = (lgt) => callLoss(tf.losses.sigmoidCrossEntropy, labels, lgt, params);
    const eps = params.labelSmoothing;
    return {
      loss: f(logits).arraySync(),
      grad_logits: tf.grad(f)(logits).arraySync(),
      smoothed_target: smoothedOnlyIfPositive(labels, eps, () => tf.mul(tf.scalar(0.5), tf.scalar(eps))).arraySync(),
      smoothed_target_note: SIGMOID_Q_NOTE,
    };
  });
}

const FILES = [
  {
    name: 'tfjs_softmax_cross_entropy.json',
    title: 'TensorFlow.js tf.losses.softmaxCrossEntropy with labelSmoothing',
    notes: [
      'q = onehot*(1-eps) + eps/numClasses with numClasses = labels.shape[1]; applied only when eps > 0 (no range check).',
      'per-row loss = -sum_c q_c * (x_c - logsumexp(x)); customGrad: dL/dx = dy*(softmax(x) - q) (assumes sum q = 1).',
      'computeWeightedLoss: NONE -> w*l; SUM -> sum(w*l); MEAN -> sum(w*l)/sum(w) [/ (losses.size/weights.size) when weights broadcast], or mean(l) without weights; SUM_BY_NONZERO_WEIGHTS (the default) -> sum(w*l)/count(w != 0), or sum(l)/losses.size without weights.  No safe division: 0/0 gives NaN.',
      'per_row_unweighted is softmaxCrossEntropy(labels, logits, undefined, eps, NONE) for the same inputs.',
    ],
    gradUpstream: 'ones (tf.grad default dy) when the loss is not a scalar',
    runCase: softmaxCase,
  },
  {
    name: 'tfjs_sigmoid_cross_entropy.json',
    title: 'TensorFlow.js tf.losses.sigmoidCrossEntropy with labelSmoothing',
    notes: [
      'q = labels*(1-eps) + 0.5*eps; elementwise loss = max(x,0) - x*q + log1p(exp(-|x|)); gradient by autodiff.',
      'Reductions as computeWeightedLoss (see the softmax file); without weights MEAN and SUM_BY_NONZERO_WEIGHTS both divide by N*K.',
    ],
    gradUpstream: 'ones when the loss is not a scalar',
    runCase: sigmoidCase,
  },
];

function framework() {
  return {
    name: 'tensorflow.js',
    '@tensorflow/tfjs': tf.version.tfjs,
    'tf.version_core (bundled)': tf.version_core,
    'tf.version (all)': { ...tf.version },
    node: process.version,
    backend: tf.getBackend(),
    dtype: 'float32',
  };
}

/** The file rebuilt: each committed case's question, tfjs's answer. */
function regenerate(spec, committed) {
  const cases = committed.cases.map((c) => {
    // Spreading the committed case keeps its key order; every answer is replaced, and so are the
    // random cases' inputs (drawn again, so that a changed draw shows in --check).
    let question = c;
    if ('random_source' in c) {
      if (c.inputs.shape[1] !== 13) throw new Error(`${c.id}: RANDOM_SOURCE describes K = 13`);
      question = { ...c, inputs: { ...c.inputs, ...randomInputs(c.inputs.shape) }, random_source: RANDOM_SOURCE };
    }
    const { outputs, error } = spec.runCase(question);
    // A case with gradients says which upstream gradient they are for (the empty batch has none).
    const next = { ...question, outputs, error };
    if (outputs && 'grad_logits' in outputs) {
      if (!('grad_upstream' in next)) throw new Error(`${c.id}: no grad_upstream slot`);
      next.grad_upstream = spec.gradUpstream;
    }
    return next;
  });
  return {
    schema: 'label-smoothing-vectors/1',
    title: spec.title,
    generator: GENERATOR,
    framework: framework(),
    notes: spec.notes,
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// Writing (test/fixtures/vectors/README.md, "Number encoding")

/** Keys whose numbers are integers (shapes, class ids), and those written as the call passed them. */
const INTEGER_KEYS = new Set(['shape', 'target_indices_given_to_tf_oneHot']);
const AS_PASSED_KEYS = new Set(['labelSmoothing']);

/** The shortest decimal that reads back as the same float32; non-finite values as strings. */
function float32(v) {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  // Inputs read back from a file are doubles near a float32; the float32 is what tfjs ran on.
  const x = Math.fround(v);
  if (Object.is(x, -0)) return '-0.0';
  let s;
  for (let p = 1; p <= 9; p++) {
    s = String(Number(x.toPrecision(p)));
    if (Math.fround(Number(s)) === x) break;
  }
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function number(v, key) {
  if (INTEGER_KEYS.has(key)) {
    if (!Number.isInteger(v)) throw new Error(`${key}: ${v} is not an integer`);
    return String(v);
  }
  if (AS_PASSED_KEYS.has(key)) return String(v);
  return float32(v);
}

const isContainer = (v) => v !== null && typeof v === 'object';

/**
 * One space of indent per level; arrays of scalars on one line, arrays of arrays one element a
 * line, a list of objects as `[{ ... }, { ... }]`.
 */
function format(v, level, key) {
  const pad = (l) => ' '.repeat(l);
  if (v === null) return 'null';
  if (typeof v === 'number') return number(v, key);
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (!v.some(isContainer)) return `[${v.map((x) => format(x, level, key)).join(', ')}]`;
    if (v.every((x) => isContainer(x) && !Array.isArray(x))) {
      const body = v.map((o) => objectBody(o, level + 2)).join(`\n${pad(level + 1)}}, {\n`);
      return `[{\n${body}\n${pad(level + 1)}}]`;
    }
    return `[\n${v.map((x) => pad(level + 1) + format(x, level + 1, key)).join(',\n')}\n${pad(level)}]`;
  }
  if (Object.keys(v).length === 0) return '{}';
  return `{\n${objectBody(v, level + 1)}\n${pad(level)}}`;
}

function objectBody(o, level) {
  return Object.entries(o)
    .map(([k, x]) => `${' '.repeat(level)}${JSON.stringify(k)}: ${format(x, level, k)}`)
    .join(',\n');
}

const serialise = (file) => `${format(file, 0, '')}\n`;

// ---------------------------------------------------------------------------------------------
// Comparing (--check)

/** Each path at which two parsed files differ (values compared as their encoded text). */
function differences(a, b, where, out) {
  const leaf = (x) => !isContainer(x);
  if (leaf(a) || leaf(b) || Array.isArray(a) !== Array.isArray(b)) {
    const key = where.split(/[.[\]]/).filter((s) => s && !/^\d+$/.test(s)).pop();
    const text = (x) => (isContainer(x) ? JSON.stringify(x) : typeof x === 'number' ? number(x, key) : JSON.stringify(x));
    if (text(a) !== text(b)) out.push(`${where}: committed ${text(a)}, tfjs ${text(b)}`);
    return out;
  }
  const keys = Array.isArray(a) ? [...Array(Math.max(a.length, b.length)).keys()] : [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    // A case is named by its id, not its position.
    const sub = Array.isArray(a) ? `${where}[${a[k]?.id ?? k}]` : `${where}.${k}`;
    if (!(k in a) || !(k in b)) out.push(`${sub}: ${k in a ? 'only in the committed file' : 'only in the regenerated one'}`);
    else differences(a[k], b[k], sub, out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const check = args.includes('--check');
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 ? path.resolve(args[outIndex + 1]) : VECTORS;

await tf.setBackend('cpu');
let failed = 0;
for (const spec of FILES) {
  const committedText = readFileSync(path.join(VECTORS, spec.name), 'utf8');
  const committed = JSON.parse(committedText);
  const text = serialise(regenerate(spec, committed));
  if (check) {
    if (text === committedText) {
      console.log(`${spec.name}: ${committed.cases.length} cases, identical`);
      continue;
    }
    const found = differences(committed, JSON.parse(text), spec.name, []);
    // The Node version is a record of the run, not a result: the numbers it could change (V8's
    // Math.exp, Math.log) are compared in the cases. Another Node is reported, not failed.
    const notes = found.filter((d) => d.startsWith(`${spec.name}.framework.node:`));
    const real = found.filter((d) => !notes.includes(d));
    for (const d of notes) console.log(`${spec.name}: note: ${d.slice(spec.name.length + 1)}`);
    if (real.length === 0 && notes.length > 0) continue;
    failed++;
    console.log(`${spec.name}: ${real.length} differences${real.length === 0 ? ' (layout only)' : ''}`);
    for (const d of real) console.log(`  ${d}`);
  } else {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, spec.name), text);
    console.log(`wrote ${path.join(outDir, spec.name)} (${committed.cases.length} cases)`);
  }
}
process.exit(failed ? 1 : 0);
