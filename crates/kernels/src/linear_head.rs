//! The loss of a linear head without its logits: `z = h·Wᵀ (+ b)` for N rows of hidden states h
//! (N×D) and a weight W (V×D, as a linear layer stores it), then class-index cross-entropy of z
//! with every option of [`crate::cross_entropy`], optionally on softcapped logits `c·tanh(z/c)`
//! and with a weight per row (per token), and the gradients w.r.t. h, W and b.
//!
//! The N×V logits never exist: a block of `chunk_rows` rows at a time, z goes into a chunk buffer
//! the caller lends (`scratch`), the cross-entropy kernel turns it into dL/dz in place (its row
//! passes, its rules), then `dH = dz·W` and `dW += dzᵀ·h` ([`crate::gemm`]) and `db += Σ_rows dz`.
//! So the extra memory is `chunk_rows·V` floats (twice that with a softcap, whose derivative
//! needs the capped logits after the gradient is written) plus the GEMM's packing buffers.
//!
//! The reduction is the caller's, as for `cross_entropy` (packages/labelsmooth/src/losses/
//! reduction.ts): `grad_scale` and `upstream` scale every row's gradient, and the caller divides
//! the returned sum. Per-token weights t multiply each row's loss (so its gradient); the mean's
//! divisor with them is [`crate::cross_entropy::weighted_cross_entropy_denominator`].

use crate::checks::{check_len, checked_area};
use crate::cross_entropy::{cross_entropy, cross_entropy_in_place, weighted_cross_entropy_denominator};
use crate::error::KernelError;
use crate::gemm::{gemm, gemm_workspace_len, MatRef};
use crate::scale::RowScale;
use crate::smoothing::Smoothing;
use crate::vector::F32Vector;
use crate::CrossEntropyArgs;

/// The inputs of [`linear_cross_entropy`].
#[derive(Clone, Copy, Debug)]
pub struct LinearCrossEntropyArgs<'a> {
    /// Convention, V (`num_classes`), ε and ignore index.
    pub smoothing: Smoothing,
    /// D.
    pub hidden_size: usize,
    /// N×D hidden states, row-major.
    pub hidden: &'a [f32],
    /// V×D weight, row-major.
    pub weight: &'a [f32],
    /// V biases.
    pub bias: Option<&'a [f32]>,
    /// N class indices (or the ignore index).
    pub targets: &'a [i32],
    /// V per-class weights (PyTorch's `weight`).
    pub class_weights: Option<&'a [f32]>,
    /// N per-row (per-token) weights: row i's loss is `t_i·L_i`.
    pub token_weights: Option<&'a [f32]>,
    /// z-loss coefficient, as [`CrossEntropyArgs::z_loss`].
    pub z_loss: f32,
    /// c > 0 and finite: the logits are `c·tanh(z/c)` (Gemma 2's cap); anything else (0, NaN,
    /// negative, +∞, the limit c → ∞ of the cap): no cap.
    pub softcap: f32,
    /// The upstream gradient of each row's loss, as [`CrossEntropyArgs::upstream`].
    pub upstream: RowScale<'a>,
    /// The reduction's factor, as [`CrossEntropyArgs::grad_scale`].
    pub grad_scale: f64,
    /// Rows per chunk (≥ 1).
    pub chunk_rows: usize,
}

/// Where [`linear_cross_entropy`] writes the gradients.
#[derive(Debug)]
pub struct LinearGrads<'a> {
    /// N×D: dL/dh.
    pub hidden: &'a mut [f32],
    /// V×D: dL/dW.
    pub weight: &'a mut [f32],
    /// V: dL/db (Σ over the rows of dL/dz; the same whether or not a bias was given).
    pub bias: Option<&'a mut [f32]>,
    /// Add to the values already there (as frameworks accumulate `.grad`) instead of overwriting.
    pub accumulate: bool,
}

/// What [`linear_cross_entropy`] returns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearCrossEntropyResult {
    /// Σ t_i·L_i over the rows that count.
    pub sum: f64,
    /// Σ t_i·w_{y_i} over the rows that count: the mean's divisor.
    pub denominator: f64,
}

