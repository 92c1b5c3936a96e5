// A float64 reference implementation of the losses, written from docs/semantics.md (the
// section numbers below refer to it), independently of labelsmooth's code. Every function takes
// plain numbers (float32 inputs are exact in float64), computes in float64 and returns float64.
//
// Where the frameworks differ, the reference follows what labelsmooth is specified to do:
//  * class-index cross-entropy ('uniform'): PyTorch F.cross_entropy (§2), including its two
//    separately divided quotients for 'mean' and NaN when the divisor is 0;
//  * 'fairseq' / 'annotated': the cross-entropy H(q, p) with those conventions' q (§1, §5, §8);
//    terms whose target is exactly 0 contribute 0;
//  * soft targets: PyTorch probability targets (§3), the product is taken literally (0·(−inf) = NaN);
//  * tfjs softmaxCrossEntropy / sigmoidCrossEntropy with computeWeightedLoss (§6, §7);
//  * kl_div (§4) except that a term whose target is 0 contributes exactly 0 (deliberate);
//  * the Annotated Transformer criterion (§5) with the same exact-zero rule.
// Every gradient is the TRUE derivative of the returned loss (p·Σ_j w_j q_j − w_k q_k, scaled).

export type Nums = ArrayLike<number>;

export interface LogSoftmaxOptions {
  /** Round x − max to float32 before exponentiating, as a max-first float32 kernel does (so that
   * x − max overflows to −Infinity exactly where it does in float32, e.g. −3e38 − 3e38). */
  f32Shift?: boolean;
}

export interface LogSoftmaxRow {
  /** ℓ_k = (x_k − m) − log Σ_j exp(x_j − m). */
  logp: Float64Array;
  /** p_k = exp(ℓ_k). */
  p: Float64Array;
  /** logsumexp(x) = m + log Σ_j exp(x_j − m). */
  lse: number;
}

/** Max-subtracted log-softmax of one row (§0, §11). NaN or +Inf anywhere, or an all −Inf row, gives NaN. */
export function logSoftmaxRow(x: Nums, offset: number, k: number, opts: LogSoftmaxOptions = {}): LogSoftmaxRow {
  let m = -Infinity;
  let nan = false;
  for (let j = 0; j < k; j++) {
    const v = x[offset + j];
    if (Number.isNaN(v)) nan = true;
    else if (v > m) m = v;
  }
  const logp = new Float64Array(k);
  const p = new Float64Array(k);
  if (nan || m === Infinity || m === -Infinity) {
    logp.fill(NaN);
    p.fill(NaN);
    return { logp, p, lse: nan || m === -Infinity ? (nan ? NaN : -Infinity) : Infinity };
  }
  const shifted = new Float64Array(k);
  let s = 0;
  for (let j = 0; j < k; j++) {
    let d = x[offset + j] - m;
    if (opts.f32Shift) d = Math.fround(d);
    shifted[j] = d;
    s += Math.exp(d);
  }
  const logS = Math.log(s);
  for (let j = 0; j < k; j++) {
    logp[j] = shifted[j] - logS;
    p[j] = Math.exp(logp[j]);
  }
  return { logp, p, lse: m + logS };
}

