//! Label smoothing and its losses as plain functions over slices.
//!
//! Each kernel is written once, generic over the small vector trait in [`vector`], and
//! instantiated per instruction set: [`scalar`] everywhere, [`simd128`] on wasm32 built with
//! `+simd128`. The two modules have identical signatures; [`best`] names whichever this build
//! compiled in.

pub mod cross_entropy;
pub mod exp;
pub mod kl_div;
pub mod log;
mod row;
pub mod scale;
pub mod sigmoid;
pub mod smoothing;
pub mod soft_cross_entropy;
pub mod targets;
pub mod vector;

pub use cross_entropy::{cross_entropy_denominator, target_entropy, CrossEntropyArgs, CrossEntropyResult, Reduction};
pub use kl_div::{KlDivArgs, LabelSmoothingKlArgs};
pub use scale::{ElementScale, LossSums, RowScale};
pub use sigmoid::SigmoidCrossEntropyArgs;
pub use smoothing::{Convention, KernelError, RowTarget, Smoothing};
pub use soft_cross_entropy::SoftCrossEntropyArgs;

/// Declares a module whose public functions instantiate the generic kernels with one vector type.
macro_rules! instruction_set {
    ($(#[$attr:meta])* $name:ident, $vector:ty) => {
        $(#[$attr])*
        pub mod $name {
            use crate::smoothing::{KernelError, Smoothing};
            use crate::{
                CrossEntropyArgs, CrossEntropyResult, KlDivArgs, LabelSmoothingKlArgs, LossSums,
                SigmoidCrossEntropyArgs, SoftCrossEntropyArgs,
            };

            /// See [`crate::targets::smooth_targets`].
            pub fn smooth_targets(
                smoothing: &Smoothing,
                targets: &[i32],
                out: &mut [f32],
            ) -> Result<(), KernelError> {
                crate::targets::smooth_targets::<$vector>(smoothing, targets, out)
            }

            /// See [`crate::exp::exp_slice`]: `out[i] = exp(x[i])`.
            pub fn exp(x: &[f32], out: &mut [f32]) -> Result<(), KernelError> {
                crate::exp::exp_slice::<$vector>(x, out)
            }

            /// See [`crate::exp::exp_in_place`]: `x[i] ← exp(x[i])`.
            pub fn exp_in_place(x: &mut [f32]) {
                crate::exp::exp_in_place::<$vector>(x)
            }

            /// See [`crate::exp::exp_sum`]: `Σ exp(x[i] − shift)`, shift ≥ every x[i].
            pub fn exp_sum(x: &[f32], shift: f32) -> f32 {
                crate::exp::exp_sum::<$vector>(x, shift)
            }

            /// See [`crate::log::log_sum`]: `Σ ln x[i]`.
            pub fn log_sum(x: &[f32]) -> f32 {
                crate::log::log_sum::<$vector>(x)
            }

            /// See [`crate::sigmoid::softplus_sum`]: `Σ log1p(exp(−|x[i]|))`.
            pub fn softplus_sum(x: &[f32]) -> f32 {
                crate::sigmoid::softplus_sum::<$vector>(x)
            }

            /// See [`crate::cross_entropy::cross_entropy`].
            pub fn cross_entropy(
                args: &CrossEntropyArgs,
                per_row: Option<&mut [f32]>,
                grad: Option<&mut [f32]>,
            ) -> Result<CrossEntropyResult, KernelError> {
                crate::cross_entropy::cross_entropy::<$vector>(args, per_row, grad)
            }

            /// See [`crate::cross_entropy::cross_entropy_in_place`].
            pub fn cross_entropy_in_place(
                args: &CrossEntropyArgs,
                per_row: Option<&mut [f32]>,
                logits: &mut [f32],
            ) -> Result<CrossEntropyResult, KernelError> {
                crate::cross_entropy::cross_entropy_in_place::<$vector>(args, per_row, logits)
            }

            /// See [`crate::soft_cross_entropy::soft_cross_entropy_in_place`].
            pub fn soft_cross_entropy_in_place(
                args: &SoftCrossEntropyArgs,
                per_row: Option<&mut [f32]>,
                logits: &mut [f32],
            ) -> Result<LossSums, KernelError> {
                crate::soft_cross_entropy::soft_cross_entropy_in_place::<$vector>(args, per_row, logits)
            }

            /// See [`crate::sigmoid::sigmoid_cross_entropy_in_place`].
            pub fn sigmoid_cross_entropy_in_place(
                args: &SigmoidCrossEntropyArgs,
                losses: Option<&mut [f32]>,
                logits: &mut [f32],
            ) -> Result<LossSums, KernelError> {
                crate::sigmoid::sigmoid_cross_entropy_in_place::<$vector>(args, losses, logits)
            }

            /// See [`crate::kl_div::kl_div_in_place`].
            pub fn kl_div_in_place(
                args: &KlDivArgs,
                terms: Option<&mut [f32]>,
                input: &mut [f32],
            ) -> Result<LossSums, KernelError> {
                crate::kl_div::kl_div_in_place::<$vector>(args, terms, input)
            }

            /// See [`crate::soft_cross_entropy::soft_cross_entropy`].
            pub fn soft_cross_entropy(
                args: &SoftCrossEntropyArgs,
                per_row: Option<&mut [f32]>,
                grad: Option<&mut [f32]>,
            ) -> Result<LossSums, KernelError> {
                crate::soft_cross_entropy::soft_cross_entropy::<$vector>(args, per_row, grad)
            }

            /// See [`crate::sigmoid::sigmoid_cross_entropy`].
            pub fn sigmoid_cross_entropy(
                args: &SigmoidCrossEntropyArgs,
                losses: Option<&mut [f32]>,
                grad: Option<&mut [f32]>,
            ) -> Result<LossSums, KernelError> {
                crate::sigmoid::sigmoid_cross_entropy::<$vector>(args, losses, grad)
            }

            /// See [`crate::kl_div::kl_div`].
            pub fn kl_div(
                args: &KlDivArgs,
                terms: Option<&mut [f32]>,
                grad: Option<&mut [f32]>,
            ) -> Result<LossSums, KernelError> {
                crate::kl_div::kl_div::<$vector>(args, terms, grad)
            }

            /// See [`crate::kl_div::label_smoothing_kl`].
            pub fn label_smoothing_kl(
                args: &LabelSmoothingKlArgs,
                per_row: Option<&mut [f32]>,
                grad: Option<&mut [f32]>,
            ) -> Result<f64, KernelError> {
                crate::kl_div::label_smoothing_kl::<$vector>(args, per_row, grad)
            }
        }
    };
}

instruction_set!(
    /// The kernels one f32 at a time: the reference, and the build for engines without SIMD.
    scalar,
    crate::vector::Scalar
);

instruction_set!(
    /// The kernels on wasm SIMD128 (four f32 lanes).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd128,
    crate::vector::Simd128
);

instruction_set!(
    /// The kernels on the portable four-lane model of SIMD128, for native tests of the
    /// vector-width logic.
    #[doc(hidden)]
    lanes4,
    crate::vector::Lanes4
);

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub use scalar as best;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use simd128 as best;

/// The name of the instruction set [`best`] uses.
pub const BEST: &str = if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) { "simd128" } else { "scalar" };

#[cfg(test)]
mod tests;

#[cfg(test)]
mod in_place_tests;
