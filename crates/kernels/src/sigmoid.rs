//! Sigmoid (binary) cross-entropy with TF/tfjs/Keras label smoothing towards 1/2 (docs/semantics.md §7):
//! `q = y·(1−ε) + ε/2`, loss `max(x,0) − x·q + log1p(exp(−|x|))`, gradient `σ(x) − q`.
//!
//! Why it is shaped this way: it is elementwise over N·K, so one vector pass computes the loss,
//! the gradient and both sums, with a vectorised `exp` and a vectorised `log1p` on [0, 1].
//! For accuracy the f32 form avoids the cancellation in `max(x,0) − x·q`: for x ≥ 0 it is
//! `x·(1−q)` with `1−q = (1−y)·(1−ε) + ε/2` computed directly, for x < 0 it is `−x·q` (relative
//! error ≲ 5e-7 against the same formula in f64). Special values follow tfjs: x = +inf → NaN
//! (tfjs computes inf − inf), x = −inf → +inf for q > 0 (NaN for q = 0), NaN → NaN.
//! `log1p(u) = 2·atanh(u/(2+u))` by its odd series (terms up to s¹⁷/17, s ≤ 1/3: truncation
//! < 2e-10 relative), which never forms 1 + u and so keeps full relative accuracy for tiny u.

use crate::checks::{check_len, checked_area};
use crate::chunks::ChunkedSums;
use crate::error::KernelError;
use crate::exp::exp;
use crate::row_io::{Forward, InPlace, RowIo, Rows, Separate};
use crate::scale::{ElementScale, LossSums};
use crate::vector::{F32Vector, Scalar};

/// The inputs of [`sigmoid_cross_entropy`].
#[derive(Clone, Copy, Debug)]
pub struct SigmoidCrossEntropyArgs<'a> {
    pub num_rows: usize,
    pub num_classes: usize,
    /// N×K logits.
    pub logits: &'a [f32],
    /// N×K labels y (normally 0/1).
    pub labels: &'a [f32],
    /// Smoothing towards 1/2: `q = y·(1−ε) + ε/2` (applied as given).
    pub epsilon: f64,
    /// The factor of each element in `scaled_sum` and in the gradient.
    pub scale: ElementScale<'a>,
}

/// Sigmoid cross-entropy. Writes the elementwise losses (N×K, not multiplied by the scale) to
/// `losses` and `scale·(σ(x) − q)` (N×K) to `grad` when given.
pub fn sigmoid_cross_entropy<V: F32Vector>(
    args: &SigmoidCrossEntropyArgs,
    losses: Option<&mut [f32]>,
    grad: Option<&mut [f32]>,
) -> Result<LossSums, KernelError> {
    let area = check_args(args, args.logits.len(), losses.as_deref())?;
    if let Some(g) = &grad {
        check_len(area, g.len())?;
    }
    Ok(match grad {
        Some(g) => run::<V, _>(args, losses, Separate { x: args.logits, g }),
        None => run::<V, _>(args, losses, Forward { x: args.logits }),
    })
}

/// [`sigmoid_cross_entropy`] with the gradient written over the logits (`args.logits` is not
/// read; pass `&[]`): each element is read before it is written.
pub fn sigmoid_cross_entropy_in_place<V: F32Vector>(
    args: &SigmoidCrossEntropyArgs,
    losses: Option<&mut [f32]>,
    logits: &mut [f32],
) -> Result<LossSums, KernelError> {
    check_args(args, logits.len(), losses.as_deref())?;
    Ok(run::<V, _>(args, losses, InPlace { g: logits }))
}

fn check_args(args: &SigmoidCrossEntropyArgs, logits_len: usize, losses: Option<&[f32]>) -> Result<usize, KernelError> {
    let (n, k) = (args.num_rows, args.num_classes);
    let area = checked_area(n, k, logits_len)?;
    check_len(area, logits_len)?;
    check_len(area, args.labels.len())?;
    args.scale.check(n, area)?;
    if let Some(p) = losses {
        check_len(area, p.len())?;
    }
    Ok(area)
}

