// The labelsmooth benchmark, runtime-neutral: the same module runs in Node, Bun, Deno and a
// Chromium page. Everything runtime-specific comes in through `env` (see run.mjs, node-entry.mjs,
// browser.html):
//   env.ls        the labelsmooth module namespace (dist/index.mjs or dist/browser.mjs)
//   env.tf        the @tensorflow/tfjs namespace with tfjs-backend-wasm registered, or null
//   env.lsTfjs    the labelsmooth/tfjs module namespace (dist/tfjs.mjs), or null
//   env.wasmBytes { 'relaxed-simd', simd128, scalar }: the bytes of the package's .wasm builds (for the exp bound)
//   env.glue      { 'relaxed-simd', simd128, scalar }: the wasm-bindgen glue modules of those builds
//   env.runtime   { name, version }
//   env.log(line) progress output
// The result is a plain JSON-able object (see `runBench`).
import { expSumKernel, frameBytes, invokeKernel, logSumKernel, softplusSumKernel } from './wasm-interface.generated.mjs';

const FRAME_BYTES = Math.max(...[expSumKernel, logSumKernel, softplusSumKernel].map(frameBytes));

/** The problem shapes, N×K. */
export const FULL_SHAPES = [
  [8192, 1000],
  [1024, 32000],
  [128, 256000],
];
export const QUICK_SHAPES = [
  [512, 1000],
  [16, 32000],
];

/** `"8192x1000,1024x32000"` → `[[8192, 1000], [1024, 32000]]` (the `--shapes` option of run.mjs). */
export function parseShapes(text) {
  return text.split(',').map((s) => {
    const m = /^(\d+)[x×](\d+)$/.exec(s.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new RangeError(`bench: --shapes takes N×K pairs like 8192x1000,128x256000, received "${s}"`);
    return [Number(m[1]), Number(m[2])];
  });
}

const EPS = 0.1;

/** Median, min and max of a list of milliseconds. */
function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

/** Deterministic logits in about [-8, 8], the way a trained network's look (one or two peaks). */
export function fillLogits(out, n, k) {
  let seed = 0x9e3779b9;
  for (let i = 0; i < n * k; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    out[i] = ((seed >>> 0) / 4294967296) * 12 - 8;
  }
  for (let r = 0; r < n; r++) out[r * k + ((r * 7919) % k)] += 4;
}

export function makeTargets(n, k, ignoredEvery = 0) {
  const t = new Int32Array(n);
  for (let i = 0; i < n; i++) t[i] = ignoredEvery && i % ignoredEvery === 0 ? -100 : (i * 7919) % k;
  return t;
}

/**
 * A careful plain-JS loss + gradient (what a user would write): max-subtracted log-softmax and
 * its gradient in one function, uniform label smoothing, mean over rows, Float32Array in and out,
 * no allocation per call.
 */
export function plainJsCrossEntropyWithGrad(x, targets, n, k, eps, grad) {
  const off = eps / k;
  const on = 1 - eps + off;
  const scale = 1 / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let m = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = x[o + j];
      if (v > m) m = v;
    }
    let s = 0;
    let sumD = 0;
    for (let j = 0; j < k; j++) {
      const d = x[o + j] - m;
      const e = Math.exp(d);
      grad[o + j] = e;
      s += e;
      sumD += d;
    }
    const lse = Math.log(s);
    const y = targets[i];
    // −Σ q (d − lse) with Σ q = 1: lse − off·Σd − (on − off)·d_y
    total += lse - off * sumD - (on - off) * (x[o + y] - m);
    const a = scale / s;
    const b = scale * off;
    for (let j = 0; j < k; j++) grad[o + j] = grad[o + j] * a - b;
    grad[o + y] -= scale * (on - off);
  }
  return total * scale;
}

/**
 * Times `fn`: `warmup` untimed calls, then `runs` timed ones (at least `minRuns`, more while the
 * total stays under `budgetMs`). Returns the stats in ms.
 */
