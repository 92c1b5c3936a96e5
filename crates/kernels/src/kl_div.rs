//! KL-divergence losses: PyTorch `F.kl_div` elementwise (docs/semantics.md §4) and the Annotated
//! Transformer / pyitcast `LabelSmoothing` criterion in KL form (§5), for any convention.
//!
//! Why it is shaped this way:
//! * `kl_div` needs `ln q` (or `exp t`) per element of an arbitrary target, which is not a
//!   softmax-row pattern: one elementwise vector pass with the vector log of [`crate::log`] (or
//!   the vector exp), in f32 lanes; the row sums go through f32 spans into f64 (see
//!   `SPAN_VECTORS`). (It used to be computed per element in f64 with the scalar libm log, the
//!   same code in both builds.) One deliberate difference from
//!   torch 1.13: a term with q == 0 is exactly 0 even when the input is −inf (torch gives
//!   0·(−inf) = NaN; torch 0.4 gave 0); with a log target that includes t so low that exp(t)
//!   underflows f32 (t < −103.97), whose gradient −exp(t)·scale is 0 as well. q < 0 gives NaN
//!   (xlogy of a negative number).
//! * `label_smoothing_kl` never builds the N×K target: q is `on`/`off`/0 per row, so a row
//!   costs one vectorised sum of x over the classes other than the target and the padding
//!   column (split into segments, so a −inf in a q = 0 cell never enters the sum).

use crate::checks::{check_len, checked_area};
use crate::chunks::ChunkedSums;
use crate::error::KernelError;
use crate::exp::exp;
use crate::log::{log, LogConsts};
use crate::row_io::{Forward, InPlace, RowIo, Rows, Separate};
use crate::row_passes::{segments_without, sum};
use crate::scale::{ElementScale, LossSums, RowScale};
use crate::smoothing::{target_entropy, RowTarget, Smoothing};
use crate::vector::{fill, F32Vector, Scalar};
use crate::weights::{Ones, Weights};

/// The inputs of [`kl_div`].
#[derive(Clone, Copy, Debug)]
pub struct KlDivArgs<'a> {
    pub num_rows: usize,
    pub num_classes: usize,
    /// N×K log-probabilities x.
    pub input: &'a [f32],
    /// N×K target: probabilities q, or log-probabilities t when `log_target`.
    pub target: &'a [f32],
    pub log_target: bool,
    /// The factor of each element in `scaled_sum` and in the gradient (the caller folds the
    /// reduction in: 1 for sum, 1/N for batchmean, 1/(N·K) for mean, upstream values for none).
    pub scale: ElementScale<'a>,
}

/// Elementwise KL divergence: term `q·(ln q − x)` (0 when q == 0, NaN when q < 0), or
/// `exp(t)·(t − x)` when `log_target`. Writes the terms (N×K, unscaled) to `terms` and
/// `−q·scale` (or `−exp(t)·scale`) to `grad` when given.
pub fn kl_div<V: F32Vector>(
    args: &KlDivArgs,
    terms: Option<&mut [f32]>,
    grad: Option<&mut [f32]>,
) -> Result<LossSums, KernelError> {
    let area = check_kl_args(args, args.input.len(), terms.as_deref())?;
    if let Some(g) = &grad {
        check_len(area, g.len())?;
    }
    Ok(match grad {
        Some(g) => run_kl::<V, _>(args, terms, Separate { x: args.input, g }),
        None => run_kl::<V, _>(args, terms, Forward { x: args.input }),
    })
}

/// [`kl_div`] with the gradient written over the input (`args.input` is not read; pass `&[]`).
pub fn kl_div_in_place<V: F32Vector>(
    args: &KlDivArgs,
    terms: Option<&mut [f32]>,
    input: &mut [f32],
) -> Result<LossSums, KernelError> {
    check_kl_args(args, input.len(), terms.as_deref())?;
    Ok(run_kl::<V, _>(args, terms, InPlace { g: input }))
}

