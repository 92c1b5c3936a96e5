//! Exports of the loss kernels. Every pointer argument is an address in wasm memory that the
//! TypeScript layer allocated (or a WasmArray it owns), 0 meaning "absent" for optional inputs
//! and outputs. Scalars that do not fit the status code come back through [`last_result`].
//!
//! In place: a loss export whose `grad_ptr` equals its logits (input) pointer overwrites the
//! logits with the gradient. That call takes a separate path (`*_in_place` kernels) that views
//! the buffer only as one `&mut [f32]`, so no shared and mutable slice of the same memory ever
//! coexist; the kernels read each logit before they overwrite it.

use core::sync::atomic::{AtomicU64, Ordering};
use labelsmooth_kernels::{
    best, target_entropy as entropy_of, CrossEntropyArgs, ElementScale, KernelError, KlDivArgs, LabelSmoothingKlArgs,
    Reduction, RowScale, SigmoidCrossEntropyArgs, Smoothing, SoftCrossEntropyArgs,
};
use wasm_bindgen::prelude::*;

use crate::memory::{slice, slice_mut};
use crate::{convention, status, INVALID_CODE, INVALID_CONVENTION};

static RESULTS: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];

fn set_results(values: &[f64]) {
    for (slot, v) in RESULTS.iter().zip(values) {
        slot.store(v.to_bits(), Ordering::Relaxed);
    }
}

/// Result `index` of the last successful loss call (see each export for the order).
#[wasm_bindgen]
pub fn last_result(index: usize) -> f64 {
    RESULTS.get(index).map_or(f64::NAN, |r| f64::from_bits(r.load(Ordering::Relaxed)))
}

/// `len` f32 at `ptr`, or None for a null pointer.
///
/// # Safety
/// As [`slice`].
unsafe fn optional<'a>(ptr: usize, len: usize) -> Option<&'a [f32]> {
    (ptr != 0).then(|| slice::<f32>(ptr, len))
}

/// # Safety
/// As [`slice_mut`].
unsafe fn optional_mut<'a>(ptr: usize, len: usize) -> Option<&'a mut [f32]> {
    (ptr != 0).then(|| slice_mut::<f32>(ptr, len))
}

fn area(n: usize, k: usize) -> Result<usize, KernelError> {
    n.checked_mul(k).ok_or(KernelError::LengthMismatch { expected: usize::MAX, received: 0 })
}

/// A per-row scale: the `n` values at `ptr`, or `uniform` when `ptr` is 0.
///
/// # Safety
/// As [`slice`].
unsafe fn row_scale<'a>(ptr: usize, n: usize, uniform: f32) -> RowScale<'a> {
    if ptr == 0 {
        RowScale::Uniform(uniform)
    } else {
        RowScale::PerRow(slice::<f32>(ptr, n))
    }
}

/// The scale kinds of `element_scale` (0 uniform, 1 per row, 2 per element) and the reduction
/// codes of `cross_entropy` (0 none, 1 sum, 2 mean): an export refuses a code above these with
/// [`INVALID_CODE`] before it reads anything.
const LAST_SCALE_KIND: u32 = 2;
const LAST_REDUCTION: u32 = 2;

/// An element scale: kind 0 = `uniform`, 1 = one value per row at `ptr`, 2 = one per element
/// (a kind above [`LAST_SCALE_KIND`] was refused by the export).
///
/// # Safety
/// As [`slice`].
unsafe fn element_scale<'a>(kind: u32, ptr: usize, n: usize, k: usize, uniform: f32) -> ElementScale<'a> {
    match kind {
        0 => ElementScale::Uniform(uniform),
        1 => ElementScale::PerRow(slice::<f32>(ptr, n)),
        _ => ElementScale::PerElement(slice::<f32>(ptr, n * k)),
    }
}