function measure(fn, { warmup, runs, budgetMs, warmupMs = 0 }, afterWarmup) {
  // Engines start wasm in a baseline tier and optimise hot functions in the background: warm up
  // for a number of calls and a minimum time, whichever is longer (at most 100 calls).
  const w0 = performance.now();
  for (let i = 0; i < 100 && (i < warmup || performance.now() - w0 < warmupMs); i++) fn();
  afterWarmup?.();
  const times = [];
  const start = performance.now();
  while (times.length < runs || (performance.now() - start < budgetMs && times.length < 3 * runs)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return { ...stats(times), runs: times.length, times };
}

/** The active labelsmooth build's wasm memory size, in bytes. */
function memoryBytes(ls) {
  const probe = ls.allocFloat32(0);
  const bytes = probe.view.buffer.byteLength;
  probe.free();
  return bytes;
}

/**
 * The groups of rows `opts.only` can choose from (default: all). `threads` is not measured here
 * but by bench/threads-rows.mjs, which the entries run after this (node-entry.mjs, and in
 * Chromium a cross-origin isolated page's module worker, threads.html).
 */
export const GROUPS = ['ce', 'losses', 'js', 'tfjs', 'tfjs-ops', 'threads'];

/**
 * Runs the benchmark. `opts.quick`: tiny shapes and fewer runs; `opts.shapes`: [[N, K], ...]
 * instead; `opts.only`: a subset of GROUPS ('ce': the cross-entropy rows of labelsmooth and the
 * exp bound; 'losses': klDiv, sigmoidCrossEntropy, softCrossEntropy and their bounds, with the
 * exp bound; 'js': plain JS; 'tfjs'; 'tfjs-ops': labelsmooth/tfjs against tfjs's loss). Returns
 * `{ runtime, quick, shapes, rows: [{ shape, id, impl, variant, ms: {median,min,max,runs}, mlogitsPerS, memory? }] }`.
 */
export async function runBench(env, opts = {}) {
  const { ls, tf, runtime, log } = env;
  const quick = !!opts.quick;
  const shapes = opts.shapes ?? (quick ? QUICK_SHAPES : FULL_SHAPES);
  const timing = quick ? { warmup: 2, warmupMs: 150, runs: 5, budgetMs: 0 } : { warmup: 3, warmupMs: 300, runs: 7, budgetMs: 700 };
  const slowTiming = { warmup: 1, warmupMs: 0, runs: 5, budgetMs: 0 };
  const only = new Set(opts.only ?? GROUPS);
  const rows = [];
  const errors = [];
  let step = 0;
  const plan = shapes.length;
  const progress = (shape, what) => log(`[${runtime.name}] shape ${step}/${plan} ${shape[0]}×${shape[1]}: ${what}`);

  // The exp bound: the package's own builds, instantiated a second time through their glue so that
  // the bound exports (not part of the public API; wasm-interface.generated.mjs) can be called directly.
  // The builds this engine runs: relaxed-simd first where it has relaxed SIMD (Node 20 with V8's
  // flag, which bench/run.mjs passes), so that "relaxed × simd128" compares rows of one run.
  const backends = [...(ls.relaxedSimdSupported?.() ? ['relaxed-simd'] : []), 'simd128', 'scalar'];
  const raw = {};
  for (const b of backends) {
    if (env.glue?.[b] && env.wasmBytes?.[b]) raw[b] = env.glue[b].initSync({ module: env.wasmBytes[b] });
  }

  for (const shape of shapes) {
    step++;
    const [n, k] = shape;
    const area = n * k;
    const record = (id, impl, variant, ms, extra = {}) => {
      const row = { shape: `${n}×${k}`, n, k, id, impl, variant, ms, mlogitsPerS: area / ms.median / 1e3, ...extra };
      rows.push(row);
      progress(shape, `${impl} ${variant}: ${ms.median.toFixed(2)} ms median (${row.mlogitsPerS.toFixed(0)} M logits/s)`);
      return row;
    };
    const logitsF32 = new Float32Array(area);
    fillLogits(logitsF32, n, k);
    let shift = -Infinity;
    for (let i = 0; i < area; i++) if (logitsF32[i] > shift) shift = logitsF32[i];
    const targets = makeTargets(n, k);
    const targetsIgnored = makeTargets(n, k, 10);
    const gradF32 = new Float32Array(area);

    for (const backend of backends) {
      ls.initSync({ backend });
      if (only.has('ce')) {
        const x = ls.allocFloat32(area);
        const g = ls.allocFloat32(area);
        x.view.set(logitsF32);
        const base = { numClasses: k, labelSmoothing: EPS };
        // Memory: the size after the warm-up calls, and after the timed ones.
        let warmBytes = 0;
        const snapshot = () => (warmBytes = memoryBytes(ls));
        const memory = () => ({ firstCallsGrowthBytes: warmBytes - memBefore, grownDuringCallsBytes: memoryBytes(ls) - warmBytes, nkBlockBytes: area * 4 });
        // Kernel only: WasmArray logits and gradOut.
        const kernelOpts = { ...base, gradOut: g };
        let memBefore = memoryBytes(ls);
        const fg = measure(() => ls.crossEntropyWithGrad(x, targets, kernelOpts), timing, snapshot);
        record(`ls-${backend}-kernel`, `labelsmooth ${backend}`, 'kernel: forward+gradient (WasmArray in, gradOut WasmArray)', fg, { memory: memory() });
        const fwd = measure(() => ls.crossEntropy(x, targets, base), timing);
        record(`ls-${backend}-forward`, `labelsmooth ${backend}`, 'kernel: forward only (WasmArray in)', fwd);
        // In place: the gradient overwrites the logits, so after the first call the values are a
        // gradient's (|x| ≤ 1e-4, no subnormals); the exp is branch-free and the time the same as on
        // fresh logits (bench/probe-inplace.mjs measures both; bench/README.md).
        memBefore = memoryBytes(ls);
        const ip = measure(() => ls.crossEntropyWithGrad(x, targets, { ...base, inPlace: true }), timing, snapshot);
        record(`ls-${backend}-inplace`, `labelsmooth ${backend}`, 'kernel: forward+gradient in place (inPlace: true on a WasmArray)', ip, { memory: memory() });
        x.view.set(logitsF32);
        // Through the plain API: copy in, gradient into a caller Float32Array.
        const plainOpts = { ...base, gradOut: gradF32 };
        memBefore = memoryBytes(ls);
        const plain = measure(() => ls.crossEntropyWithGrad(logitsF32, targets, plainOpts), timing, snapshot);
        record(`ls-${backend}-plain`, `labelsmooth ${backend}`, 'plain API: forward+gradient (Float32Array in, gradOut Float32Array)', plain, { memory: memory() });
        if (backend === 'simd128') {
          // Options: every row is kernel-only forward+gradient.
          const onehotValues = ls.smoothTargets(targets, k);
          const onehot = ls.allocFloat32(area);
          onehot.view.set(onehotValues); // (a view is taken after the last allocation)
          const weight = ls.allocFloat32(k);
          weight.view.set(Float32Array.from({ length: k }, (_, i) => 0.5 + (i % 7) / 7));
          const options = [
            ['weights', 'option: class weights', () => ls.crossEntropyWithGrad(x, targets, { ...kernelOpts, weight })],
            ['ignored', 'option: 10 % ignored rows', () => ls.crossEntropyWithGrad(x, targetsIgnored, kernelOpts)],
            ['zloss', 'option: zLoss 1e-4', () => ls.crossEntropyWithGrad(x, targets, { ...kernelOpts, zLoss: 1e-4 })],
            ['annotated', "option: convention 'annotated' (paddingIdx 0)", () => ls.crossEntropyWithGrad(x, targets, { ...kernelOpts, convention: 'annotated', paddingIdx: 0 })],
            ['fairseq', "option: convention 'fairseq', reduction 'sum'", () => ls.crossEntropyWithGrad(x, targets, { ...kernelOpts, convention: 'fairseq', reduction: 'sum' })],
            ['soft', 'option: soft targets (softCrossEntropyWithGrad, N×K probs)', () => ls.softCrossEntropyWithGrad(x, onehot, { numClasses: k, labelSmoothing: EPS, gradOut: g })],
            ['onehot', 'option: one-hot labels tfjs-style (softmaxCrossEntropyWithGrad)', () => ls.softmaxCrossEntropyWithGrad(onehot, x, { numClasses: k, labelSmoothing: EPS, gradOut: g })],
          ];
          for (const [id, variant, fn] of options) {
            record(`ls-${backend}-${id}`, `labelsmooth ${backend}`, variant, measure(fn, timing));
          }
          onehot.free();
          weight.free();
        }
        x.free();
        g.free();
      }
      if (only.has('losses')) lossRows(ls, backend, n, k, logitsF32, targets, timing, record);
      // The measured SIMD-exp bound: one exp per logit (Σ exp(x − max), nothing stored), the
      // arithmetic of the kernels' exp pass and nothing else (also the soft cross-entropy's bound).
      const w = raw[backend];
      if (w && (only.has('ce') || only.has('losses'))) {
        const ptr = w.alloc(area * 4);
        const frame = w.alloc(FRAME_BYTES);
        const bound = (spec, call) => invokeKernel(w, spec, frame, call);
        new Float32Array(w.memory.buffer, ptr, area).set(logitsF32);
        const ms = measure(() => bound(expSumKernel, { x: ptr, len: area, shift }), timing);
        record(`exp-${backend}`, `exp bound ${backend}`, 'exp only: Σ exp(x − max) over N×K, the exp pass alone', ms);
        if (only.has('losses')) {
          // The KL bound: one vector log per target value; the sigmoid bound: exp and log1p per logit.
          const q = new Float32Array(w.memory.buffer, ptr, area);
          q.set(ls.smoothTargets(targets, k, { labelSmoothing: EPS }));
          const kl = measure(() => bound(logSumKernel, { x: ptr, len: area }), timing);
          record(`kl-bound-${backend}`, `log bound ${backend}`, 'log only: Σ ln q over the N×K target, the klDiv bound', kl);
          new Float32Array(w.memory.buffer, ptr, area).set(logitsF32);
          const sp = measure(() => bound(softplusSumKernel, { x: ptr, len: area }), timing);
          record(`sigmoid-bound-${backend}`, `exp+log bound ${backend}`, 'exp+log only: Σ log1p(exp(−|x|)) over N×K, the sigmoid bound', sp);
        }
        w.dealloc(ptr, area * 4);
        w.dealloc(frame, FRAME_BYTES);
      }
    }
    ls.initSync({ backend: 'simd128' });

    // Plain JS.
    if (only.has('js')) {
      const ms = measure(() => plainJsCrossEntropyWithGrad(logitsF32, targets, n, k, EPS, gradF32), slowTiming);
      record('plain-js', 'plain JS', 'forward+gradient (Float32Array, one careful function)', ms);
    }

    // tfjs: wasm backend at every shape, cpu at the smallest only (seconds per call).
    if (tf && only.has('tfjs')) {
      const backends = shape === shapes[0] ? ['wasm', 'cpu'] : ['wasm'];
      for (const tb of backends) {
        try {
          await tf.setBackend(tb);
          await tf.ready();
          const xt = tf.tensor2d(logitsF32, [n, k]);
          const tt = tf.tensor1d(targets, 'int32');
          // oneHot(..., 'float32') gives wrong values on tfjs-wasm 4.22: one-hot as int32, then cast.
          const vg = tf.valueAndGrad((lg) => tf.losses.softmaxCrossEntropy(tf.oneHot(tt, k).cast('float32'), lg, undefined, EPS));
          const run = () =>
            tf.tidy(() => {
              const { value, grad } = vg(xt);
              value.dataSync();
              grad.dataSync();
            });
          const ms = measure(run, slowTiming);
          record(`tfjs-${tb}`, `tfjs-${tb}`, 'forward+gradient (tf.valueAndGrad of tf.losses.softmaxCrossEntropy, dataSync)', ms);
          xt.dispose();
          tt.dispose();
        } catch (e) {
          errors.push(`tfjs-${tb} at ${n}×${k}: ${e?.message ?? e}`);
          log(`[${runtime.name}] tfjs-${tb} failed: ${e?.message ?? e}`);
        }
      }
    }

    // labelsmooth/tfjs against tf.losses.softmaxCrossEntropy: a training step's loss and gradient
    // through tf.valueAndGrad, the one-hot labels (float32) and int32 labels made once, timed
    // until valueAndGrad returns (the cpu and wasm backends compute synchronously), and again
    // with the gradient read back (dataSync). tfjs-cpu only up to 256×32,000 (seconds per call).
    if (tf && env.lsTfjs && only.has('tfjs-ops')) {
      const lt = env.lsTfjs;
      for (const tb of area <= 256 * 32000 ? ['wasm', 'cpu'] : ['wasm']) {
        try {
          await tf.setBackend(tb);
          await tf.ready();
          const xt = tf.tensor2d(logitsF32, [n, k]);
          const tt = tf.tensor1d(targets, 'int32');
          // oneHot(..., 'float32') gives wrong values on tfjs-wasm 4.22: one-hot as int32, then cast.
          const onehot = tf.tidy(() => tf.oneHot(tt, k).cast('float32'));
          const losses = [
            ['tfjs', 'tf.losses.softmaxCrossEntropy (one-hot)', (lg) => tf.losses.softmaxCrossEntropy(onehot, lg, undefined, EPS)],
            ['ls-tfjs', 'labelsmooth/tfjs softmaxCrossEntropy (one-hot)', (lg) => lt.softmaxCrossEntropy(onehot, lg, undefined, EPS)],
            ['ls-tfjs-sparse', 'labelsmooth/tfjs sparseSoftmaxCrossEntropy (int32 labels)', (lg) => lt.sparseSoftmaxCrossEntropy(tt, lg, { labelSmoothing: EPS })],
          ];
          for (const [id, impl, loss] of losses) {
            const vg = tf.valueAndGrad(loss);
            for (const read of [false, true]) {
              const step = () =>
                tf.tidy(() => {
                  const { value, grad } = vg(xt);
                  if (read) {
                    value.dataSync();
                    grad.dataSync();
                  }
                });
              const variant = `tf.valueAndGrad on tfjs-${tb}${read ? ', gradient read back' : ''}`;
              record(`${id}-${tb}${read ? '-read' : ''}`, impl, variant, measure(step, slowTiming), { tfjsBackend: tb, readBack: read });
            }
          }
          lt.releaseBuffers();
          tf.dispose([xt, tt, onehot]);
        } catch (e) {
          errors.push(`labelsmooth/tfjs on tfjs-${tb} at ${n}×${k}: ${e?.message ?? e}`);
          log(`[${runtime.name}] labelsmooth/tfjs on tfjs-${tb} failed: ${e?.message ?? e}`);
        }
      }
    }
  }

  // labelsmooth/tfjs × tfjs: the same backend, the same read-back.
  for (const r of rows.filter((r) => r.id.startsWith('ls-tfjs'))) {
    const base = rows.find((b) => b.shape === r.shape && b.id === `tfjs-${r.tfjsBackend}${r.readBack ? '-read' : ''}`);
    if (base) r.speedupOverTfjs = base.ms.median / r.ms.median;
  }

  // Ratios within this run, per shape.
  for (const shape of new Set(rows.map((r) => r.shape))) {
    const at = (id) => rows.find((r) => r.shape === shape && r.id === id);
    const kernel = at('ls-simd128-kernel');
    for (const r of rows.filter((r) => r.shape === shape)) {
      if (kernel && r !== kernel) r.kernelSpeedupOverThis = r.ms.median / kernel.ms.median;
    }
    const bound = at('exp-simd128');
    const fwd = at('ls-simd128-forward');
    if (bound && fwd) fwd.fractionOfExpBound = bound.ms.median / fwd.ms.median;
    if (bound && kernel) kernel.fractionOfExpBound = bound.ms.median / kernel.ms.median;
    // The relaxed-simd build against simd128 (fwd+grad, forward, the exp bound), and its forward
    // pass against its own exp bound.
    const relaxed = at('ls-relaxed-simd-kernel');
    if (relaxed && kernel) relaxed.speedupOverSimd128 = kernel.ms.median / relaxed.ms.median;
    const relaxedFwd = at('ls-relaxed-simd-forward');
    if (relaxedFwd && fwd) relaxedFwd.speedupOverSimd128 = fwd.ms.median / relaxedFwd.ms.median;
    const relaxedBound = at('exp-relaxed-simd');
    if (relaxedBound && bound) relaxedBound.speedupOverSimd128 = bound.ms.median / relaxedBound.ms.median;
    if (relaxedBound && relaxedFwd) relaxedFwd.fractionOfExpBound = relaxedBound.ms.median / relaxedFwd.ms.median;
    if (relaxedBound && relaxed) relaxed.fractionOfExpBound = relaxedBound.ms.median / relaxed.ms.median;
    const plain = at('ls-simd128-plain');
    for (const base of ['tfjs-wasm', 'plain-js']) {
      const b = at(base);
      if (!b) continue;
      if (kernel) kernel[`speedupOver_${base}`] = b.ms.median / kernel.ms.median;
      if (plain) plain[`speedupOver_${base}`] = b.ms.median / plain.ms.median;
    }
  }
  for (const shape of new Set(rows.map((r) => r.shape))) {
    const at = (id) => rows.find((r) => r.shape === shape && r.id === id);
    for (const [loss, bound] of LOSS_BOUNDS) {
      const simd = at(`${loss}-simd128`);
      const scalar = at(`${loss}-scalar`);
      if (simd && scalar) simd.speedupOverScalar = scalar.ms.median / simd.ms.median;
      const relaxed = at(`${loss}-relaxed-simd`);
      if (simd && relaxed) relaxed.speedupOverSimd128 = simd.ms.median / relaxed.ms.median;
      for (const b of ['relaxed-simd', 'simd128', 'scalar']) {
        const r = at(`${loss}-${b}`);
        const bd = at(`${bound}-${b}`);
        if (r && bd) r.fractionOfBound = bd.ms.median / r.ms.median;
      }
    }
  }
  return {
    runtime,
    quick,
    shapes: shapes.map(([n, k]) => `${n}×${k}`),
    versions: { labelsmooth: env.lsVersion ?? null, tfjs: tf?.version_core ?? tf?.version?.['tfjs-core'] ?? null, tfjsWasmThreads: env.tfThreads ?? null },
    errors,
    rows,
  };
}

/** Each other loss's row id prefix and the id prefix of its bound row. */
export const LOSS_BOUNDS = [
  ['kl', 'kl-bound'],
  ['sigmoid', 'sigmoid-bound'],
  ['soft', 'exp'],
];

/**
 * The other losses, kernel style (WasmArray inputs, gradOut), for one build: klDivWithGrad against
 * label-smoothed targets (all q > 0, so every element takes a log), sigmoidCrossEntropyWithGrad
 * against 0/1 labels, softCrossEntropyWithGrad against the smoothed targets.
 */
function lossRows(ls, backend, n, k, logitsF32, targets, timing, record) {
  const area = n * k;
  const smoothed = ls.smoothTargets(targets, k, { labelSmoothing: EPS });
  const onehot01 = new Float32Array(area);
  for (let i = 0; i < n; i++) onehot01[i * k + targets[i]] = 1;
  const x = ls.allocFloat32(area);
  const g = ls.allocFloat32(area);
  const q = ls.allocFloat32(area);
  const y = ls.allocFloat32(area);
  // (views are taken after the last allocation: an allocation may grow the memory)
  x.view.set(logitsF32);
  q.view.set(smoothed);
  y.view.set(onehot01);
  const impl = `labelsmooth ${backend}`;
  record(`kl-${backend}`, impl, "klDivWithGrad, 'batchmean' (WasmArray input and target, gradOut)", measure(() => ls.klDivWithGrad(x, q, { numClasses: k, reduction: 'batchmean', gradOut: g }), timing));
  record(`sigmoid-${backend}`, impl, 'sigmoidCrossEntropyWithGrad, ε = 0.1 (WasmArray labels and logits, gradOut)', measure(() => ls.sigmoidCrossEntropyWithGrad(y, x, { numClasses: k, labelSmoothing: EPS, gradOut: g }), timing));
  record(`soft-${backend}`, impl, 'softCrossEntropyWithGrad, ε = 0.1 (WasmArray logits and probs, gradOut)', measure(() => ls.softCrossEntropyWithGrad(x, q, { numClasses: k, labelSmoothing: EPS, gradOut: g }), timing));
  for (const a of [x, g, q, y]) a.free();
}
