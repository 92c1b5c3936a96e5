//! The linear head's exports: `linear_cross_entropy` (crates/kernels/src/linear_head.rs), the
//! token-weighted denominator of its mean, the length of the scratch it needs, and its GEMM alone
//! for the benchmark. Each reads its call record (`crates/abi/src/interface.rs`) and views the
//! buffers it names as slices.

use labelsmooth_abi::{
    Address, DenominatorResult, Gemm, LinearCrossEntropy, LinearCrossEntropyResult, LinearScratch, LinearScratchResult,
    NoResult, WeightedDenominator,
};
use labelsmooth_kernels::{
    best, gemm_workspace_len, linear_scratch_len as scratch_len_of, weighted_cross_entropy_denominator, KernelError,
    LinearCrossEntropyArgs, LinearGrads, MatRef, RowScale,
};
use wasm_bindgen::prelude::*;

use crate::memory::{slice, slice_mut};
use crate::{serve, smoothing};

/// `len` values at `at`, or None for a null address.
///
/// # Safety
/// As [`slice`].
unsafe fn optional<'a, T>(at: Address<T>, len: usize) -> Option<&'a [T]> {
    (!at.is_null()).then(|| slice::<T>(at.get(), len))
}

/// `a·b`, refused when it does not fit the address space.
fn area(a: usize, b: usize) -> Result<usize, KernelError> {
    a.checked_mul(b).ok_or(KernelError::LengthMismatch { expected: usize::MAX, received: 0 })
}

/// The loss of a linear head and its gradients, without its logits.
#[wasm_bindgen]
pub fn linear_cross_entropy(call: usize, outcome: usize) -> u32 {
    serve::<LinearCrossEntropy>(call, outcome, |c| {
        let smoothing = smoothing(&c.smoothing)?;
        let (n, d, v) = (c.num_rows as usize, c.hidden_size as usize, c.smoothing.num_classes as usize);
        let (nd, vd) = (area(n, d)?, area(v, d)?);
        // SAFETY: the TypeScript layer allocated each buffer for these lengths; the inputs, the
        // outputs and the scratch are distinct buffers.
        let args = unsafe {
            LinearCrossEntropyArgs {
                smoothing,
                hidden_size: d,
                hidden: slice(c.hidden.get(), nd),
                weight: slice(c.weight.get(), vd),
                bias: optional(c.bias, v),
                targets: slice(c.targets.get(), n),
                class_weights: optional(c.class_weights, v),
                token_weights: optional(c.token_weights, n),
                z_loss: c.z_loss,
                softcap: c.softcap,
                upstream: optional(c.upstream_per_row, n).map_or(RowScale::Uniform(1.0), RowScale::PerRow),
                grad_scale: c.grad_scale,
                chunk_rows: c.chunk_rows as usize,
            }
        };
        let per_row = (!c.per_row_losses.is_null()).then(|| unsafe { slice_mut(c.per_row_losses.get(), n) });
        let grads = (!c.grad_hidden.is_null()).then(|| unsafe {
            LinearGrads {
                hidden: slice_mut(c.grad_hidden.get(), nd),
                weight: slice_mut(c.grad_weight.get(), vd),
                bias: (!c.grad_bias.is_null()).then(|| slice_mut(c.grad_bias.get(), v)),
                accumulate: c.accumulate != 0,
            }
        });
        // SAFETY: as above.
        let scratch = unsafe { slice_mut(c.scratch.get(), c.scratch_len as usize) };
        let r = best::linear_cross_entropy(&args, per_row, grads, scratch)?;
        Ok(LinearCrossEntropyResult { sum: r.sum, denominator: r.denominator })
    })
}

/// D with per-token weights: validates N targets and sums Σ t_i·w[y_i] over the rows that count.
#[wasm_bindgen]
pub fn weighted_denominator(call: usize, outcome: usize) -> u32 {
    serve::<WeightedDenominator>(call, outcome, |c| {
        let smoothing = smoothing(&c.smoothing)?;
        let (n, k) = (c.num_rows as usize, c.smoothing.num_classes as usize);
        // SAFETY: the TypeScript layer allocated each buffer for these lengths.
        let (targets, weights, tokens) =
            unsafe { (slice(c.targets.get(), n), optional(c.class_weights, k), optional(c.token_weights, n)) };
        Ok(DenominatorResult { denominator: weighted_cross_entropy_denominator(&smoothing, targets, weights, tokens)? })
    })
}

/// The floats `linear_cross_entropy`'s scratch must hold.
#[wasm_bindgen]
pub fn linear_scratch_len(call: usize, outcome: usize) -> u32 {
    serve::<LinearScratch>(call, outcome, |c| {
        let floats = scratch_len_of(c.chunk_rows as usize, c.num_classes as usize, c.softcap != 0);
        Ok(LinearScratchResult { floats: floats.map_or(f64::INFINITY, |f| f as f64) })
    })
}

/// `C (+)= A·B` alone (the benchmark's GEMM throughput).
#[wasm_bindgen]
pub fn gemm(call: usize, outcome: usize) -> u32 {
    serve::<Gemm>(call, outcome, |c| {
        let (m, n, k) = (c.m as usize, c.n as usize, c.k as usize);
        // SAFETY: the caller allocated A (m·k), B (k·n), C (m·n) and the workspace, distinct.
        let (a, b, out, ws) = unsafe {
            (
                slice(c.a.get(), area(m, k)?),
                slice(c.b.get(), area(k, n)?),
                slice_mut(c.c.get(), area(m, n)?),
                slice_mut(c.workspace.get(), gemm_workspace_len()),
            )
        };
        let a = if c.a_transposed != 0 { MatRef::row_major(a, k, m).t() } else { MatRef::row_major(a, m, k) };
        let b = if c.b_transposed != 0 { MatRef::row_major(b, n, k).t() } else { MatRef::row_major(b, k, n) };
        best::gemm(a, b, out, c.accumulate != 0, ws)?;
        Ok(NoResult {})
    })
}
