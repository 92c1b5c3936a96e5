//! The loss exports. Each reads its call record (`crates/abi/src/interface.rs`), views the
//! buffers it names as slices, runs the kernel and returns its result record.
//!
//! In place: a call whose `grad` equals its logits (input) address overwrites the logits with the
//! gradient. That call takes a separate path (`*_in_place` kernels) that views the buffer only as
//! one `&mut [f32]`, so no shared and mutable slice of the same memory ever coexist; the kernels
//! read each logit before they overwrite it.

use labelsmooth_abi::{
    Address, CrossEntropy, CrossEntropyDenominator, CrossEntropyResult, DenominatorResult, EntropyResult, KlDiv,
    LabelSmoothingKl, LossResult, LossSumsResult, NoResult, ScaleKind, SigmoidCrossEntropy, SmoothTargets,
    SoftCrossEntropy, TargetEntropy, TargetForm,
};
use labelsmooth_kernels::{
    best, cross_entropy_denominator as denominator_of, target_entropy as entropy_of, CrossEntropyArgs, ElementScale,
    KernelError, KlDivArgs, LabelSmoothingKlArgs, LossSums, RowScale, SigmoidCrossEntropyArgs, SoftCrossEntropyArgs,
};
use wasm_bindgen::prelude::*;

use crate::memory::{slice, slice_mut};
use crate::{known, serve, smoothing};

/// `len` values at `at`, or None for a null address.
///
/// # Safety
/// As [`slice`].
unsafe fn optional<'a, T>(at: Address<T>, len: usize) -> Option<&'a [T]> {
    (!at.is_null()).then(|| slice::<T>(at.get(), len))
}

/// # Safety
/// As [`slice_mut`].
unsafe fn optional_mut<'a, T>(at: Address<T>, len: usize) -> Option<&'a mut [T]> {
    (!at.is_null()).then(|| slice_mut::<T>(at.get(), len))
}

/// N·K, refused when it does not fit the address space.
fn area(n: u32, k: u32) -> Result<usize, KernelError> {
    (n as usize).checked_mul(k as usize).ok_or(KernelError::LengthMismatch { expected: usize::MAX, received: 0 })
}

/// A per-row scale: the `n` values at `at`, or `uniform` when `at` is null.
///
/// # Safety
/// As [`slice`].
unsafe fn row_scale<'a>(at: Address<f32>, n: usize, uniform: f32) -> RowScale<'a> {
    match optional(at, n) {
        Some(values) => RowScale::PerRow(values),
        None => RowScale::Uniform(uniform),
    }
}

/// An element scale of `kind` over an `n × k` problem.
///
/// # Safety
/// As [`slice`].
unsafe fn element_scale<'a>(kind: ScaleKind, at: Address<f32>, n: usize, k: usize, uniform: f32) -> ElementScale<'a> {
    match kind {
        ScaleKind::Uniform => ElementScale::Uniform(uniform),
        ScaleKind::PerRow => ElementScale::PerRow(slice(at.get(), n)),
        ScaleKind::PerElement => ElementScale::PerElement(slice(at.get(), n * k)),
    }
}

fn sums(r: LossSums) -> LossSumsResult {
    LossSumsResult { sum: r.sum, scaled_sum: r.scaled_sum }
}

/// The N×K smoothed targets of N class indices.
#[wasm_bindgen]
pub fn smooth_targets(call: usize, outcome: usize) -> u32 {
    serve::<SmoothTargets>(call, outcome, |c| {
        let smoothing = smoothing(&c.smoothing)?;
        let area = area(c.num_rows, c.smoothing.num_classes)?;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths.
        let (targets, out) = unsafe { (slice(c.targets.get(), c.num_rows as usize), slice_mut(c.out.get(), area)) };
        best::smooth_targets(&smoothing, targets, out)?;
        Ok(NoResult {})
    })
}

/// Class-index cross-entropy (`labelsmooth_kernels::cross_entropy`) and its gradient.
#[wasm_bindgen]
pub fn cross_entropy(call: usize, outcome: usize) -> u32 {
    serve::<CrossEntropy>(call, outcome, |c| {
        let smoothing = smoothing(&c.smoothing)?;
        let (n, k) = (c.num_rows as usize, c.smoothing.num_classes as usize);
        let area = area(c.num_rows, c.smoothing.num_classes)?;
        let in_place = !c.grad.is_null() && c.grad == c.logits;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths. In place, the
        // logits are reached only through the gradient's `&mut` slice below (never both).
        let args = unsafe {
            CrossEntropyArgs {
                smoothing,
                logits: if in_place { &[] } else { slice(c.logits.get(), area) },
                targets: slice(c.targets.get(), n),
                class_weights: optional(c.class_weights, k),
                z_loss: c.z_loss,
                upstream: row_scale(c.upstream_per_row, n, 1.0),
                grad_scale: c.grad_scale,
            }
        };
        let (per_row, grad) = unsafe { (optional_mut(c.per_row_losses, n), optional_mut(c.grad, area)) };
        let r = match grad {
            Some(g) if in_place => best::cross_entropy_in_place(&args, per_row, g)?,
            grad => best::cross_entropy(&args, per_row, grad)?,
        };
        Ok(CrossEntropyResult {
            sum: r.sum,
            nll: r.nll,
            smooth: r.smooth,
            lse_squared: r.lse_squared,
            denominator: r.denominator,
        })
    })
}