fn check_kl_args(args: &KlDivArgs, input_len: usize, terms: Option<&[f32]>) -> Result<usize, KernelError> {
    let (n, k) = (args.num_rows, args.num_classes);
    let area = checked_area(n, k, input_len)?;
    check_len(area, input_len)?;
    check_len(area, args.target.len())?;
    args.scale.check(n, area)?;
    if let Some(p) = terms {
        check_len(area, p.len())?;
    }
    Ok(area)
}

fn run_kl<V: F32Vector, R: Rows>(args: &KlDivArgs, mut terms: Option<&mut [f32]>, mut rows: R) -> LossSums {
    let (n, k) = (args.num_rows, args.num_classes);
    let c = LogConsts::<V>::opaque();
    let mut sums = ChunkedSums::<2>::new(k);
    for row in 0..n {
        let range = row * k..(row + 1) * k;
        let io = rows.row(row, k);
        let t = &args.target[range.clone()];
        let out = terms.as_deref_mut().map(|o| &mut o[range.clone()]);
        let lt = args.log_target;
        // Σ scale·term: per element when the scale is, else the row's sum times its scale.
        // One call per weight type, not per scale kind: each call inlines the row loop (four
        // vector logs or exps per block, in four instances), and a call for the uniform factor
        // beside the one for per-row factors added a third of the kernel's code for what is one
        // number per row either way.
        let (sum, sum_scaled) = if let ElementScale::PerElement(s) = args.scale {
            kl_row::<V, _, _>(io, t, out, &s[range], 1.0, lt, &c)
        } else {
            let factor = match args.scale {
                ElementScale::PerRow(s) => s[row],
                ElementScale::Uniform(s) => s,
                ElementScale::PerElement(_) => unreachable!("taken above"),
            };
            kl_row::<V, _, _>(io, t, out, Ones, factor, lt, &c).map_second(|a| a * factor as f64)
        };
        sums.add(row, [sum, sum_scaled]);
    }
    let [sum, scaled_sum] = sums.finish();
    LossSums { sum, scaled_sum }
}

/// `(Σ term, ·)` → `(Σ term, f(Σ term))`: the row scale applied to the row's plain sum.
trait MapSecond {
    fn map_second(self, f: impl FnOnce(f64) -> f64) -> Self;
}

impl MapSecond for (f64, f64) {
    #[inline(always)]
    fn map_second(self, f: impl FnOnce(f64) -> f64) -> Self {
        (self.0, f(self.0))
    }
}

/// The row sums are taken in f32 vector lanes over spans of this many vectors (4 blocks of 4),
/// each span then added into f64: a span's f32 sum rounds at most 8 times on any path (4 blocks
/// in a chain, a tree of 4 vectors per block, the horizontal sum of 4 lanes; the row's tail of
/// < 16 elements likewise), so the error of a row sum stays below 8·u·Σ|terms| (u = 2^-24)
/// whatever K is, while the fold costs one horizontal sum per 16 vectors. (Summing the whole row
/// in f32 lanes would let the bound grow with K/4.)
const SPAN_VECTORS: usize = 16;

/// One row of [`kl_div`]: stores the terms (when `out`) and the gradient `−q·w·c` (when the row
/// has one), and returns `(Σ term, Σ term·w)`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn kl_row<V: F32Vector, R: RowIo, W: Weights>(
    mut io: R,
    t: &[f32],
    out: Option<&mut [f32]>,
    w: W,
    c: f32,
    log_target: bool,
    lc: &LogConsts<V>,
) -> (f64, f64) {
    // One instance per target kind and per terms-or-not, so that no branch is left in the loop.
    match (log_target, out.is_some()) {
        (true, true) => kl_row_of::<V, R, W, true, true>(&mut io, t, out, w, c, lc),
        (true, false) => kl_row_of::<V, R, W, true, false>(&mut io, t, out, w, c, lc),
        (false, true) => kl_row_of::<V, R, W, false, true>(&mut io, t, out, w, c, lc),
        (false, false) => kl_row_of::<V, R, W, false, false>(&mut io, t, out, w, c, lc),
    }
}

