//! The float64 reference of every loss, written from docs/semantics.md (§2 cross-entropy, §3 soft
//! targets, §4 KL divergence, §5 the KL form of label smoothing, §7 sigmoid), for the Rust tests:
//! the kernels' own (crates/kernels/tests/losses.rs) and the property tests
//! (crates/property-tests). Naive on purpose: the definitions element by element, in f64, with
//! no vectors, no fused passes and no reordering tricks, so that it shares none of the kernels'
//! float32 shortcuts. Where the kernels round a parameter to f32 by definition (the smoothed
//! values `on` and `off`), the reference starts from the same f32 value, so that a comparison
//! measures the kernels' arithmetic, not the rounding of their inputs.

use labelsmooth_kernels::Smoothing;

/// PyTorch's reductions of the class-index cross-entropy, as the tests name them. The kernel
/// reduces nothing itself: the package's losses/reduction.ts chooses its `grad_scale` and divides
/// its sum; [`Reduction::grad_scale`] and [`Reduction::reduce`] restate that rule for the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    None,
    Sum,
    /// Σ L_i / D; D = 0 makes the loss and every gradient NaN, as in PyTorch.
    Mean,
}

impl Reduction {
    /// The kernel's `grad_scale` for an upstream of 1, D being the mean's divisor.
    pub fn grad_scale(self, d: f64) -> f64 {
        match self {
            Reduction::Mean if d == 0.0 => f64::NAN,
            Reduction::Mean => 1.0 / d,
            Reduction::None | Reduction::Sum => 1.0,
        }
    }
    /// The reduced loss from the kernel's sum.
    pub fn reduce(self, sum: f64, d: f64) -> f64 {
        match self {
            Reduction::Mean if d == 0.0 => f64::NAN,
            Reduction::Mean => sum / d,
            Reduction::None | Reduction::Sum => sum,
        }
    }
}

/// The tests' random inputs: xorshift64*, seeded by each test so that a failure reproduces.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi), rounded to f32.
    pub fn range(&mut self, lo: f64, hi: f64) -> f32 {
        (lo + (hi - lo) * self.unit()) as f32
    }
    /// Uniform in [0, n).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `ln softmax(x)` of one row, and `lse = logsumexp(x)`.
pub fn log_softmax(x: &[f32]) -> (Vec<f64>, f64) {
    let m = x.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
    let s: f64 = x.iter().map(|&v| (v as f64 - m).exp()).sum();
    (x.iter().map(|&v| (v as f64 - m) - s.ln()).collect(), m + s.ln())
}

/// The smoothed target row q of class index `target` (docs/semantics.md §1), from the
/// kernel's f32 `on`/`off`; None when the row is skipped (the ignore index, or the padding class).
pub fn target_row(sm: &Smoothing, target: i32) -> Option<Vec<f64>> {
    if target == sm.ignore_index || sm.zeroed_class() == Some(target as usize) {
        return None;
    }
    let mut q = vec![sm.off_value() as f64; sm.num_classes];
    q[target as usize] = sm.on_value() as f64;
    if let Some(p) = sm.zeroed_class() {
        q[p] = 0.0;
    }
    Some(q)
}

/// What [`cross_entropy`] computes.
pub struct CrossEntropy {
    /// The reduced loss (Σ L_i, or Σ L_i / D for the mean).
    pub loss: f64,
    /// L_i per row (0 for skipped rows).
    pub per_row: Vec<f64>,
    /// dloss/dx (N×K), each row times its upstream factor.
    pub grad: Vec<f64>,
    /// Σ_i −w_{y_i}·ℓ_{i,y_i} over the non-skipped rows.
    pub nll: f64,
    /// Σ_i −Σ_{k≠pad} w_k·ℓ_ik over the non-skipped rows.
    pub smooth: f64,
    /// D = Σ_{non-skipped i} w_{y_i}.
    pub denominator: f64,
}

/// Class-index cross-entropy (docs/semantics.md §2): `L_i = −Σ_k w_k q_ik ℓ_ik + z·lse_i²` with
/// `ℓ = log_softmax(x_i)` (a term with q = 0 is 0 whatever ℓ is), the gradient
/// `u_i·r·(softmax(x_i)·(Σ_k w_k q_ik + 2z·lse_i) − w·q_i)` with `u_i` the upstream factor
/// (`upstream[i]`, or 1) and r = 1/D for the mean (else 1).
pub fn cross_entropy(
    sm: &Smoothing,
    x: &[f32],
    targets: &[i32],
    weights: Option<&[f32]>,
    z: f64,
    reduction: Reduction,
    upstream: Option<&[f32]>,
) -> CrossEntropy {
    let (n, k) = (targets.len(), sm.num_classes);
    let w = |c: usize| weights.map_or(1.0, |w| w[c] as f64);
    let denominator: f64 = targets.iter().filter(|&&y| target_row(sm, y).is_some()).map(|&y| w(y as usize)).sum();
    let reduction_scale = if reduction == Reduction::Mean { 1.0 / denominator } else { 1.0 };
    let (mut per_row, mut grad) = (vec![0.0; n], vec![0.0; n * k]);
    let (mut nll, mut smooth) = (0.0, 0.0);
    for (i, &y) in targets.iter().enumerate() {
        let Some(q) = target_row(sm, y) else { continue };
        let (l, lse) = log_softmax(&x[i * k..(i + 1) * k]);
        let (mut loss, mut mass) = (0.0, 0.0);
        for j in 0..k {
            if q[j] != 0.0 {
                loss -= w(j) * q[j] * l[j];
            }
            mass += w(j) * q[j];
        }
        per_row[i] = loss + z * lse * lse;
        nll -= w(y as usize) * l[y as usize];
        smooth -= (0..k).filter(|&j| Some(j) != sm.zeroed_class()).map(|j| w(j) * l[j]).sum::<f64>();
        let scale = upstream.map_or(1.0, |u| u[i] as f64) * reduction_scale;
        for j in 0..k {
            grad[i * k + j] = scale * (l[j].exp() * (mass + 2.0 * z * lse) - w(j) * q[j]);
        }
    }
    let total: f64 = per_row.iter().sum();
    let loss = if reduction == Reduction::Mean { total / denominator } else { total };
    CrossEntropy { loss, per_row, grad, nll, smooth, denominator }
}