/** Row-major log-softmax of an N×K matrix. */
export function logSoftmax(x: Nums, k: number, opts: LogSoftmaxOptions = {}): Float64Array {
  const n = x.length / k;
  const out = new Float64Array(x.length);
  for (let i = 0; i < n; i++) out.set(logSoftmaxRow(x, i * k, k, opts).logp, i * k);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Smoothed targets (§1)

export type Convention = 'uniform' | 'fairseq' | 'annotated';

export interface TargetOptions {
  labelSmoothing?: number;
  convention?: Convention;
  paddingIdx?: number;
  ignoreIndex?: number;
}

/** Whether row i contributes nothing: its target is ignoreIndex, or (annotated) paddingIdx. */
export function skipped(t: number, opts: TargetOptions): boolean {
  if (t === (opts.ignoreIndex ?? -100)) return true;
  return opts.convention === 'annotated' && t === opts.paddingIdx;
}

/** q for one integer target (a zero row when the row is skipped). */
export function smoothedRow(t: number, k: number, opts: TargetOptions): Float64Array {
  const eps = opts.labelSmoothing ?? 0;
  const q = new Float64Array(k);
  if (skipped(t, opts)) return q;
  switch (opts.convention ?? 'uniform') {
    case 'uniform':
      q.fill(eps / k);
      q[t] = 1 - eps + eps / k;
      break;
    case 'fairseq':
      q.fill(eps / (k - 1));
      q[t] = 1 - eps;
      break;
    case 'annotated':
      q.fill(eps / (k - 2));
      q[t] = 1 - eps;
      q[opts.paddingIdx!] = 0;
      break;
  }
  return q;
}

export function smoothTargetsRef(target: Nums, k: number, opts: TargetOptions = {}): Float64Array {
  const out = new Float64Array(target.length * k);
  for (let i = 0; i < target.length; i++) out.set(smoothedRow(target[i], k, opts), i * k);
  return out;
}

/** Entropy H(q) = −Σ q log q of one row, with 0·log 0 = 0. */
export function entropy(q: Nums): number {
  let h = 0;
  for (let j = 0; j < q.length; j++) if (q[j] !== 0) h -= q[j] * Math.log(q[j]);
  return h;
}

// ---------------------------------------------------------------------------------------------
// Class-index cross-entropy (§2 PyTorch for 'uniform'; §1/§5/§8 conventions), with z-loss (§9)

export type TorchReduction = 'none' | 'mean' | 'sum';

export interface CrossEntropyRefOptions extends TargetOptions {
  weight?: Nums;
  reduction?: TorchReduction;
  zLoss?: number;
  /** For 'none': the incoming gradient per row (default ones). */
  upstream?: Nums;
  logSoftmax?: LogSoftmaxOptions;
}

export interface LossAndGrad<L = number | Float64Array> {
  loss: L;
  grad: Float64Array;
}

export function crossEntropyRef(logits: Nums, target: Nums, k: number, opts: CrossEntropyRefOptions = {}): LossAndGrad {
  const n = target.length;
  const eps = opts.labelSmoothing ?? 0;
  const convention = opts.convention ?? 'uniform';
  const w = opts.weight;
  const wk = (j: number) => (w ? w[j] : 1);
  const z = opts.zLoss ?? 0;
  const reduction = opts.reduction ?? 'mean';

  const perRow = new Float64Array(n);
  const rowGrad = new Float64Array(n * k); // ∂L_i/∂x_i (unscaled)
  const skip = new Array<boolean>(n);
  // PyTorch's two terms ('uniform'), kept apart for its 'mean' (§2).
  let nllSum = 0;
  let smoothSum = 0;
  let restSum = 0; // every other convention's row losses, and the z-loss terms
  let d = 0;

  for (let i = 0; i < n; i++) {
    const t = target[i];
    skip[i] = skipped(t, opts);
    if (skip[i]) continue;
    d += wk(t);
    const { logp, p, lse } = logSoftmaxRow(logits, i * k, k, opts.logSoftmax);
    const q = smoothedRow(t, k, opts);
    let loss: number;
    if (convention === 'uniform') {
      // Literal PyTorch: (1−ε)·nll + (ε/K)·smooth; the smoothing term only exists when ε > 0.
      const nll = -wk(t) * logp[t];
      let smooth = 0;
      if (eps > 0) for (let j = 0; j < k; j++) smooth -= wk(j) * logp[j];
      loss = (1 - eps) * nll + (eps > 0 ? (eps / k) * smooth : 0);
      nllSum += nll;
      smoothSum += smooth;
    } else {
      loss = 0;
      for (let j = 0; j < k; j++) if (q[j] !== 0) loss -= wk(j) * q[j] * logp[j];
      restSum += loss;
    }
    let sumWq = 0;
    for (let j = 0; j < k; j++) sumWq += wk(j) * q[j];
    for (let j = 0; j < k; j++) rowGrad[i * k + j] = p[j] * sumWq - wk(j) * q[j];
    if (z !== 0) {
      loss += z * lse * lse;
      restSum += z * lse * lse;
      for (let j = 0; j < k; j++) rowGrad[i * k + j] += 2 * z * lse * p[j];
    }
    perRow[i] = loss;
  }

  const grad = new Float64Array(n * k);
  const scaleRows = (scale: (i: number) => number) => {
    for (let i = 0; i < n; i++) {
      if (skip[i]) continue;
      const s = scale(i);
      for (let j = 0; j < k; j++) grad[i * k + j] = s * rowGrad[i * k + j];
    }
  };
  if (reduction === 'none') {
    scaleRows((i) => (opts.upstream ? opts.upstream[i] : 1));
    return { loss: perRow, grad };
  }
  if (reduction === 'sum') {
    scaleRows(() => 1);
    let s = 0;
    for (let i = 0; i < n; i++) s += perRow[i];
    return { loss: s, grad };
  }
  // 'mean': divide by D = Σ w_{y_i} over rows that are not skipped; PyTorch divides its two terms
  // separately, so 0/0 in either gives NaN; the gradient of a non-skipped row is then NaN (§2).
  let loss: number;
  if (convention === 'uniform') {
    loss = (1 - eps) * (nllSum / d) + (eps > 0 ? (eps / k) * (smoothSum / d) : 0) + (z !== 0 ? restSum / d : 0);
  } else {
    loss = restSum / d;
  }
  scaleRows(() => (d === 0 ? NaN : 1 / d));
  return { loss, grad };
}

// ---------------------------------------------------------------------------------------------
// PyTorch probability targets (§3)

export interface SoftCrossEntropyRefOptions {
  labelSmoothing?: number;
  weight?: Nums;
  reduction?: TorchReduction;
  upstream?: Nums;
  logSoftmax?: LogSoftmaxOptions;
}

export function softCrossEntropyRef(logits: Nums, probs: Nums, k: number, opts: SoftCrossEntropyRefOptions = {}): LossAndGrad {
  const n = logits.length / k;
  const eps = opts.labelSmoothing ?? 0;
  const w = opts.weight;
  const reduction = opts.reduction ?? 'mean';
  const perRow = new Float64Array(n);
  const grad = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const { logp, p } = logSoftmaxRow(logits, i * k, k, opts.logSoftmax);
    const q = new Float64Array(k);
    for (let j = 0; j < k; j++) q[j] = eps > 0 ? probs[i * k + j] * (1 - eps) + eps / k : probs[i * k + j];
    let loss = 0;
    let sumWq = 0;
    for (let j = 0; j < k; j++) {
      const wj = w ? w[j] : 1;
      loss -= wj * q[j] * logp[j]; // literal product: 0·(−inf) = NaN as in torch
      sumWq += wj * q[j];
    }
    perRow[i] = loss;
    const s = reduction === 'none' ? (opts.upstream ? opts.upstream[i] : 1) : reduction === 'sum' ? 1 : 1 / n;
    for (let j = 0; j < k; j++) grad[i * k + j] = s * (p[j] * sumWq - (w ? w[j] : 1) * q[j]);
  }
  if (reduction === 'none') return { loss: perRow, grad };
  let s = 0;
  for (let i = 0; i < n; i++) s += perRow[i];
  return { loss: reduction === 'sum' ? s : s / n, grad };
}

