//! KL-divergence losses: PyTorch `F.kl_div` elementwise (SEMANTICS §4) and the Annotated
//! Transformer / pyitcast `LabelSmoothing` criterion in KL form (§5), for any convention.
//!
//! Why it is shaped this way:
//! * `kl_div` needs `ln q` (or `exp t`) per element of an arbitrary target, which is not a
//!   softmax-row pattern; it is computed per element in f64 (exact enough to be the reference,
//!   and cheap next to the memory traffic of two N×K inputs). One deliberate difference from
//!   torch 1.13: a term with q == 0 is exactly 0 even when the input is −inf (torch gives
//!   0·(−inf) = NaN; torch 0.4 gave 0). q < 0 gives NaN (xlogy of a negative number).
//! * `label_smoothing_kl` never builds the N×K target: q is `on`/`off`/0 per row, so a row
//!   costs one vectorised sum of x over the classes other than the target and the padding
//!   column (split into segments, so a −inf in a q = 0 cell never enters the sum).

use crate::row::{check_len, checked_area, segments_without, sum, Forward, InPlace, RowIo, Rows, Separate};
use crate::scale::{ElementScale, LossSums, RowScale};
use crate::smoothing::{KernelError, RowTarget, Smoothing};
use crate::vector::{fill, F32Vector, Scalar};

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
        Some(g) => run_kl(args, terms, Separate { x: args.input, g }),
        None => run_kl(args, terms, Forward { x: args.input }),
    })
}

/// [`kl_div`] with the gradient written over the input (`args.input` is not read; pass `&[]`).
pub fn kl_div_in_place<V: F32Vector>(
    args: &KlDivArgs,
    terms: Option<&mut [f32]>,
    input: &mut [f32],
) -> Result<LossSums, KernelError> {
    check_kl_args(args, input.len(), terms.as_deref())?;
    Ok(run_kl(args, terms, InPlace { g: input }))
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

fn run_kl<R: Rows>(args: &KlDivArgs, mut terms: Option<&mut [f32]>, mut rows: R) -> LossSums {
    let (n, k) = (args.num_rows, args.num_classes);
    let (mut total, mut scaled) = (0.0f64, 0.0f64);
    for row in 0..n {
        let mut io = rows.row(row, k);
        for j in 0..k {
            let i = row * k + j;
            let (x, t) = (io.load::<Scalar>(j).0 as f64, args.target[i] as f64);
            let (q, term) = if args.log_target {
                let q = t.exp();
                // A target of probability 0 (t = −∞) contributes 0, as 0·log 0 does below.
                (q, if q == 0.0 { 0.0 } else { q * (t - x) })
            } else if t > 0.0 {
                (t, t * (t.ln() - x))
            } else if t == 0.0 {
                (0.0, 0.0)
            } else {
                (t, f64::NAN)
            };
            let scale = match args.scale {
                ElementScale::Uniform(s) => s,
                ElementScale::PerRow(s) => s[row],
                ElementScale::PerElement(s) => s[i],
            } as f64;
            let term32 = term as f32;
            total += term32 as f64;
            scaled += scale * term32 as f64;
            if let Some(o) = terms.as_deref_mut() {
                o[i] = term32;
            }
            io.store(j, Scalar((-q * scale) as f32));
        }
    }
    LossSums { sum: total, scaled_sum: scaled }
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
    let neg_entropy = -crate::cross_entropy::target_entropy(sm);
    let mut total = 0.0f64;
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
        total += loss;
        if let Some(p) = per_row.as_deref_mut() {
            p[row] = loss as f32;
        }
    }
    Ok(total)
}
