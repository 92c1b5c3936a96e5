//! Cross-entropy against soft (probability) targets: PyTorch probability targets (docs/semantics.md §3)
//! and tfjs/TF `softmaxCrossEntropy` (§6), with the uniform smoothing `q = t·(1−ε) + ε/K`.
//!
//! Why it is shaped this way: the targets are a second N×K stream, so each row reads the
//! logits and the targets once in the fused exp pass (accumulating `s = Σ e`, `Σ w·q·d` and
//! `Σ w·q` together) and once more only when a gradient is wanted (to rescale the stored `e`
//! in place: `g = scale·(p·Σ_j w_j q_j − w·q)`, the true derivative, since rows of t need not
//! sum to 1). The loss is `−Σ_k w_k q_k (d_k − ln s)` folded as `ln s·Σwq − Σwqd`: the product
//! `w·q·d` is taken per element, so `q = 0` against `d = −inf` gives NaN exactly like PyTorch's
//! elementwise `q·ℓ`. No reduction happens here: the caller passes the per-row scale (1/N for a
//! mean, tfjs sample weights, the upstream gradient) and gets both the plain and the scaled sum.
//! ε is applied as given (no range check): PyTorch refuses ε > 1 and ignores ε < 0, tfjs
//! applies any ε > 0; the TypeScript layer maps those rules.

use crate::checks::{check_len, checked_area};
use crate::chunks::ChunkedSums;
use crate::error::KernelError;
use crate::exp::{exp_nonpositive, exp_nonpositive_scalar, ExpConsts};
use crate::row_io::{Forward, InPlace, RowIo, Rows, Separate};
use crate::row_passes::row_max;
use crate::scale::{LossSums, RowScale};
use crate::vector::{F32Vector, Scalar};
use crate::weights::{Ones, Weights};

/// The inputs of [`soft_cross_entropy`].
#[derive(Clone, Copy, Debug)]
pub struct SoftCrossEntropyArgs<'a> {
    pub num_rows: usize,
    pub num_classes: usize,
    /// N×K logits, row-major.
    pub logits: &'a [f32],
    /// N×K targets t (any values; rows need not sum to 1).
    pub targets: &'a [f32],
    /// Smoothing: `q = t·(1−ε) + ε/K` (ε = 0 leaves t unchanged).
    pub epsilon: f64,
    /// Per-class weights (length K).
    pub class_weights: Option<&'a [f32]>,
    /// The factor of each row in `scaled_sum` and in the gradient.
    pub scale: RowScale<'a>,
}

/// Soft-target cross-entropy. Writes the per-row losses `L_i = −Σ_k w_k q_ik ℓ_ik` (length N,
/// not multiplied by the scale) to `per_row` and `scale_i·dL_i/dx_i` (N×K) to `grad` when
/// given. K = 0 is refused (InvalidSmoothing).
pub fn soft_cross_entropy<V: F32Vector>(
    args: &SoftCrossEntropyArgs,
    per_row: Option<&mut [f32]>,
    grad: Option<&mut [f32]>,
) -> Result<LossSums, KernelError> {
    let area = check_args(args, args.logits.len(), per_row.as_deref())?;
    if let Some(g) = &grad {
        check_len(area, g.len())?;
    }
    Ok(match grad {
        Some(g) => dispatch::<V, _>(args, per_row, Separate { x: args.logits, g }),
        None => dispatch::<V, _>(args, per_row, Forward { x: args.logits }),
    })
}

/// [`soft_cross_entropy`] with the gradient written over the logits: `logits` (N×K) holds the
/// logits on entry and the gradient on return, with no N×K temporary. `args.logits` is not read
/// (pass `&[]`). Same results as the out-of-place call, bit for bit.
pub fn soft_cross_entropy_in_place<V: F32Vector>(
    args: &SoftCrossEntropyArgs,
    per_row: Option<&mut [f32]>,
    logits: &mut [f32],
) -> Result<LossSums, KernelError> {
    check_args(args, logits.len(), per_row.as_deref())?;
    Ok(dispatch::<V, _>(args, per_row, InPlace { g: logits }))
}

fn check_args(args: &SoftCrossEntropyArgs, logits_len: usize, per_row: Option<&[f32]>) -> Result<usize, KernelError> {
    let (n, k) = (args.num_rows, args.num_classes);
    if k == 0 {
        return Err(KernelError::InvalidSmoothing);
    }
    let area = checked_area(n, k, logits_len)?;
    check_len(area, logits_len)?;
    check_len(area, args.targets.len())?;
    if let Some(w) = args.class_weights {
        check_len(k, w.len())?;
    }
    args.scale.check(n)?;
    if let Some(p) = per_row {
        check_len(n, p.len())?;
    }
    Ok(area)
}

fn dispatch<V: F32Vector, R: Rows>(args: &SoftCrossEntropyArgs, per_row: Option<&mut [f32]>, rows: R) -> LossSums {
    match args.class_weights {
        Some(w) => run::<V, &[f32], R>(args, w, per_row, rows),
        None => run::<V, Ones, R>(args, Ones, per_row, rows),
    }
}