// ---------------------------------------------------------------------------------------------
// tfjs (§6, §7): computeWeightedLoss

export type TfReduction = 'none' | 'mean' | 'sum' | 'sum_by_nonzero_weights';

/**
 * tfjs computeWeightedLoss (tfjs-core/src/ops/losses/compute_weighted_loss.ts, docs/semantics.md §6.3)
 * for elementwise losses `l` (length L) and weights broadcast from `weights` (undefined, a
 * number, or an array whose length divides L: row weights are repeated over each row's
 * L/size elements). Returns the loss and dLoss/dl_e (`upstream` is the incoming gradient for
 * NONE, default ones).
 */
export function computeWeightedLossRef(
  l: Float64Array,
  weights: number | Nums | undefined,
  reduction: TfReduction,
  upstream?: Nums,
  perClass = false,
): { loss: number | Float64Array; dl: Float64Array } {
  const size = l.length;
  const wSize = weights === undefined ? 0 : typeof weights === 'number' ? 1 : weights.length;
  const per = wSize === 0 ? 1 : size / wSize; // elements per weight
  // perClass: weights of shape [1, K] broadcast over [N, K] losses (element e has class e mod K);
  // otherwise [N], [N, 1] or [N, K] weights, each repeated over `per` consecutive elements.
  const sAt = (e: number) =>
    weights === undefined ? 1 : typeof weights === 'number' ? weights : perClass ? weights[e % wSize] : weights[Math.floor(e / per)];
  const weighted = new Float64Array(size);
  for (let e = 0; e < size; e++) weighted[e] = sAt(e) * l[e];
  const dl = new Float64Array(size);
  let total = 0;
  for (let e = 0; e < size; e++) total += weighted[e];
  switch (reduction) {
    case 'none':
      for (let e = 0; e < size; e++) dl[e] = sAt(e) * (upstream ? upstream[e] : 1);
      return { loss: weights === undefined ? l.slice() : weighted, dl };
    case 'sum':
      for (let e = 0; e < size; e++) dl[e] = sAt(e);
      return { loss: total, dl };
    case 'mean': {
      if (weights === undefined) {
        // tfjs's mean multiplies by 1/size and sums, so the mean of an empty batch is 0, not NaN
        // (vector tfjs_softmax_cross_entropy/empty_batch_eps0.1_MEAN).
        for (let e = 0; e < size; e++) dl[e] = 1 / size;
        return { loss: size === 0 ? 0 : total / size, dl };
      }
      let sumW = 0;
      for (let i = 0; i < wSize; i++) sumW += typeof weights === 'number' ? weights : weights[i];
      const factor = size / wSize; // broadcastFactor = losses.size / weights.size
      const div = factor > 1 ? sumW * factor : sumW;
      for (let e = 0; e < size; e++) dl[e] = sAt(e) / div;
      return { loss: total / div, dl };
    }
    case 'sum_by_nonzero_weights': {
      let count = size;
      if (weights !== undefined) {
        count = 0;
        for (let e = 0; e < size; e++) if (sAt(e) !== 0) count++;
      }
      for (let e = 0; e < size; e++) dl[e] = sAt(e) / count;
      return { loss: total / count, dl };
    }
  }
}

