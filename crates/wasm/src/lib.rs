//! The wasm-bindgen surface of labelsmooth: memory management and one export per kernel.
//!
//! The ABI is pointer-based on purpose: the TypeScript layer owns every buffer in wasm memory
//! (inputs it copied in, or `WasmArray`s the user filled in place), so a kernel call copies
//! nothing. Kernels report refused input through a status code plus [`last_error`] details
//! instead of panicking, because a panic would be a wasm trap that the caller cannot recover from.

use core::sync::atomic::{AtomicI64, Ordering};
use labelsmooth_kernels::{best, Convention, KernelError, Smoothing};
use wasm_bindgen::prelude::*;

mod losses;
mod memory;
pub use losses::*;
pub use memory::{alloc, dealloc};

/// Which instruction set this build was compiled for: 1 for simd128, 0 for scalar. A number, not
/// a string, so that the glue never has to read wasm memory.
#[wasm_bindgen]
pub fn backend() -> u32 {
    u32::from(labelsmooth_kernels::BEST == "simd128")
}

/// Status codes returned by kernel exports.
const OK: i32 = 0;
const TARGET_OUT_OF_RANGE: i32 = 1;
const LENGTH_MISMATCH: i32 = 2;
const INVALID_SMOOTHING: i32 = 3;
pub(crate) const INVALID_CONVENTION: i32 = 4;
/// A `reduction` or `scale_kind` code the export does not know: a drift between the TypeScript
/// layer's copies of the codes and this crate, refused rather than read as a default.
pub(crate) const INVALID_CODE: i32 = 5;

static ERROR_DETAIL: [AtomicI64; 2] = [AtomicI64::new(0), AtomicI64::new(0)];

/// Detail `index` (0 or 1) of the last refused call: the row and the target value for
/// TARGET_OUT_OF_RANGE, expected and received lengths for LENGTH_MISMATCH.
#[wasm_bindgen]
pub fn last_error(index: usize) -> f64 {
    ERROR_DETAIL.get(index).map_or(0.0, |d| d.load(Ordering::Relaxed) as f64)
}

pub(crate) fn status(result: Result<(), KernelError>) -> i32 {
    let (code, a, b) = match result {
        Ok(()) => return OK,
        Err(KernelError::TargetOutOfRange { row, value }) => (TARGET_OUT_OF_RANGE, row as i64, value as i64),
        Err(KernelError::LengthMismatch { expected, received }) => (LENGTH_MISMATCH, expected as i64, received as i64),
        Err(KernelError::InvalidSmoothing) => (INVALID_SMOOTHING, 0, 0),
    };
    ERROR_DETAIL[0].store(a, Ordering::Relaxed);
    ERROR_DETAIL[1].store(b, Ordering::Relaxed);
    code
}

/// Convention codes shared with the TypeScript layer.
pub(crate) fn convention(code: u32, padding_idx: u32) -> Option<Convention> {
    match code {
        0 => Some(Convention::Uniform),
        1 => Some(Convention::Fairseq),
        2 => Some(Convention::Annotated { padding_idx: padding_idx as usize }),
        _ => None,
    }
}

/// Writes the `n × k` smoothed targets of the `n` i32 targets at `targets_ptr` to `out_ptr`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn smooth_targets(
    targets_ptr: usize,
    n: usize,
    k: usize,
    convention_code: u32,
    padding_idx: u32,
    epsilon: f64,
    ignore_index: i32,
    out_ptr: usize,
) -> i32 {
    let Some(convention) = convention(convention_code, padding_idx) else {
        return INVALID_CONVENTION;
    };
    let Some(out_len) = n.checked_mul(k) else {
        return status(Err(KernelError::LengthMismatch { expected: usize::MAX, received: 0 }));
    };
    let smoothing = Smoothing { convention, num_classes: k, epsilon, ignore_index };
    // SAFETY: the TypeScript layer passes buffers it allocated with `alloc` for these lengths.
    let (targets, out) = unsafe { (memory::slice::<i32>(targets_ptr, n), memory::slice_mut::<f32>(out_ptr, out_len)) };
    status(best::smooth_targets(&smoothing, targets, out))
}