/// Validates N targets and sums D, the divisor of `cross_entropy`'s mean, reading no logits.
#[wasm_bindgen]
pub fn cross_entropy_denominator(call: usize, outcome: usize) -> u32 {
    serve::<CrossEntropyDenominator>(call, outcome, |c| {
        let smoothing = smoothing(&c.smoothing)?;
        let (n, k) = (c.num_rows as usize, c.smoothing.num_classes as usize);
        // SAFETY: the TypeScript layer allocated each buffer for these lengths.
        let (targets, weights) = unsafe { (slice(c.targets.get(), n), optional(c.class_weights, k)) };
        Ok(DenominatorResult { denominator: denominator_of(&smoothing, targets, weights)? })
    })
}

/// Soft-target cross-entropy and its gradient.
#[wasm_bindgen]
pub fn soft_cross_entropy(call: usize, outcome: usize) -> u32 {
    serve::<SoftCrossEntropy>(call, outcome, |c| {
        let (n, k) = (c.num_rows as usize, c.num_classes as usize);
        let area = area(c.num_rows, c.num_classes)?;
        let in_place = !c.grad.is_null() && c.grad == c.logits;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths; in place, the
        // logits are reached only through the gradient's slice.
        let args = unsafe {
            SoftCrossEntropyArgs {
                num_rows: n,
                num_classes: k,
                logits: if in_place { &[] } else { slice(c.logits.get(), area) },
                targets: slice(c.targets.get(), area),
                epsilon: c.epsilon,
                class_weights: optional(c.class_weights, k),
                scale: row_scale(c.scale_per_row, n, c.scale),
            }
        };
        let (per_row, grad) = unsafe { (optional_mut(c.per_row_losses, n), optional_mut(c.grad, area)) };
        Ok(sums(match grad {
            Some(g) if in_place => best::soft_cross_entropy_in_place(&args, per_row, g)?,
            grad => best::soft_cross_entropy(&args, per_row, grad)?,
        }))
    })
}

/// Elementwise sigmoid cross-entropy and its gradient.
#[wasm_bindgen]
pub fn sigmoid_cross_entropy(call: usize, outcome: usize) -> u32 {
    serve::<SigmoidCrossEntropy>(call, outcome, |c| {
        let kind = known(c.scale_kind)?;
        let (n, k) = (c.num_rows as usize, c.num_classes as usize);
        let area = area(c.num_rows, c.num_classes)?;
        let in_place = !c.grad.is_null() && c.grad == c.logits;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths; in place, the
        // logits are reached only through the gradient's slice.
        let args = unsafe {
            SigmoidCrossEntropyArgs {
                num_rows: n,
                num_classes: k,
                logits: if in_place { &[] } else { slice(c.logits.get(), area) },
                labels: slice(c.labels.get(), area),
                epsilon: c.epsilon,
                scale: element_scale(kind, c.scale_values, n, k, c.scale),
            }
        };
        let (losses, grad) = unsafe { (optional_mut(c.losses, area), optional_mut(c.grad, area)) };
        Ok(sums(match grad {
            Some(g) if in_place => best::sigmoid_cross_entropy_in_place(&args, losses, g)?,
            grad => best::sigmoid_cross_entropy(&args, losses, grad)?,
        }))
    })
}

/// Elementwise KL divergence and its gradient.
#[wasm_bindgen]
pub fn kl_div(call: usize, outcome: usize) -> u32 {
    serve::<KlDiv>(call, outcome, |c| {
        let kind = known(c.scale_kind)?;
        let log_target = known(c.target_form)? == TargetForm::LogProbabilities;
        let (n, k) = (c.num_rows as usize, c.num_classes as usize);
        let area = area(c.num_rows, c.num_classes)?;
        let in_place = !c.grad.is_null() && c.grad == c.input;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths; in place, the
        // input is reached only through the gradient's slice.
        let args = unsafe {
            KlDivArgs {
                num_rows: n,
                num_classes: k,
                input: if in_place { &[] } else { slice(c.input.get(), area) },
                target: slice(c.target.get(), area),
                log_target,
                scale: element_scale(kind, c.scale_values, n, k, c.scale),
            }
        };
        let (terms, grad) = unsafe { (optional_mut(c.terms, area), optional_mut(c.grad, area)) };
        Ok(sums(match grad {
            Some(g) if in_place => best::kl_div_in_place(&args, terms, g)?,
            grad => best::kl_div(&args, terms, grad)?,
        }))
    })
}

/// The Annotated Transformer criterion in KL form, summed.
#[wasm_bindgen]
pub fn label_smoothing_kl(call: usize, outcome: usize) -> u32 {
    serve::<LabelSmoothingKl>(call, outcome, |c| {
        let smoothing = smoothing(&c.smoothing)?;
        let n = c.num_rows as usize;
        let area = area(c.num_rows, c.smoothing.num_classes)?;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths.
        let args = unsafe {
            LabelSmoothingKlArgs {
                smoothing,
                input: slice(c.input.get(), area),
                targets: slice(c.targets.get(), n),
                scale: RowScale::Uniform(1.0),
            }
        };
        let (per_row, grad) = unsafe { (optional_mut(c.per_row_losses, n), optional_mut(c.grad, area)) };
        Ok(LossResult { loss: best::label_smoothing_kl(&args, per_row, grad)? })
    })
}

/// H(q) of one counted row's smoothed target.
#[wasm_bindgen]
pub fn target_entropy(call: usize, outcome: usize) -> u32 {
    serve::<TargetEntropy>(call, outcome, |c| {
        let smoothing = smoothing(&c.smoothing)?;
        smoothing.validate()?;
        Ok(EntropyResult { entropy: entropy_of(&smoothing) })
    })
}