export interface TfRefOptions {
  labelSmoothing?: number;
  weights?: number | Nums;
  /** 'class': `weights` has shape [1, K] (sigmoid only); otherwise its length says its shape. */
  weightsPer?: 'row' | 'class' | 'element';
  reduction?: TfReduction;
  upstream?: Nums;
  logSoftmax?: LogSoftmaxOptions;
}

/** tfjs softmaxCrossEntropy(onehotLabels, logits, weights, ε, reduction) with the TRUE gradient. */
export function softmaxCrossEntropyRef(labels: Nums, logits: Nums, k: number, opts: TfRefOptions = {}): LossAndGrad {
  const n = logits.length / k;
  const eps = opts.labelSmoothing ?? 0;
  const perRow = new Float64Array(n);
  const rowGrad = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const { logp, p } = logSoftmaxRow(logits, i * k, k, opts.logSoftmax);
    let loss = 0;
    let sumQ = 0;
    const q = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      q[j] = eps > 0 ? labels[i * k + j] * (1 - eps) + eps / k : labels[i * k + j];
      loss -= q[j] * logp[j]; // literal, as tfjs: 0·(−inf) = NaN
      sumQ += q[j];
    }
    perRow[i] = loss;
    for (let j = 0; j < k; j++) rowGrad[i * k + j] = p[j] * sumQ - q[j];
  }
  const { loss, dl } = computeWeightedLossRef(perRow, opts.weights, opts.reduction ?? 'sum_by_nonzero_weights', opts.upstream);
  const grad = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) grad[i * k + j] = dl[i] * rowGrad[i * k + j];
  return { loss, grad };
}

/** σ(x), stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** tfjs sigmoidCrossEntropy(multiClassLabels, logits, weights, ε, reduction), gradient σ(x) − q. */
export function sigmoidCrossEntropyRef(labels: Nums, logits: Nums, opts: TfRefOptions = {}): LossAndGrad {
  const eps = opts.labelSmoothing ?? 0;
  const size = logits.length;
  const l = new Float64Array(size);
  const g = new Float64Array(size);
  for (let e = 0; e < size; e++) {
    const x = logits[e];
    const q = eps > 0 ? labels[e] * (1 - eps) + 0.5 * eps : labels[e];
    // tfjs: relu(x) − x·q + log1p(exp(−|x|)); x = +inf gives inf − inf = NaN (§7).
    l[e] = Math.max(x, 0) - x * q + Math.log1p(Math.exp(-Math.abs(x)));
    g[e] = sigmoid(x) - q;
  }
  const { loss, dl } = computeWeightedLossRef(l, opts.weights, opts.reduction ?? 'sum_by_nonzero_weights', opts.upstream, opts.weightsPer === 'class');
  const grad = new Float64Array(size);
  for (let e = 0; e < size; e++) grad[e] = dl[e] * g[e];
  return { loss, grad };
}