fn run<V: F32Vector, R: Rows>(args: &SigmoidCrossEntropyArgs, mut losses: Option<&mut [f32]>, mut rows: R) -> LossSums {
    let (n, k) = (args.num_rows, args.num_classes);
    let eps = args.epsilon;
    let c = Consts { a: (1.0 - eps) as f32, h: (0.5 * eps) as f32 };
    let mut sums = ChunkedSums::<2>::new(k);
    let l = V::LANES;
    for row in 0..n {
        let range = row * k..(row + 1) * k;
        let mut io = rows.row(row, k);
        let y = &args.labels[range.clone()];
        let mut out_l = losses.as_deref_mut().map(|o| &mut o[range.clone()]);
        let (row_scale, elem_scale) = match args.scale {
            ElementScale::Uniform(s) => (s, None),
            ElementScale::PerRow(s) => (s[row], None),
            ElementScale::PerElement(s) => (0.0, Some(&s[range.clone()])),
        };
        let zero = V::splat(0.0);
        let (mut rs, mut rss) = (0.0f64, 0.0f64);
        let mut i = 0;
        // The sums in f32 lanes over spans of SPAN_VECTORS vectors, each span added into f64, so
        // that their error does not grow with K (the unweighted reduced loss is this sum).
        while i + l <= k {
            let end = (i + SPAN_VECTORS * l).min(k);
            let (mut acc, mut acc_scaled) = (zero, zero);
            while i + l <= end {
                let (loss, gq) = element::<V>(io.load::<V>(i), V::load(&y[i..]), c);
                let sc = match elem_scale {
                    Some(s) => V::load(&s[i..]),
                    None => V::splat(row_scale),
                };
                acc = acc.add(loss);
                acc_scaled = acc_scaled.add(loss.mul(sc));
                if let Some(o) = out_l.as_deref_mut() {
                    loss.store(&mut o[i..]);
                }
                io.store(i, gq.mul(sc));
                i += l;
            }
            rs += acc.horizontal_sum() as f64;
            rss += acc_scaled.horizontal_sum() as f64;
        }
        while i < k {
            let (Scalar(loss), Scalar(gq)) = element::<Scalar>(io.load::<Scalar>(i), Scalar(y[i]), c);
            let sc = elem_scale.map_or(row_scale, |s| s[i]);
            rs += loss as f64;
            rss += (loss * sc) as f64;
            if let Some(o) = out_l.as_deref_mut() {
                o[i] = loss;
            }
            io.store(i, Scalar(gq * sc));
            i += 1;
        }
        sums.add(row, [rs, rss]);
    }
    let [sum, scaled_sum] = sums.finish();
    LossSums { sum, scaled_sum }
}

/// The length of the f32 spans of the row sums, in vectors: a span's sum rounds at most
/// 16 + 2 times on any path (≤ 18·u·Σ|losses| of the span, u = 2^-24).
const SPAN_VECTORS: usize = 16;

#[derive(Clone, Copy)]
struct Consts {
    /// 1 − ε
    a: f32,
    /// ε/2
    h: f32,
}

/// `(loss, σ(x) − q)` of every lane.
#[inline(always)]
fn element<V: F32Vector>(x: V, y: V, c: Consts) -> (V, V) {
    let one = V::splat(1.0);
    let (a, h) = (V::splat(c.a), V::splat(c.h));
    let q = y.mul(a).add(h);
    let one_minus_q = one.sub(y).mul(a).add(h);
    let u = exp(x.abs().neg());
    let negative = x.lt(V::splat(0.0));
    let linear = V::select(negative, x.neg().mul(q), x.mul(one_minus_q));
    let loss = linear.add(log1p_unit(u));
    let loss = V::select(x.eq(V::splat(f32::INFINITY)), V::splat(f32::NAN), loss);
    let inv = one.div(one.add(u));
    let sigma = V::select(negative, u.mul(inv), inv);
    (loss, sigma.sub(q))
}

/// `log1p(u)` for u in [0, 1] (see the module documentation).
#[inline(always)]
fn log1p_unit<V: F32Vector>(u: V) -> V {
    let s = u.div(V::splat(2.0).add(u));
    let s2 = s.mul(s);
    let mut p = V::splat(1.0 / 17.0);
    for c in [1.0 / 15.0, 1.0 / 13.0, 1.0 / 11.0, 1.0 / 9.0, 1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0, 1.0] {
        p = p.mul(s2).add(V::splat(c as f32));
    }
    s.add(s).mul(p)
}

/// `Σ log1p(exp(−|x|))` with exactly the `exp` and `log1p` of the kernel: the benchmark's bound
/// for the sigmoid loss (its transcendental work and nothing else).
pub fn softplus_sum<V: F32Vector>(x: &[f32]) -> f32 {
    let l = V::LANES;
    let mut acc = V::splat(0.0);
    let mut chunks = x.chunks_exact(l);
    for c in &mut chunks {
        acc = acc.add(log1p_unit(exp(V::load(c).abs().neg())));
    }
    let mut s = acc.horizontal_sum();
    for &v in chunks.remainder() {
        s += log1p_unit(exp(Scalar(-v.abs()))).0;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::Lanes4;

    /// The bound helper computes what it says: each term within ~5e-7 relative (module
    /// documentation) and at most 11 f32 additions (≤ 11·u = 6.6e-7 of the sum, all terms > 0).
    #[test]
    fn softplus_sum_matches_f64() {
        let x = [-30.0f32, -3.0, -0.5, -0.0, 0.0, 1e-8, 0.25, 1.0, 2.5, 7.0, 20.0, 88.0];
        let reference = |xs: &[f32]| xs.iter().map(|&v| (-(v as f64).abs()).exp().ln_1p()).sum::<f64>();
        // Every length and start, so bodies and tails of both types are covered.
        for (a, b) in [(0, 12), (1, 12), (0, 7), (3, 6)] {
            let want = reference(&x[a..b]);
            for got in [softplus_sum::<Scalar>(&x[a..b]), softplus_sum::<Lanes4>(&x[a..b])] {
                assert!((got as f64 - want).abs() <= 2e-6 * want, "{a}..{b}: {got} vs {want}");
            }
        }
    }
}