#[inline(always)]
fn kl_row_of<V: F32Vector, R: RowIo, W: Weights, const LOG_TARGET: bool, const TERMS: bool>(
    io: &mut R,
    t: &[f32],
    mut out: Option<&mut [f32]>,
    w: W,
    c: f32,
    lc: &LogConsts<V>,
) -> (f64, f64) {
    let (k, l) = (t.len(), V::LANES);
    assert!(w.covers(k) && io.logits().len() == k && out.as_deref().map_or(true, |o| o.len() == k));
    let neg_c = V::splat(-c);
    let zero = V::splat(0.0);
    let (mut sum, mut sum_w) = (0.0f64, 0.0f64);
    let mut start = 0;
    // Whole blocks of 4 vectors, a span at a time.
    while start + 4 * l <= k {
        let end = (start + SPAN_VECTORS * l).min(k);
        let (mut s0, mut a0) = (zero, zero);
        let stop = io.blocks::<V>(start, end, |i, x| {
            // SAFETY: i + 4·LANES ≤ end ≤ k = t.len(), covered by w (asserted).
            let (tv, wv) = unsafe {
                (
                    [0, 1, 2, 3].map(|u| V::load_unchecked(t.as_ptr().add(i + u * l))),
                    [0, 1, 2, 3].map(|u| w.vec_unchecked::<V>(i + u * l)),
                )
            };
            let qt = [0, 1, 2, 3].map(|u| element::<V, LOG_TARGET>(lc, x[u], tv[u]));
            s0 = s0.add(qt[0].1.add(qt[1].1).add(qt[2].1.add(qt[3].1)));
            a0 = a0.add(qt[0].1.mul(wv[0]).add(qt[1].1.mul(wv[1])).add(qt[2].1.mul(wv[2]).add(qt[3].1.mul(wv[3]))));
            if TERMS {
                if let Some(o) = out.as_deref_mut() {
                    for (u, (_, term)) in qt.iter().enumerate() {
                        term.store(&mut o[i + u * l..]);
                    }
                }
            }
            [0, 1, 2, 3].map(|u| qt[u].0.mul(wv[u]).mul(neg_c))
        });
        sum += s0.horizontal_sum() as f64;
        sum_w += a0.horizontal_sum() as f64;
        start = stop;
        if stop < end {
            break;
        }
    }
    // Then single vectors and the scalar tail, with the same lane arithmetic.
    let (mut s0, mut a0) = (zero, zero);
    let mut i = start;
    while i + l <= k {
        let wv = w.vec::<V>(i);
        let (q, term) = element::<V, LOG_TARGET>(lc, io.load::<V>(i), V::load(&t[i..]));
        s0 = s0.add(term);
        a0 = a0.add(term.mul(wv));
        if let Some(o) = out.as_deref_mut() {
            term.store(&mut o[i..]);
        }
        io.store(i, q.mul(wv).mul(neg_c));
        i += l;
    }
    let (mut s, mut a) = (s0.horizontal_sum(), a0.horizontal_sum());
    let sc = LogConsts::<Scalar>::opaque();
    while i < k {
        let (Scalar(q), Scalar(term)) = element::<Scalar, LOG_TARGET>(&sc, io.load::<Scalar>(i), Scalar(t[i]));
        s += term;
        a += term * w.at(i);
        if let Some(o) = out.as_deref_mut() {
            o[i] = term;
        }
        io.store(i, Scalar(q * w.at(i) * -c));
        i += 1;
    }
    (sum + s as f64, sum_w + a as f64)
}

