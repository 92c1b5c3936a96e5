//! Label smoothing and its losses as plain functions over slices.
//!
//! Each kernel is one function generic over the small vector trait in [`vector`]
//! (`cross_entropy::<V>`, `kl_div::<V>`, …, re-exported here). A build runs them with one vector
//! type, [`BestVector`]: `RelaxedSimd` on wasm32 built with `+simd128,+relaxed-simd`, `Simd128`
//! with `+simd128` alone, `Scalar` otherwise; [`best`]
//! holds every kernel instantiated with it, for the wasm exports. Native tests call the generic
//! kernels with `Scalar` and with `Lanes4` (the four-lane model of `Simd128`).

pub mod best;
mod checks;
pub mod chunks;
pub mod cross_entropy;
mod error;
pub mod exp;
pub mod gemm;
pub mod kl_div;
pub mod linear_head;
pub mod log;
mod row_io;
mod row_passes;
pub mod scale;
pub mod sigmoid;
pub mod smoothing;
pub mod soft_cross_entropy;
pub mod targets;
pub mod vector;
mod weights;

pub use chunks::rows_per_chunk;
pub use cross_entropy::{
    cross_entropy, cross_entropy_denominator, cross_entropy_in_place, weighted_cross_entropy_denominator,
    CrossEntropyArgs, CrossEntropyResult,
};
pub use error::KernelError;
pub use exp::{exp_in_place, exp_slice, exp_sum};
pub use gemm::{gemm, gemm_workspace_len, MatRef};
pub use kl_div::{kl_div, kl_div_in_place, label_smoothing_kl, KlDivArgs, LabelSmoothingKlArgs};
pub use linear_head::{
    linear_cross_entropy, linear_scratch_len, LinearCrossEntropyArgs, LinearCrossEntropyResult, LinearGrads,
};
pub use log::log_sum;
pub use scale::{ElementScale, LossSums, RowScale};
pub use sigmoid::{sigmoid_cross_entropy, sigmoid_cross_entropy_in_place, softplus_sum, SigmoidCrossEntropyArgs};
pub use smoothing::{target_entropy, Convention, RowTarget, Smoothing};
pub use soft_cross_entropy::{soft_cross_entropy, soft_cross_entropy_in_place, SoftCrossEntropyArgs};
pub use targets::smooth_targets;

/// The vector type this build runs the kernels with (the one [`best`] instantiates).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
pub type BestVector = vector::RelaxedSimd;
/// The vector type this build runs the kernels with (the one [`best`] instantiates).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
pub type BestVector = vector::Simd128;
/// The vector type this build runs the kernels with (the one [`best`] instantiates).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub type BestVector = vector::Scalar;

/// The name of the instruction set [`best`] uses.
pub const BEST: &str = if cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd")) {
    "relaxed-simd"
} else if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
    "simd128"
} else {
    "scalar"
};

#[cfg(test)]
mod in_place_tests;
