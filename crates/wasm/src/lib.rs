//! The wasm-bindgen surface of labelsmooth: memory management and one export per kernel.
//!
//! Every kernel export is `name(call, outcome) -> status` over the records declared once in
//! `crates/abi/src/interface.rs` (the TypeScript side is generated from the same declaration): the
//! TypeScript layer writes a call record (addresses of buffers it owns, sizes, codes, scalars)
//! and the export writes its outcome (a result record, or the reason it refused). So a kernel
//! call copies no array, and a refused input is a status code, never a panic (a panic would be a
//! wasm trap the caller cannot recover from).

use core::ptr::addr_of_mut;
use labelsmooth_abi::{
    BackendCode, Code, CodeSet, ConventionCode, KernelExport, Outcome, Refusal, SmoothingParams, Status,
};
use labelsmooth_kernels::{Convention, KernelError, Smoothing};
use wasm_bindgen::prelude::*;

mod bounds;
mod linear;
mod losses;
mod memory;
pub use bounds::*;
pub use linear::*;
pub use losses::*;
pub use memory::{alloc, dealloc};

/// Which build this module is: a [`BackendCode`]. A number, not a string, so that the glue never
/// has to read wasm memory.
#[wasm_bindgen]
pub fn backend() -> u32 {
    let code = match labelsmooth_kernels::BEST {
        "relaxed-simd" => BackendCode::RelaxedSimd,
        "simd128" => BackendCode::Simd128,
        _ => BackendCode::Scalar,
    };
    code as u32
}

/// The fingerprint of the interface this module was built with; the loader refuses a module
/// whose fingerprint is not the one its generated TypeScript carries.
#[wasm_bindgen]
pub fn interface_fingerprint() -> u32 {
    labelsmooth_abi::FINGERPRINT
}

/// The rows of one chunk of a call with `num_classes` values per row: the unit in which the
/// kernels order their float64 sums (`labelsmooth_kernels::chunks`) and in which the package's
/// worker pool splits a call.
#[wasm_bindgen]
pub fn rows_per_chunk(num_classes: u32) -> u32 {
    labelsmooth_kernels::rows_per_chunk(num_classes as usize) as u32
}

/// Why an export refused its call.
pub(crate) enum Refused {
    Kernel(KernelError),
    /// A code field held `value`, which its set does not have.
    UnknownCode {
        value: u32,
    },
}

impl From<KernelError> for Refused {
    fn from(e: KernelError) -> Self {
        Refused::Kernel(e)
    }
}

/// The meaning of a code field, or a refusal naming its value.
pub(crate) fn known<T: CodeSet>(code: Code<T>) -> Result<T, Refused> {
    code.get().ok_or(Refused::UnknownCode { value: code.0 })
}

/// The kernels' smoothing for the call's parameters (the kernels validate the values).
pub(crate) fn smoothing(p: &SmoothingParams) -> Result<Smoothing, Refused> {
    let convention = match known(p.convention)? {
        ConventionCode::Uniform => Convention::Uniform,
        ConventionCode::Fairseq => Convention::Fairseq,
        ConventionCode::Annotated => Convention::Annotated { padding_idx: p.padding_idx as usize },
    };
    Ok(Smoothing { convention, num_classes: p.num_classes as usize, epsilon: p.epsilon, ignore_index: p.ignore_index })
}

/// Runs export `K`: reads its call record at `call`, and writes at `outcome` the result (status
/// `ok`) or the [`Refusal`].
pub(crate) fn serve<K: KernelExport>(
    call: usize,
    outcome: usize,
    run: impl FnOnce(&K::Call) -> Result<K::Result, Refused>,
) -> u32 {
    // SAFETY: the TypeScript layer wrote a `K::Call` at `call` and allocated `Outcome<K::Result>`
    // (16-byte aligned) at `outcome` for this call; every bit pattern is a valid record (the
    // fields are integers, floats and unchecked codes).
    let args = unsafe { *(call as *const K::Call) };
    let outcome = outcome as *mut Outcome<K::Result>;
    let (status, refusal) = match run(&args) {
        Ok(result) => {
            // SAFETY: as above.
            unsafe { addr_of_mut!((*outcome).result).write(result) };
            return Status::Ok as u32;
        }
        Err(Refused::UnknownCode { value }) => (Status::InvalidCode, (value as f64, 0.0)),
        Err(Refused::Kernel(KernelError::TargetOutOfRange { row, value })) => {
            (Status::TargetOutOfRange, (row as f64, value as f64))
        }
        Err(Refused::Kernel(KernelError::LengthMismatch { expected, received })) => {
            (Status::LengthMismatch, (expected as f64, received as f64))
        }
        Err(Refused::Kernel(KernelError::InvalidSmoothing)) => (Status::InvalidSmoothing, (0.0, 0.0)),
    };
    // SAFETY: as above.
    unsafe { addr_of_mut!((*outcome).refusal).write(Refusal { first: refusal.0, second: refusal.1 }) };
    status as u32
}
