//! The benchmark's bounds (bench/bench.mjs): the transcendental work of each kernel alone, with
//! the kernels' own vector functions, so that a loss's speed can be read as a share of its bound.

use labelsmooth_abi::{ExpMap, ExpSum, LogSum, NoResult, SoftplusSum, SumResult};
use labelsmooth_kernels::best;
use wasm_bindgen::prelude::*;

use crate::memory::{slice, slice_mut};
use crate::serve;

/// `out[i] = exp(x[i])` (`out` may equal `x`: in place).
#[wasm_bindgen]
pub fn exp_map(call: usize, outcome: usize) -> u32 {
    serve::<ExpMap>(call, outcome, |c| {
        let len = c.len as usize;
        if c.out == c.x {
            // SAFETY: the caller allocated `len` f32 at `x`; the only view of it while this runs.
            best::exp_in_place(unsafe { slice_mut(c.x.get(), len) });
        } else {
            // SAFETY: two distinct buffers of `len` f32 that the caller allocated.
            let (x, out) = unsafe { (slice(c.x.get(), len), slice_mut(c.out.get(), len)) };
            best::exp(x, out)?;
        }
        Ok(NoResult {})
    })
}

/// `Σ exp(x[i] − shift)` with the exp of the softmax passes: the forward-only bound.
#[wasm_bindgen]
pub fn exp_sum(call: usize, outcome: usize) -> u32 {
    serve::<ExpSum>(call, outcome, |c| {
        // SAFETY: the caller allocated `len` f32 at `x`.
        let x = unsafe { slice(c.x.get(), c.len as usize) };
        Ok(SumResult { sum: best::exp_sum(x, c.shift) as f64 })
    })
}

/// `Σ ln x[i]`: the transcendental work of `kl_div`.
#[wasm_bindgen]
pub fn log_sum(call: usize, outcome: usize) -> u32 {
    serve::<LogSum>(call, outcome, |c| {
        // SAFETY: the caller allocated `len` f32 at `x`.
        let x = unsafe { slice(c.x.get(), c.len as usize) };
        Ok(SumResult { sum: best::log_sum(x) as f64 })
    })
}

/// `Σ log1p(exp(−|x[i]|))`: the transcendental work of `sigmoid_cross_entropy`.
#[wasm_bindgen]
pub fn softplus_sum(call: usize, outcome: usize) -> u32 {
    serve::<SoftplusSum>(call, outcome, |c| {
        // SAFETY: the caller allocated `len` f32 at `x`.
        let x = unsafe { slice(c.x.get(), c.len as usize) };
        Ok(SumResult { sum: best::softplus_sum(x) as f64 })
    })
}