/// The floats `scratch` must hold for chunks of `chunk_rows` rows and V classes; None when it
/// overflows the address space.
pub fn linear_scratch_len(chunk_rows: usize, num_classes: usize, softcap: bool) -> Option<usize> {
    let chunk = chunk_rows.checked_mul(num_classes)?.checked_mul(if softcap { 2 } else { 1 })?;
    chunk.checked_add(2 * chunk_rows)?.checked_add(gemm_workspace_len())
}

/// The linear head's loss: writes the per-row losses `t_i·L_i` (N; skipped rows 0) to `per_row`
/// and the gradients to `grads` when given. `scratch` holds at least [`linear_scratch_len`]
/// floats (values on entry do not matter). Every argument and every target is checked before
/// anything is written.
pub fn linear_cross_entropy<V: F32Vector>(
    args: &LinearCrossEntropyArgs,
    mut per_row: Option<&mut [f32]>,
    mut grads: Option<LinearGrads>,
    scratch: &mut [f32],
) -> Result<LinearCrossEntropyResult, KernelError> {
    let (n, d, v) = (args.targets.len(), args.hidden_size, args.smoothing.num_classes);
    args.smoothing.validate()?;
    check_len(checked_area(n, d, args.hidden.len())?, args.hidden.len())?;
    check_len(checked_area(v, d, args.weight.len())?, args.weight.len())?;
    for (given, len) in [(args.bias, v), (args.class_weights, v), (args.token_weights, n)] {
        if let Some(x) = given {
            check_len(len, x.len())?;
        }
    }
    args.upstream.check(n)?;
    if let Some(p) = per_row.as_deref() {
        check_len(n, p.len())?;
    }
    if let Some(g) = grads.as_ref() {
        check_len(n * d, g.hidden.len())?;
        check_len(v * d, g.weight.len())?;
        if let Some(b) = g.bias.as_deref() {
            check_len(v, b.len())?;
        }
    }
    let capped = args.softcap > 0.0 && args.softcap.is_finite();
    let chunk_rows = args.chunk_rows.max(1).min(n.max(1));
    let need = linear_scratch_len(chunk_rows, v, capped)
        .ok_or(KernelError::LengthMismatch { expected: usize::MAX, received: scratch.len() })?;
    if scratch.len() < need {
        return Err(KernelError::LengthMismatch { expected: need, received: scratch.len() });
    }
    let denominator =
        weighted_cross_entropy_denominator(&args.smoothing, args.targets, args.class_weights, args.token_weights)?;

    let (z_buf, rest) = scratch.split_at_mut(chunk_rows * v);
    let (capped_buf, rest) = rest.split_at_mut(if capped { chunk_rows * v } else { 0 });
    let (row_scale_buf, rest) = rest.split_at_mut(chunk_rows);
    let (row_loss_buf, workspace) = rest.split_at_mut(chunk_rows);
    if let Some(g) = grads.as_mut() {
        if !g.accumulate {
            g.weight.fill(0.0);
            if let Some(b) = g.bias.as_deref_mut() {
                b.fill(0.0);
            }
        }
    }
    let weight = MatRef::row_major(args.weight, v, d);
    let mut sum = 0.0f64;
    for r0 in (0..n).step_by(chunk_rows) {
        let rows = chunk_rows.min(n - r0);
        let h = MatRef::row_major(&args.hidden[r0 * d..(r0 + rows) * d], rows, d);
        let z = &mut z_buf[..rows * v];
        // z = h·Wᵀ + b.
        if let Some(b) = args.bias {
            for row in z.chunks_exact_mut(v) {
                row.copy_from_slice(b);
            }
        }
        gemm::<V>(h, weight.t(), z, args.bias.is_some(), workspace)?;
        let s = &mut capped_buf[..if capped { rows * v } else { 0 }];
        if capped {
            let c = args.softcap as f64;
            for (s, &z) in s.iter_mut().zip(z.iter()) {
                *s = (c * (z as f64 / c).tanh()) as f32;
            }
        }
        // Each row's gradient factor: its token weight times its upstream value.
        let upstream = match (args.token_weights, args.upstream) {
            (None, up) => sub_scale(up, r0, rows),
            (Some(t), up) => {
                for (i, f) in row_scale_buf[..rows].iter_mut().enumerate() {
                    *f = t[r0 + i] * up.at(r0 + i);
                }
                RowScale::PerRow(&row_scale_buf[..rows])
            }
        };
        let ce = CrossEntropyArgs {
            smoothing: args.smoothing,
            logits: &[],
            targets: &args.targets[r0..r0 + rows],
            class_weights: args.class_weights,
            z_loss: args.z_loss,
            upstream,
            grad_scale: args.grad_scale,
        };
        // The per-row losses are needed to weight the sum by the token weights.
        let losses: Option<&mut [f32]> = match per_row.as_deref_mut() {
            Some(p) => Some(&mut p[r0..r0 + rows]),
            None if args.token_weights.is_some() => Some(&mut row_loss_buf[..rows]),
            None => None,
        };
        let r = match (grads.is_some(), capped) {
            (false, false) => cross_entropy::<V>(&CrossEntropyArgs { logits: &*z, ..ce }, losses, None),
            (false, true) => cross_entropy::<V>(&CrossEntropyArgs { logits: &*s, ..ce }, losses, None),
            // The gradient w.r.t. the capped logits goes over z (z is no longer needed).
            (true, true) => cross_entropy::<V>(&CrossEntropyArgs { logits: &*s, ..ce }, losses, Some(&mut *z)),
            (true, false) => cross_entropy_in_place::<V>(&ce, losses, z),
        }?;
        match args.token_weights {
            None => sum += r.sum,
            Some(t) => {
                let losses = match per_row.as_deref_mut() {
                    Some(p) => &mut p[r0..r0 + rows],
                    None => &mut row_loss_buf[..rows],
                };
                for (i, l) in losses.iter_mut().enumerate() {
                    let weighted = t[r0 + i] as f64 * *l as f64;
                    sum += weighted;
                    *l = weighted as f32;
                }
            }
        }
        let Some(g) = grads.as_mut() else { continue };
        let dz = z;
        if capped {
            // d(c·tanh(z/c))/dz = 1 − tanh²(z/c) = 1 − (s/c)².
            let c = args.softcap as f64;
            for (g, &s) in dz.iter_mut().zip(s.iter()) {
                let t = s as f64 / c;
                *g = (*g as f64 * (1.0 - t * t)) as f32;
            }
        }
        let dz = MatRef::row_major(dz, rows, v);
        gemm::<V>(dz, weight, &mut g.hidden[r0 * d..(r0 + rows) * d], g.accumulate, workspace)?;
        gemm::<V>(dz.t(), h, g.weight, true, workspace)?;
        if let Some(b) = g.bias.as_deref_mut() {
            for row in dz.data.chunks_exact(v) {
                add_into::<V>(b, row);
            }
        }
    }
    Ok(LinearCrossEntropyResult { sum, denominator })
}

/// Rows `r0..r0 + rows` of a row scale.
fn sub_scale<'a>(s: RowScale<'a>, r0: usize, rows: usize) -> RowScale<'a> {
    match s {
        RowScale::Uniform(u) => RowScale::Uniform(u),
        RowScale::PerRow(values) => RowScale::PerRow(&values[r0..r0 + rows]),
    }
}

/// `acc[k] += x[k]`.
#[inline(always)]
fn add_into<V: F32Vector>(acc: &mut [f32], x: &[f32]) {
    let l = V::LANES;
    let mut a = acc.chunks_exact_mut(l);
    let mut b = x.chunks_exact(l);
    for (a, b) in (&mut a).zip(&mut b) {
        V::load(a).add(V::load(b)).store(a);
    }
    for (a, b) in a.into_remainder().iter_mut().zip(b.remainder()) {
        *a += *b;
    }
}

#[cfg(test)]
#[path = "linear_head_tests.rs"]
mod tests;