/// Class-index cross-entropy (see `labelsmooth_kernels::cross_entropy`). `reduction`: 0 none,
/// 1 sum, 2 mean. The upstream gradient is the `n` values at `upstream_ptr`, or `upstream` for
/// every row when it is 0. Results: loss, Σ nll, Σ smooth, Σ lse², D.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy(
    logits_ptr: usize,
    targets_ptr: usize,
    n: usize,
    k: usize,
    convention_code: u32,
    padding_idx: u32,
    epsilon: f64,
    ignore_index: i32,
    weights_ptr: usize,
    z_loss: f32,
    reduction: u32,
    upstream_ptr: usize,
    upstream: f32,
    per_row_ptr: usize,
    grad_ptr: usize,
) -> i32 {
    let Some(convention) = convention(convention_code, padding_idx) else {
        return INVALID_CONVENTION;
    };
    if reduction > LAST_REDUCTION {
        return INVALID_CODE;
    }
    let run = || {
        let area = area(n, k)?;
        let smoothing = Smoothing { convention, num_classes: k, epsilon, ignore_index };
        let reduction = match reduction {
            0 => Reduction::None,
            1 => Reduction::Sum,
            _ => Reduction::Mean,
        };
        let in_place = grad_ptr != 0 && grad_ptr == logits_ptr;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths. In place, the
        // logits are reached only through the gradient's `&mut` slice below (never both).
        let args = unsafe {
            CrossEntropyArgs {
                smoothing,
                logits: if in_place { &[] } else { slice(logits_ptr, area) },
                targets: slice(targets_ptr, n),
                class_weights: optional(weights_ptr, k),
                z_loss,
                reduction,
                upstream: row_scale(upstream_ptr, n, upstream),
            }
        };
        let (per_row, grad) = unsafe { (optional_mut(per_row_ptr, n), optional_mut(grad_ptr, area)) };
        let r = match grad {
            Some(g) if in_place => best::cross_entropy_in_place(&args, per_row, g)?,
            grad => best::cross_entropy(&args, per_row, grad)?,
        };
        set_results(&[r.loss, r.nll, r.smooth, r.lse_squared, r.denominator]);
        Ok(())
    };
    status(run())
}

/// Soft-target cross-entropy. The row scale is the `n` values at `scale_ptr`, or `scale` for
/// every row when it is 0. Results: Σ L_i, Σ scale_i·L_i.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn soft_cross_entropy(
    logits_ptr: usize,
    targets_ptr: usize,
    n: usize,
    k: usize,
    epsilon: f64,
    weights_ptr: usize,
    scale_ptr: usize,
    scale: f32,
    per_row_ptr: usize,
    grad_ptr: usize,
) -> i32 {
    let run = || {
        let area = area(n, k)?;
        let in_place = grad_ptr != 0 && grad_ptr == logits_ptr;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths; in place, the
        // logits are reached only through the gradient's slice.
        let args = unsafe {
            SoftCrossEntropyArgs {
                num_rows: n,
                num_classes: k,
                logits: if in_place { &[] } else { slice(logits_ptr, area) },
                targets: slice(targets_ptr, area),
                epsilon,
                class_weights: optional(weights_ptr, k),
                scale: row_scale(scale_ptr, n, scale),
            }
        };
        let (per_row, grad) = unsafe { (optional_mut(per_row_ptr, n), optional_mut(grad_ptr, area)) };
        let r = match grad {
            Some(g) if in_place => best::soft_cross_entropy_in_place(&args, per_row, g)?,
            grad => best::soft_cross_entropy(&args, per_row, grad)?,
        };
        set_results(&[r.sum, r.scaled_sum]);
        Ok(())
    };
    status(run())
}

/// Sigmoid cross-entropy (elementwise). Results: Σ L, Σ scale·L.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn sigmoid_cross_entropy(
    logits_ptr: usize,
    labels_ptr: usize,
    n: usize,
    k: usize,
    epsilon: f64,
    scale_kind: u32,
    scale_ptr: usize,
    scale: f32,
    losses_ptr: usize,
    grad_ptr: usize,
) -> i32 {
    if scale_kind > LAST_SCALE_KIND {
        return INVALID_CODE;
    }
    let run = || {
        let area = area(n, k)?;
        let in_place = grad_ptr != 0 && grad_ptr == logits_ptr;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths; in place, the
        // logits are reached only through the gradient's slice.
        let args = unsafe {
            SigmoidCrossEntropyArgs {
                num_rows: n,
                num_classes: k,
                logits: if in_place { &[] } else { slice(logits_ptr, area) },
                labels: slice(labels_ptr, area),
                epsilon,
                scale: element_scale(scale_kind, scale_ptr, n, k, scale),
            }
        };
        let (losses, grad) = unsafe { (optional_mut(losses_ptr, area), optional_mut(grad_ptr, area)) };
        let r = match grad {
            Some(g) if in_place => best::sigmoid_cross_entropy_in_place(&args, losses, g)?,
            grad => best::sigmoid_cross_entropy(&args, losses, grad)?,
        };
        set_results(&[r.sum, r.scaled_sum]);
        Ok(())
    };
    status(run())
}

