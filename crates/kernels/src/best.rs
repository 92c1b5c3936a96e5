//! Every kernel instantiated with [`BestVector`], the vector type this build compiled in: what
//! the wasm exports call. Each function is the generic kernel it links to, with `V = BestVector`.

use crate::{
    BestVector, CrossEntropyArgs, CrossEntropyResult, KernelError, KlDivArgs, LabelSmoothingKlArgs,
    LinearCrossEntropyArgs, LinearCrossEntropyResult, LinearGrads, LossSums, MatRef, SigmoidCrossEntropyArgs,
    Smoothing, SoftCrossEntropyArgs,
};

/// [`crate::targets::smooth_targets`].
pub fn smooth_targets(smoothing: &Smoothing, targets: &[i32], out: &mut [f32]) -> Result<(), KernelError> {
    crate::targets::smooth_targets::<BestVector>(smoothing, targets, out)
}

/// [`crate::exp::exp_slice`]: `out[i] = exp(x[i])`.
pub fn exp(x: &[f32], out: &mut [f32]) -> Result<(), KernelError> {
    crate::exp::exp_slice::<BestVector>(x, out)
}

/// [`crate::exp::exp_in_place`]: `x[i] ← exp(x[i])`.
pub fn exp_in_place(x: &mut [f32]) {
    crate::exp::exp_in_place::<BestVector>(x)
}

/// [`crate::exp::exp_sum`]: `Σ exp(x[i] − shift)`, `shift` ≥ every `x[i]`.
pub fn exp_sum(x: &[f32], shift: f32) -> f32 {
    crate::exp::exp_sum::<BestVector>(x, shift)
}

/// [`crate::log::log_sum`]: `Σ ln x[i]`.
pub fn log_sum(x: &[f32]) -> f32 {
    crate::log::log_sum::<BestVector>(x)
}

/// [`crate::sigmoid::softplus_sum`]: `Σ log1p(exp(−|x[i]|))`.
pub fn softplus_sum(x: &[f32]) -> f32 {
    crate::sigmoid::softplus_sum::<BestVector>(x)
}

/// [`crate::cross_entropy::cross_entropy`].
pub fn cross_entropy(
    args: &CrossEntropyArgs,
    per_row: Option<&mut [f32]>,
    grad: Option<&mut [f32]>,
) -> Result<CrossEntropyResult, KernelError> {
    crate::cross_entropy::cross_entropy::<BestVector>(args, per_row, grad)
}

/// [`crate::cross_entropy::cross_entropy_in_place`].
pub fn cross_entropy_in_place(
    args: &CrossEntropyArgs,
    per_row: Option<&mut [f32]>,
    logits: &mut [f32],
) -> Result<CrossEntropyResult, KernelError> {
    crate::cross_entropy::cross_entropy_in_place::<BestVector>(args, per_row, logits)
}

/// [`crate::soft_cross_entropy::soft_cross_entropy`].
pub fn soft_cross_entropy(
    args: &SoftCrossEntropyArgs,
    per_row: Option<&mut [f32]>,
    grad: Option<&mut [f32]>,
) -> Result<LossSums, KernelError> {
    crate::soft_cross_entropy::soft_cross_entropy::<BestVector>(args, per_row, grad)
}

/// [`crate::soft_cross_entropy::soft_cross_entropy_in_place`].
pub fn soft_cross_entropy_in_place(
    args: &SoftCrossEntropyArgs,
    per_row: Option<&mut [f32]>,
    logits: &mut [f32],
) -> Result<LossSums, KernelError> {
    crate::soft_cross_entropy::soft_cross_entropy_in_place::<BestVector>(args, per_row, logits)
}

/// [`crate::sigmoid::sigmoid_cross_entropy`].
pub fn sigmoid_cross_entropy(
    args: &SigmoidCrossEntropyArgs,
    losses: Option<&mut [f32]>,
    grad: Option<&mut [f32]>,
) -> Result<LossSums, KernelError> {
    crate::sigmoid::sigmoid_cross_entropy::<BestVector>(args, losses, grad)
}

/// [`crate::sigmoid::sigmoid_cross_entropy_in_place`].
pub fn sigmoid_cross_entropy_in_place(
    args: &SigmoidCrossEntropyArgs,
    losses: Option<&mut [f32]>,
    logits: &mut [f32],
) -> Result<LossSums, KernelError> {
    crate::sigmoid::sigmoid_cross_entropy_in_place::<BestVector>(args, losses, logits)
}

/// [`crate::kl_div::kl_div`].
pub fn kl_div(args: &KlDivArgs, terms: Option<&mut [f32]>, grad: Option<&mut [f32]>) -> Result<LossSums, KernelError> {
    crate::kl_div::kl_div::<BestVector>(args, terms, grad)
}

/// [`crate::kl_div::kl_div_in_place`].
pub fn kl_div_in_place(
    args: &KlDivArgs,
    terms: Option<&mut [f32]>,
    input: &mut [f32],
) -> Result<LossSums, KernelError> {
    crate::kl_div::kl_div_in_place::<BestVector>(args, terms, input)
}

/// [`crate::kl_div::label_smoothing_kl`].
pub fn label_smoothing_kl(
    args: &LabelSmoothingKlArgs,
    per_row: Option<&mut [f32]>,
    grad: Option<&mut [f32]>,
) -> Result<f64, KernelError> {
    crate::kl_div::label_smoothing_kl::<BestVector>(args, per_row, grad)
}

/// [`crate::linear_head::linear_cross_entropy`] (instantiated here, in this crate, with the
/// cross-entropy kernels it calls, so the wasm build holds one copy of each).
pub fn linear_cross_entropy(
    args: &LinearCrossEntropyArgs,
    per_row: Option<&mut [f32]>,
    grads: Option<LinearGrads>,
    scratch: &mut [f32],
) -> Result<LinearCrossEntropyResult, KernelError> {
    crate::linear_head::linear_cross_entropy::<BestVector>(args, per_row, grads, scratch)
}

/// [`crate::gemm::gemm`].
pub fn gemm(a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool, workspace: &mut [f32]) -> Result<(), KernelError> {
    crate::gemm::gemm::<BestVector>(a, b, c, accumulate, workspace)
}
