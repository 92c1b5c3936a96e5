//! Fused class-index cross-entropy with label smoothing (all three conventions), class weights,
//! z-loss, ignore index, and the gradient w.r.t. the logits, under a scale the caller's reduction
//! chooses (the reductions themselves are packages/labelsmooth/src/losses/reduction.ts).
//!
//! Why it is shaped this way (docs/semantics.md §2, §5, §8, §9, §11):
//! * No N×K temporary and no materialised targets: q takes only the values `on`, `off` and 0
//!   per row, so `Σ_k w_k q_k d_k = off·Σ_{k≠pad} w_k d_k + (on−off)·w_y·d_y` and the row needs
//!   one max pass and one exp pass. When a gradient is wanted the exp pass stores `e_k` in the
//!   gradient row, and a third pass rescales it in place (`g = a·e − b·w`), then the target and
//!   padding entries are fixed scalarly.
//! * `d = x − m` is accumulated (not `x`), which keeps |x| = 1e4 exact enough (§11).
//! * `off == 0` drops the Σ term from the loss, so a −inf non-target logit at ε = 0 stays finite
//!   like PyTorch's NLL path; the padding column is excluded from the Σ by splitting the row into
//!   segments (x_pad = −inf is common, and subtracting it afterwards would give NaN).
//! * An O(N) pre-pass over the targets validates every target, so an out-of-range target is
//!   reported before any output is written; it also sums D = Σ_{non-skipped} w_{y_i}, the mean's
//!   divisor, which [`cross_entropy_denominator`] gives on its own to a caller that needs it
//!   before the call (a mean's gradient scale is 1/D).
//! * Row scalars (ln s, the loss, the gradient coefficients) are computed in f64; the totals
//!   are accumulated in f64, in the fixed order of chunks.rs (the same for any number of threads).

use crate::checks::{check_len, checked_area};
use crate::chunks::ChunkedSums;
use crate::error::KernelError;
use crate::exp::{exp_nonpositive_scalar, ExpConsts};
use crate::row_io::{Forward, InPlace, RowIo, Rows, Separate};
use crate::row_passes::{exp_pass, rescale, row_max};
use crate::scale::RowScale;
use crate::smoothing::{RowTarget, Smoothing};
use crate::vector::{fill, F32Vector, Scalar};
use crate::weights::{Ones, Weights};

/// The inputs of [`cross_entropy`].
#[derive(Clone, Copy, Debug)]
pub struct CrossEntropyArgs<'a> {
    /// Convention, K, ε and ignore index.
    pub smoothing: Smoothing,
    /// N×K logits, row-major.
    pub logits: &'a [f32],
    /// N class indices (or the ignore index).
    pub targets: &'a [i32],
    /// Per-class weights w (length K), PyTorch `weight`.
    pub class_weights: Option<&'a [f32]>,
    /// z-loss coefficient: adds `z·lse²` to every non-skipped row (0 = off).
    pub z_loss: f32,
    /// The upstream gradient of each row's loss (`Uniform(1.0)` normally; per row for an
    /// unreduced loss): the gradient of row i is multiplied by `upstream_i × grad_scale`.
    pub upstream: RowScale<'a>,
    /// The reduction's factor, in f64: 1 for a sum or no reduction, (upstream of the mean) / D
    /// for a mean.
    pub grad_scale: f64,
}

/// What [`cross_entropy`] returns. With `nll`, `smooth` and `lse_squared` the loss decomposes
/// per row as `L_i = (on − off)·nll_i + off·smooth_i + z·lse_i²` (sums over non-skipped rows).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossEntropyResult {
    /// Σ L_i over the rows that count.
    pub sum: f64,
    /// Σ_i −w_{y_i}·ℓ_{i,y_i}: the unsmoothed (weighted) NLL, fairseq's `nll_loss`.
    pub nll: f64,
    /// Σ_i −Σ_{k≠pad} w_k·ℓ_ik: PyTorch's "smooth" term (+inf when a logit is −inf).
    pub smooth: f64,
    /// Σ_i lse_i² with lse_i = logsumexp(x_i) (the z-loss before its coefficient).
    pub lse_squared: f64,
    /// D: Σ of the target-class weights of the non-skipped rows (their count without weights).
    pub denominator: f64,
}