/// Elementwise KL divergence. Results: Σ terms, Σ scale·terms.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn kl_div(
    input_ptr: usize,
    target_ptr: usize,
    n: usize,
    k: usize,
    log_target: bool,
    scale_kind: u32,
    scale_ptr: usize,
    scale: f32,
    terms_ptr: usize,
    grad_ptr: usize,
) -> i32 {
    if scale_kind > LAST_SCALE_KIND {
        return INVALID_CODE;
    }
    let run = || {
        let area = area(n, k)?;
        let in_place = grad_ptr != 0 && grad_ptr == input_ptr;
        // SAFETY: the TypeScript layer allocated each buffer for these lengths; in place, the
        // input is reached only through the gradient's slice.
        let args = unsafe {
            KlDivArgs {
                num_rows: n,
                num_classes: k,
                input: if in_place { &[] } else { slice(input_ptr, area) },
                target: slice(target_ptr, area),
                log_target,
                scale: element_scale(scale_kind, scale_ptr, n, k, scale),
            }
        };
        let (terms, grad) = unsafe { (optional_mut(terms_ptr, area), optional_mut(grad_ptr, area)) };
        let r = match grad {
            Some(g) if in_place => best::kl_div_in_place(&args, terms, g)?,
            grad => best::kl_div(&args, terms, grad)?,
        };
        set_results(&[r.sum, r.scaled_sum]);
        Ok(())
    };
    status(run())
}

/// The Annotated Transformer criterion in KL form. Results: the summed KL.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn label_smoothing_kl(
    input_ptr: usize,
    targets_ptr: usize,
    n: usize,
    k: usize,
    convention_code: u32,
    padding_idx: u32,
    epsilon: f64,
    ignore_index: i32,
    per_row_ptr: usize,
    grad_ptr: usize,
) -> i32 {
    let Some(convention) = convention(convention_code, padding_idx) else {
        return INVALID_CONVENTION;
    };
    let run = || {
        let area = area(n, k)?;
        let smoothing = Smoothing { convention, num_classes: k, epsilon, ignore_index };
        // SAFETY: the TypeScript layer allocated each buffer for these lengths.
        let args = unsafe {
            LabelSmoothingKlArgs {
                smoothing,
                input: slice(input_ptr, area),
                targets: slice(targets_ptr, n),
                scale: RowScale::Uniform(1.0),
            }
        };
        let (per_row, grad) = unsafe { (optional_mut(per_row_ptr, n), optional_mut(grad_ptr, area)) };
        let loss = best::label_smoothing_kl(&args, per_row, grad)?;
        set_results(&[loss]);
        Ok(())
    };
    status(run())
}

/// H(q) of one non-skipped row's smoothed target (NaN for an invalid convention code).
#[wasm_bindgen]
pub fn target_entropy(k: usize, convention_code: u32, padding_idx: u32, epsilon: f64) -> f64 {
    match convention(convention_code, padding_idx) {
        Some(convention) => entropy_of(&Smoothing { convention, num_classes: k, epsilon, ignore_index: -100 }),
        None => f64::NAN,
    }
}

/// The exp bound of the benchmark: `out[i] = exp(x[i])` for the `len` f32 at `x_ptr` with the
/// kernels' vector `exp` (`out_ptr` may equal `x_ptr`: in place). With `out_ptr` 0 nothing is
/// stored and result 0 is `Σ exp(x[i] − shift)` computed with the exp of the softmax passes
/// (`shift` must be ≥ every x[i]): the forward-only bound.
#[wasm_bindgen]
pub fn exp_slice(x_ptr: usize, len: usize, out_ptr: usize, shift: f32) -> i32 {
    if out_ptr == 0 {
        // SAFETY: the caller allocated `len` f32 at `x_ptr`.
        let x = unsafe { slice::<f32>(x_ptr, len) };
        set_results(&[best::exp_sum(x, shift) as f64]);
        return status(Ok(()));
    }
    if out_ptr == x_ptr {
        // SAFETY: as above; the only view of the buffer while the kernel runs.
        let x = unsafe { slice_mut::<f32>(x_ptr, len) };
        best::exp_in_place(x);
        return status(Ok(()));
    }
    // SAFETY: two distinct buffers of `len` f32 that the caller allocated.
    let (x, out) = unsafe { (slice::<f32>(x_ptr, len), slice_mut::<f32>(out_ptr, len)) };
    status(best::exp(x, out))
}

/// The log bound of the benchmark (the transcendental work of `kl_div`): result 0 is
/// `Σ ln x[i]` over the `len` f32 at `x_ptr`, with the kernels' vector `log`.
#[wasm_bindgen]
pub fn log_sum(x_ptr: usize, len: usize) -> i32 {
    // SAFETY: the caller allocated `len` f32 at `x_ptr`.
    let x = unsafe { slice::<f32>(x_ptr, len) };
    set_results(&[best::log_sum(x) as f64]);
    status(Ok(()))
}

/// The exp+log bound of the benchmark (the transcendental work of `sigmoid_cross_entropy`):
/// result 0 is `Σ log1p(exp(−|x[i]|))` with the kernel's own `exp` and `log1p`.
#[wasm_bindgen]
pub fn softplus_sum(x_ptr: usize, len: usize) -> i32 {
    // SAFETY: the caller allocated `len` f32 at `x_ptr`.
    let x = unsafe { slice::<f32>(x_ptr, len) };
    set_results(&[best::softplus_sum(x) as f64]);
    status(Ok(()))
}