// ---------------------------------------------------------------------------------------------
// KL divergence (§4), with a target of 0 contributing exactly 0

export type KlReduction = 'none' | 'sum' | 'mean' | 'batchmean';

export interface KlRefOptions {
  reduction?: KlReduction;
  logTarget?: boolean;
  upstream?: Nums;
}

export function klDivRef(input: Nums, target: Nums, k: number, opts: KlRefOptions = {}): LossAndGrad {
  const size = input.length;
  const n = size / k;
  const reduction = opts.reduction ?? 'mean';
  const pointwise = new Float64Array(size);
  const dIn = new Float64Array(size);
  for (let e = 0; e < size; e++) {
    const x = input[e];
    const t = target[e];
    const q = opts.logTarget ? Math.exp(t) : t;
    if (q === 0) {
      pointwise[e] = 0; // deliberate: torch gives NaN for 0·(−inf)
    } else {
      pointwise[e] = opts.logTarget ? q * (t - x) : q * Math.log(q) - q * x;
    }
    dIn[e] = -q;
  }
  let scale = 1;
  if (reduction === 'mean') scale = 1 / size;
  if (reduction === 'batchmean') scale = 1 / n;
  const grad = new Float64Array(size);
  for (let e = 0; e < size; e++) {
    const s = reduction === 'none' ? (opts.upstream ? opts.upstream[e] : 1) : scale;
    grad[e] = s * dIn[e];
  }
  if (reduction === 'none') return { loss: pointwise, grad };
  let total = 0;
  for (let e = 0; e < size; e++) total += pointwise[e];
  return { loss: reduction === 'sum' ? total : total / (reduction === 'mean' ? size : n), grad };
}

// ---------------------------------------------------------------------------------------------
// The Annotated Transformer criterion (§5)

export interface AnnotatedRefResult {
  loss: number;
  trueDist: Float64Array;
  /** ∂loss/∂x = −trueDist. */
  gradX: Float64Array;
  /** With fromLogits: ∂loss/∂logits = p·Σq − q (p − q for non-pad rows, 0 for pad rows). */
  gradLogits?: Float64Array;
}

/** LabelSmoothing(size, paddingIdx, smoothing)(x, target): summed KL; q = 0 terms contribute 0. */
export function annotatedRef(
  xOrLogits: Nums,
  target: Nums,
  size: number,
  paddingIdx: number,
  smoothing: number,
  fromLogits = false,
): AnnotatedRefResult {
  const n = target.length;
  const opts: TargetOptions = { labelSmoothing: smoothing, convention: 'annotated', paddingIdx, ignoreIndex: Number.NaN };
  const trueDist = smoothTargetsRef(target, size, opts);
  const x = fromLogits ? logSoftmax(xOrLogits, size) : Float64Array.from(xOrLogits);
  let loss = 0;
  for (let e = 0; e < n * size; e++) {
    const q = trueDist[e];
    if (q !== 0) loss += q * Math.log(q) - q * x[e];
  }
  const gradX = trueDist.map((q) => -q);
  const result: AnnotatedRefResult = { loss, trueDist, gradX };
  if (fromLogits) {
    const gradLogits = new Float64Array(n * size);
    for (let i = 0; i < n; i++) {
      const { p } = logSoftmaxRow(xOrLogits, i * size, size);
      let sumQ = 0;
      for (let j = 0; j < size; j++) sumQ += trueDist[i * size + j];
      for (let j = 0; j < size; j++) gradLogits[i * size + j] = p[j] * sumQ - trueDist[i * size + j];
    }
    result.gradLogits = gradLogits;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Finite differences (float64, on the reference) for checking the reference's own gradients

/** Central differences of a scalar function of x, step h·max(1, |x_e|). */
export function centralDifferences(f: (x: Float64Array) => number, x: Nums, h = 1e-6): Float64Array {
  const base = Float64Array.from(x);
  const out = new Float64Array(base.length);
  for (let e = 0; e < base.length; e++) {
    const step = h * Math.max(1, Math.abs(base[e]));
    const plus = base.slice();
    const minus = base.slice();
    plus[e] += step;
    minus[e] -= step;
    out[e] = (f(plus) - f(minus)) / (2 * step);
  }
  return out;
}