/// Cross-entropy of `args.logits` against the smoothed class-index targets. Writes the
/// per-row losses (length N; skipped rows 0) to `per_row` and dL/dlogits (N×K; skipped rows 0)
/// to `grad` when given.
pub fn cross_entropy<V: F32Vector>(
    args: &CrossEntropyArgs,
    per_row: Option<&mut [f32]>,
    grad: Option<&mut [f32]>,
) -> Result<CrossEntropyResult, KernelError> {
    let area = check_args(args, args.logits.len(), per_row.as_deref())?;
    if let Some(g) = &grad {
        check_len(area, g.len())?;
    }
    let denominator = denominator(args)?;
    Ok(match grad {
        Some(g) => dispatch::<V, _>(args, denominator, per_row, Separate { x: args.logits, g }),
        None => dispatch::<V, _>(args, denominator, per_row, Forward { x: args.logits }),
    })
}

/// [`cross_entropy`] with the gradient written over the logits: `logits` (N×K) holds the logits
/// on entry and dL/dlogits on return (skipped rows 0), with no N×K temporary. `args.logits` is
/// not read (pass `&[]`). Same results as [`cross_entropy`] with a separate gradient, bit for bit.
/// Nothing is written when the arguments are refused.
pub fn cross_entropy_in_place<V: F32Vector>(
    args: &CrossEntropyArgs,
    per_row: Option<&mut [f32]>,
    logits: &mut [f32],
) -> Result<CrossEntropyResult, KernelError> {
    check_args(args, logits.len(), per_row.as_deref())?;
    let denominator = denominator(args)?;
    Ok(dispatch::<V, _>(args, denominator, per_row, InPlace { g: logits }))
}

/// Validates everything but the gradient; returns N·K.
fn check_args(args: &CrossEntropyArgs, logits_len: usize, per_row: Option<&[f32]>) -> Result<usize, KernelError> {
    let sm = &args.smoothing;
    sm.validate()?;
    let (n, k) = (args.targets.len(), sm.num_classes);
    let area = checked_area(n, k, logits_len)?;
    check_len(area, logits_len)?;
    if let Some(w) = args.class_weights {
        check_len(k, w.len())?;
    }
    args.upstream.check(n)?;
    if let Some(p) = per_row {
        check_len(n, p.len())?;
    }
    Ok(area)
}

/// O(N) pre-pass: validates every target, and returns D.
fn denominator(args: &CrossEntropyArgs) -> Result<f64, KernelError> {
    cross_entropy_denominator(&args.smoothing, args.targets, args.class_weights)
}

/// D, the divisor of the mean: Σ w[target] over the rows that count (every row whose target is
/// neither ignored nor the padding class; w = 1 without class weights). Checks every target, so
/// a caller that runs the kernel a block of rows at a time learns of a bad target before any
/// output is written.
pub fn cross_entropy_denominator(
    smoothing: &Smoothing,
    targets: &[i32],
    class_weights: Option<&[f32]>,
) -> Result<f64, KernelError> {
    weighted_cross_entropy_denominator(smoothing, targets, class_weights, None)
}

/// [`cross_entropy_denominator`] with a weight per row (per-token weights, crate::linear_head):
/// Σ t_i·w[target_i] over the rows that count, the same rows.
pub fn weighted_cross_entropy_denominator(
    smoothing: &Smoothing,
    targets: &[i32],
    class_weights: Option<&[f32]>,
    row_weights: Option<&[f32]>,
) -> Result<f64, KernelError> {
    smoothing.validate()?;
    if let Some(w) = class_weights {
        crate::checks::check_len(smoothing.num_classes, w.len())?;
    }
    if let Some(t) = row_weights {
        crate::checks::check_len(targets.len(), t.len())?;
    }
    let mut denominator = ChunkedSums::<1>::new(smoothing.num_classes);
    for (row, &target) in targets.iter().enumerate() {
        if let RowTarget::Smoothed { class } = smoothing.row_target(row, target)? {
            let t = row_weights.map_or(1.0, |t| t[row] as f64);
            denominator.add(row, [t * class_weights.map_or(1.0, |w| w[class] as f64)]);
        }
    }
    Ok(denominator.finish()[0])
}

fn dispatch<V: F32Vector, R: Rows>(
    args: &CrossEntropyArgs,
    denominator: f64,
    per_row: Option<&mut [f32]>,
    rows: R,
) -> CrossEntropyResult {
    match args.class_weights {
        Some(w) => run::<V, &[f32], R>(args, w, denominator, per_row, rows),
        None => run::<V, Ones, R>(args, Ones, denominator, per_row, rows),
    }
}