/// `(q, term)` of every lane: `q = t`, `term = q·(ln q − x)` (ln from [`crate::log`]; q < 0 or
/// NaN gives NaN), or `q = exp(t)`, `term = q·(t − x)` when `LOG_TARGET`; in both, q == 0 gives a
/// term of exactly 0 whatever x is (x = −inf included).
#[inline(always)]
fn element<V: F32Vector, const LOG_TARGET: bool>(lc: &LogConsts<V>, x: V, t: V) -> (V, V) {
    let zero = V::splat(0.0);
    let (q, d) = if LOG_TARGET { (exp(t), t.sub(x)) } else { (t, log(lc, t).sub(x)) };
    (q, V::select(q.eq(zero), zero, q.mul(d)))
}

/// The inputs of [`label_smoothing_kl`].
#[derive(Clone, Copy, Debug)]
pub struct LabelSmoothingKlArgs<'a> {
    /// Convention (normally `Annotated`), K, ε, ignore index.
    pub smoothing: Smoothing,
    /// N×K criterion input x (log-probabilities, or whatever the caller feeds the criterion).
    pub input: &'a [f32],
    /// N class indices.
    pub targets: &'a [i32],
    /// The factor of each row's gradient (1 for the AT criterion's sum).
    pub scale: RowScale<'a>,
}

/// The KL form of label smoothing, `Σ_i Σ_k [xlogy(q_ik, q_ik) − q_ik·x_ik]` with the
/// convention's q (the Annotated Transformer `LabelSmoothing` criterion for `Annotated`); a
/// term with q = 0 is exactly 0, so x = −inf there is fine (x = −inf where q > 0 gives +inf).
/// Skipped rows (ignore index, padding target) contribute 0. Returns the sum; writes per-row
/// sums (length N) to `per_row` and `−q·scale_i` (N×K) to `grad` when given.
pub fn label_smoothing_kl<V: F32Vector>(
    args: &LabelSmoothingKlArgs,
    mut per_row: Option<&mut [f32]>,
    mut grad: Option<&mut [f32]>,
) -> Result<f64, KernelError> {
    let sm = &args.smoothing;
    sm.validate()?;
    let (n, k) = (args.targets.len(), sm.num_classes);
    let area = checked_area(n, k, args.input.len())?;
    check_len(area, args.input.len())?;
    args.scale.check(n)?;
    if let Some(p) = &per_row {
        check_len(n, p.len())?;
    }
    if let Some(g) = &grad {
        check_len(area, g.len())?;
    }
    for (row, &target) in args.targets.iter().enumerate() {
        sm.row_target(row, target)?;
    }
    let (on, off) = (sm.on_value(), sm.off_value());
    let pad = sm.zeroed_class();
    let neg_entropy = -target_entropy(sm);
    let mut total = ChunkedSums::<1>::new(k);
    for (row, &target) in args.targets.iter().enumerate() {
        let range = row * k..(row + 1) * k;
        let loss = match sm.row_target(row, target) {
            Ok(RowTarget::Smoothed { class: y }) => {
                let x = &args.input[range.clone()];
                let mut loss = neg_entropy;
                if on != 0.0 {
                    loss -= on as f64 * x[y] as f64;
                }
                if off != 0.0 {
                    let mut rest = 0.0f64;
                    for (a, b) in segments_without(k, [Some(y), pad]) {
                        rest += sum::<V>(&x[a..b]) as f64;
                    }
                    loss -= off as f64 * rest;
                }
                if let Some(g) = grad.as_deref_mut() {
                    let g = &mut g[range.clone()];
                    let scale = args.scale.at(row);
                    fill::<V>(g, -(off * scale));
                    g[y] = -(on * scale);
                    if let Some(p) = pad {
                        g[p] = -(0.0 * scale);
                    }
                }
                loss
            }
            _ => {
                if let Some(g) = grad.as_deref_mut() {
                    fill::<V>(&mut g[range.clone()], 0.0);
                }
                0.0
            }
        };
        total.add(row, [loss]);
        if let Some(p) = per_row.as_deref_mut() {
            p[row] = loss as f32;
        }
    }
    Ok(total.finish()[0])
}