fn run<V: F32Vector, W: Weights, R: Rows>(
    args: &SoftCrossEntropyArgs,
    w: W,
    mut per_row: Option<&mut [f32]>,
    mut rows: R,
) -> LossSums {
    let k = args.num_classes;
    let eps = args.epsilon;
    // q = t·ta + tb, both rounded once from f64 (ta = 1, tb = 0 when ε = 0).
    let (ta, tb) = ((1.0 - eps) as f32, (eps / k as f64) as f32);
    let grad = <R::Row<'_> as RowIo>::GRAD;
    let consts = ExpConsts::<V>::opaque();
    let mut sums = ChunkedSums::<2>::new(k);
    for row in 0..args.num_rows {
        let t = &args.targets[row * k..(row + 1) * k];
        let mut io = rows.row(row, k);
        let m = row_max::<V>(io.logits());
        let (s, swqd, swq) = exp_pass::<V, W, _>(&mut io, t, w, m, ta, tb, &consts);
        let ln_s = (s as f64).ln();
        // ln s = 0 exactly when the max term is the only one left: its product with an infinite
        // Σ w·q would be 0·∞.
        let loss = if ln_s == 0.0 { -(swqd as f64) } else { ln_s * swq as f64 - swqd as f64 };
        let scale = args.scale.at(row) as f64;
        sums.add(row, [loss, scale * loss]);
        if let Some(p) = per_row.as_deref_mut() {
            p[row] = loss as f32;
        }
        if grad {
            let a = (scale * swq as f64 / s as f64) as f32;
            rescale::<V, W>(io.grad(), t, w, a, scale as f32, ta, tb);
        }
    }
    let [sum, scaled_sum] = sums.finish();
    LossSums { sum, scaled_sum }
}

/// Returns `(Σ e, Σ w·q·d, Σ w·q)`, storing `e` in the gradient row when there is one.
#[inline(always)]
fn exp_pass<V: F32Vector, W: Weights, R: RowIo>(
    io: &mut R,
    t: &[f32],
    w: W,
    m: f32,
    ta: f32,
    tb: f32,
    c: &ExpConsts<V>,
) -> (f32, f32, f32) {
    let (k, l) = (t.len(), V::LANES);
    let exp = |x: V| exp_nonpositive(c, x);
    let (mv, tav, tbv) = (V::splat(m), V::splat(ta), V::splat(tb));
    let zero = V::splat(0.0);
    let (mut s0, mut a0, mut b0) = (zero, zero, zero);
    assert!(w.covers(k) && io.logits().len() == k);
    // Whole blocks of 4 vectors, bounds-check free (see `RowIo::blocks`), then single vectors.
    let mut i = io.blocks::<V>(0, k, |i, [x0, x1, x2, x3]| {
        let d = [x0.sub(mv), x1.sub(mv), x2.sub(mv), x3.sub(mv)];
        let e = d.map(exp);
        // SAFETY: i + 4·LANES ≤ k = t.len(), covered by w (asserted).
        let wq = unsafe {
            [0, 1, 2, 3].map(|u| {
                w.vec_unchecked::<V>(i + u * l).mul(V::load_unchecked(t.as_ptr().add(i + u * l)).mul_add(tav, tbv))
            })
        };
        // One accumulator per sum (a tree of adds per block): fewer live vectors, so that the exp
        // constants stay in registers (see `row_passes::exp_pass`).
        s0 = s0.add(e[0].add(e[1]).add(e[2].add(e[3])));
        a0 = a0.add(wq[1].mul_add(d[1], wq[0].mul(d[0])).add(wq[3].mul_add(d[3], wq[2].mul(d[2]))));
        b0 = b0.add(wq[0].add(wq[1]).add(wq[2].add(wq[3])));
        e
    });
    while i + l <= k {
        let d0 = io.load::<V>(i).sub(mv);
        let e0 = exp(d0);
        let wq0 = w.vec::<V>(i).mul(V::load(&t[i..]).mul_add(tav, tbv));
        io.store(i, e0);
        s0 = s0.add(e0);
        a0 = wq0.mul_add(d0, a0);
        b0 = b0.add(wq0);
        i += l;
    }
    let mut s = s0.horizontal_sum();
    let mut a = a0.horizontal_sum();
    let mut b = b0.horizontal_sum();
    while i < k {
        let d = io.load::<Scalar>(i).0 - m;
        let e = exp_nonpositive_scalar(d);
        let wq = w.at(i) * (t[i] * ta + tb);
        io.store(i, Scalar(e));
        s += e;
        a += wq * d;
        b += wq;
        i += 1;
    }
    (s, a, b)
}

/// In place: `g ← a·g − scale·w·q`, `q = t·ta + tb`, as `a·g − w·(t·(scale·ta) + scale·tb)`
/// (one multiply fewer per vector), four vectors per step.
#[inline(always)]
fn rescale<V: F32Vector, W: Weights>(g: &mut [f32], t: &[f32], w: W, a: f32, scale: f32, ta: f32, tb: f32) {
    let (k, l) = (g.len(), V::LANES);
    assert!(w.covers(k) && t.len() == k);
    let (sta, stb) = (scale * ta, scale * tb);
    let (av, stav, stbv) = (V::splat(a), V::splat(sta), V::splat(stb));
    let mut i = 0;
    let mut blocks = g.chunks_exact_mut(4 * l).zip(t.chunks_exact(4 * l));
    for (gc, tc) in &mut blocks {
        for u in 0..4 {
            // SAFETY: i + 4·LANES ≤ k, covered by w (asserted).
            let wv = unsafe { w.vec_unchecked::<V>(i + u * l) };
            let swq = wv.mul(V::load(&tc[u * l..]).mul_add(stav, stbv));
            V::load(&gc[u * l..]).mul_add(av, swq.neg()).store(&mut gc[u * l..]);
        }
        i += 4 * l;
    }
    while i < k {
        let swq = w.at(i) * (t[i] * sta + stb);
        g[i] = a * g[i] - swq;
        i += 1;
    }
}