/// The row loop; the arguments are validated.
fn run<V: F32Vector, W: Weights, R: Rows>(
    args: &CrossEntropyArgs,
    w: W,
    denominator: f64,
    mut per_row: Option<&mut [f32]>,
    mut rows: R,
) -> CrossEntropyResult {
    let sm = &args.smoothing;
    let k = sm.num_classes;
    let (on, off) = (sm.on_value(), sm.off_value());
    let (on64, off64) = (on as f64, off as f64);
    let pad = sm.zeroed_class();
    let z = args.z_loss as f64;
    // Σ_{k≠pad} w_k.
    let w_total = w.total(k, pad);
    let grad = <R::Row<'_> as RowIo>::GRAD;
    // Once per call, not per row (they pass through black_box).
    let consts = ExpConsts::<V>::opaque();
    // Σ L_i, Σ nll_i, Σ smooth_i, Σ lse_i², in the fixed order of chunks.rs.
    let mut sums = ChunkedSums::<4>::new(k);
    for (row, &target) in args.targets.iter().enumerate() {
        let mut io = rows.row(row, k);
        let y = match sm.row_target(row, target) {
            Ok(RowTarget::Smoothed { class }) => class,
            // Skipped (errors were ruled out by the pre-pass).
            _ => {
                if let Some(p) = per_row.as_deref_mut() {
                    p[row] = 0.0;
                }
                fill::<V>(io.grad(), 0.0);
                continue;
            }
        };
        // Everything read from the logits after the exp pass is read now (in place, the exp
        // pass overwrites them).
        let (m, x_y, x_pad) = {
            let x = io.logits();
            (row_max::<V>(x), x[y], pad.map(|p| x[p]))
        };
        // Exp pass; the columns in `outside` are kept out of the Σ w·d segments: the padding
        // column, and the target when its logit is −∞ (its term would be taken out again as
        // ∞ − ∞) or when q puts less mass on it than elsewhere (on < off: taking its term out
        // of the float32 sum in float64 would leave a rounding error ≈ 2⁻²⁴·w_y·|d_y| that can
        // be the whole loss; with on ≥ off both parts have one sign and nothing cancels).
        let target_outside = x_y == f32::NEG_INFINITY || on < off;
        let mut outside = [pad.unwrap_or(usize::MAX), if target_outside { y } else { usize::MAX }];
        outside.sort_unstable();
        let (mut s, mut swd, mut start) = (0.0f32, 0.0f32, 0usize);
        for &col in outside.iter().filter(|&&c| c != usize::MAX) {
            let (sa, aa) = exp_pass::<V, W, R::Row<'_>>(&mut io, start, col, w, m, &consts);
            let x_col = if Some(col) == pad { x_pad.unwrap_or(x_y) } else { x_y };
            let e_col = exp_nonpositive_scalar(x_col - m);
            io.store(col, Scalar(e_col));
            s += sa + e_col;
            swd += aa;
            start = col + 1;
        }
        let (sb, ab) = exp_pass::<V, W, R::Row<'_>>(&mut io, start, k, w, m, &consts);
        s += sb;
        swd += ab;
        let ln_s = (s as f64).ln();
        let wy = w.at(y) as f64;
        let dy = (x_y - m) as f64;
        // With off = 0 only the target's weight counts (an infinite weight elsewhere must not
        // meet a zero target mass: 0·∞).
        let c = if off == 0.0 { on64 * wy } else { off64 * w_total + (on64 - off64) * wy };
        let mut wqd = 0.0;
        if off != 0.0 {
            wqd += off64 * swd as f64;
        }
        // Σ w·d holds the target's term unless the target is outside; q_y = on in either case.
        let target_mass = if target_outside { on64 } else { on64 - off64 };
        if target_mass != 0.0 {
            wqd += target_mass * wy * dy;
        }
        let lse = m as f64 + ln_s;
        let mut loss = ln_s * c - wqd;
        if z != 0.0 {
            loss += z * lse * lse;
        }
        let swd_all = if target_outside { swd as f64 + wy * dy } else { swd as f64 };
        sums.add(row, [loss, -(wy * (dy - ln_s)), -(swd_all - ln_s * w_total), lse * lse]);
        if let Some(p) = per_row.as_deref_mut() {
            p[row] = loss as f32;
        }
        if grad {
            let g = io.grad();
            let scale = args.upstream.at(row) as f64 * args.grad_scale;
            let cz = if z != 0.0 { c + 2.0 * z * lse } else { c };
            let a = scale * cz / s as f64;
            let e_y = g[y] as f64;
            let e_pad = pad.map(|p| g[p] as f64);
            if off == 0.0 {
                rescale::<V, Ones>(g, a as f32, 0.0, Ones);
            } else {
                rescale::<V, W>(g, a as f32, (scale * off64) as f32, w);
            }
            g[y] = (a * e_y - scale * wy * on64) as f32;
            if let (Some(p), Some(e)) = (pad, e_pad) {
                g[p] = (a * e) as f32;
            }
        }
    }
    let [sum, nll, smooth, lse_squared] = sums.finish();
    CrossEntropyResult { sum, nll, smooth, lse_squared, denominator }
}