/// What [`soft_cross_entropy`] computes, per row i.
pub struct SoftCrossEntropy {
    /// `L_i = −Σ_k w_k q_ik ℓ_ik`.
    pub per_row: Vec<f64>,
    /// `scale_i·(softmax(x_i)·Σ_k w_k q_ik − w·q_i)` (N×K).
    pub grad: Vec<f64>,
    /// `Σ_k |w_k q_ik ℓ_ik|`: the size of the terms of `L_i`, for tolerances.
    pub magnitude: Vec<f64>,
    /// `Σ_k w_k q_ik`.
    pub mass: Vec<f64>,
}

/// Cross-entropy against probability targets `t` (N×K, rows need not sum to 1) smoothed as
/// `q = t·(1−ε) + ε/K` (docs/semantics.md §3, §6), with the kernel's f32 arithmetic for q:
/// `(1−ε)` and `ε/K` rounded to f32 once, `t·a + b` in f32. Each term is the product `w·q·ℓ`, so
/// q = 0 against ℓ = −∞ gives NaN, as PyTorch's elementwise `q·ℓ`.
pub fn soft_cross_entropy(
    k: usize,
    x: &[f32],
    t: &[f32],
    epsilon: f64,
    weights: Option<&[f32]>,
    scale: &[f32],
) -> SoftCrossEntropy {
    let n = x.len() / k;
    let (a, b) = ((1.0 - epsilon) as f32, (epsilon / k as f64) as f32);
    let mut out =
        SoftCrossEntropy { per_row: vec![0.0; n], grad: vec![0.0; n * k], magnitude: vec![0.0; n], mass: vec![0.0; n] };
    for i in 0..n {
        let (l, _) = log_softmax(&x[i * k..(i + 1) * k]);
        let wq: Vec<f64> =
            (0..k).map(|j| weights.map_or(1.0, |w| w[j] as f64) * (t[i * k + j] * a + b) as f64).collect();
        out.per_row[i] = -(0..k).map(|j| wq[j] * l[j]).sum::<f64>();
        out.magnitude[i] = (0..k).map(|j| (wq[j] * l[j]).abs()).sum();
        out.mass[i] = wq.iter().sum();
        for j in 0..k {
            out.grad[i * k + j] = scale[i] as f64 * (l[j].exp() * out.mass[i] - wq[j]);
        }
    }
    out
}

/// Sigmoid cross-entropy of one element against the smoothed label `q` (docs/semantics.md §7):
/// `(max(x, 0) − x·q + log1p(exp(−|x|)), σ(x) − q)`, the loss and its derivative.
pub fn sigmoid_cross_entropy(x: f32, q: f64) -> (f64, f64) {
    let x = x as f64;
    (x.max(0.0) - x * q + (-x.abs()).exp().ln_1p(), 1.0 / (1.0 + (-x).exp()) - q)
}

/// One element of `F.kl_div` (docs/semantics.md §4): `(q, term)` with `q = t` and
/// `term = q·(ln q − x)`, or with a log target `q = exp(t)` and `term = q·(t − x)`. A q of 0 gives
/// a term of exactly 0 whatever x is (the deliberate difference of §10), and so does a log target
/// whose exp underflows f32 (t < −103.97: the kernel's q is 0 there); q < 0 gives NaN.
pub fn kl_div_term(x: f32, t: f32, log_target: bool) -> (f64, f64) {
    let (x, t) = (x as f64, t as f64);
    let (q, d) = if log_target { (t.exp(), t - x) } else { (t, t.ln() - x) };
    let q = if (q as f32) == 0.0 { 0.0 } else { q };
    (q, if q == 0.0 { 0.0 } else { q * d })
}

/// The KL form of label smoothing (docs/semantics.md §5): `Σ_i Σ_k xlogy(q_ik, q_ik) − q_ik·x_ik`
/// over the non-skipped rows, a term with q = 0 exactly 0.
pub fn label_smoothing_kl(sm: &Smoothing, x: &[f32], targets: &[i32]) -> f64 {
    let k = sm.num_classes;
    let mut total = 0.0;
    for (i, &y) in targets.iter().enumerate() {
        let Some(q) = target_row(sm, y) else { continue };
        for (j, &qj) in q.iter().enumerate() {
            if qj != 0.0 {
                total += qj * (qj.ln() - x[i * k + j] as f64);
            }
        }
    }
    total
}
