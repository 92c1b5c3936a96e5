//! The interface itself: every code, every record and every kernel export the TypeScript layer
//! sees. What each loss computes is in docs/semantics.md; how a call flows, in docs/architecture.md.

use crate::describe::{codes, kernel_export, record, Address, Code, CodeSet, KernelExport};
use crate::{Codes, Export};

codes! {
    /// What a kernel export returns.
    pub enum Status {
        /// The outcome holds the result.
        Ok = 0 as "ok",
        /// A target is neither a class in [0, K) nor the ignore index. Refusal: the row, the value.
        TargetOutOfRange = 1 as "targetOutOfRange",
        /// A buffer's length does not match the shape (or N·K overflows). Refusal: expected, received.
        LengthMismatch = 2 as "lengthMismatch",
        /// ε, K and the convention do not describe a distribution (see `Smoothing::validate`).
        InvalidSmoothing = 3 as "invalidSmoothing",
        /// A code field holds a value its set does not have. Refusal: the field's offset in the call, the value.
        InvalidCode = 4 as "invalidCode",
    }
}

codes! {
    /// Which build a module is (the `backend` export).
    pub enum BackendCode {
        Scalar = 0 as "scalar",
        Simd128 = 1 as "simd128",
        /// SIMD128 with relaxed SIMD's `f32x4.relaxed_madd` for the multiply-adds.
        RelaxedSimd = 2 as "relaxed-simd",
    }
}

codes! {
    /// How ε is spread over the classes (docs/semantics.md §1).
    pub enum ConventionCode {
        /// PyTorch, TF, Keras, tfjs: `(1-ε)·onehot + ε/K`.
        Uniform = 0 as "uniform",
        /// fairseq: `1-ε` on the target, `ε/(K-1)` elsewhere.
        Fairseq = 1 as "fairseq",
        /// Annotated Transformer: `1-ε` on the target, `ε/(K-2)` elsewhere, padding zeroed.
        Annotated = 2 as "annotated",
    }
}

codes! {
    /// What an element scale holds.
    pub enum ScaleKind {
        /// `scale` for every element (`scale_values` unused).
        Uniform = 0 as "uniform",
        /// N values at `scale_values`, one per row.
        PerRow = 1 as "perRow",
        /// N·K values at `scale_values`, one per element.
        PerElement = 2 as "perElement",
    }
}

codes! {
    /// What the target of `kl_div` holds.
    pub enum TargetForm {
        Probabilities = 0 as "probabilities",
        LogProbabilities = 1 as "logProbabilities",
    }
}

record! {
    /// Why a kernel export refused its call (see `Status`).
    pub struct Refusal {
        pub first: f64,
        pub second: f64,
    }
}

record! {
    /// A smoothing convention applied to K classes.
    pub struct SmoothingParams {
        pub num_classes: u32,
        pub convention: Code<ConventionCode>,
        /// The padding class of the annotated convention (unused by the others).
        pub padding_idx: u32,
        /// Rows whose target equals this contribute nothing.
        pub ignore_index: i32,
        /// ε in [0, 1].
        pub epsilon: f64,
    }
}

record! {
    /// No result beyond the status.
    pub struct NoResult {}
}

record! {
    /// A sum over a slice.
    pub struct SumResult {
        pub sum: f64,
    }
}

record! {
    /// `smooth_targets`: the N×K smoothed targets of N class indices.
    pub struct SmoothTargetsCall {
        pub smoothing: SmoothingParams,
        pub targets: Address<i32>,
        pub num_rows: u32,
        pub out: Address<f32>,
    }
}

record! {
    /// `cross_entropy`: class-index cross-entropy with its gradient in the same pass.
    pub struct CrossEntropyCall {
        pub smoothing: SmoothingParams,
        pub logits: Address<f32>,
        pub targets: Address<i32>,
        pub num_rows: u32,
        /// K values, or 0 for none.
        pub class_weights: Address<f32>,
        pub z_loss: f32,
        /// N upstream gradients, one per row (an unreduced loss), or 0 for none.
        pub upstream_per_row: Address<f32>,
        /// Multiplies every row's gradient (with its upstream value): the reduction's factor
        /// (packages/labelsmooth/src/losses/reduction.ts), e.g. upstream / D for a mean.
        pub grad_scale: f64,
        /// N per-row losses, or 0.
        pub per_row_losses: Address<f32>,
        /// N·K gradient values, or 0 for none; equal to `logits`: the logits are overwritten.
        pub grad: Address<f32>,
    }
}

record! {
    /// The sums a `cross_entropy` call produced.
    pub struct CrossEntropyResult {
        /// Σ of the per-row losses over the rows that count.
        pub sum: f64,
        /// Σ −w_y·log p_y.
        pub nll: f64,
        /// Σ −Σ_k w_k·log p_k over the smoothed classes.
        pub smooth: f64,
        /// Σ logsumexp² over the rows that count (the z-loss's sum before its factor).
        pub lse_squared: f64,
        /// D, the mean's divisor.
        pub denominator: f64,
    }
}

record! {
    /// `cross_entropy_denominator`: validates N targets and sums the mean's divisor D without
    /// reading logits (for callers that run `cross_entropy` a block of rows at a time).
    pub struct DenominatorCall {
        pub smoothing: SmoothingParams,
        pub targets: Address<i32>,
        pub num_rows: u32,
        pub class_weights: Address<f32>,
    }
}

record! {
    pub struct DenominatorResult {
        pub denominator: f64,
    }
}

record! {
    /// `soft_cross_entropy`: cross-entropy against N×K probability targets.
    pub struct SoftCrossEntropyCall {
        pub logits: Address<f32>,
        pub targets: Address<f32>,
        pub num_rows: u32,
        pub num_classes: u32,
        /// ε applied to the targets, in [0, 1].
        pub epsilon: f64,
        pub class_weights: Address<f32>,
        /// N row factors, or 0: `scale` for every row.
        pub scale_per_row: Address<f32>,
        pub scale: f32,
        pub per_row_losses: Address<f32>,
        pub grad: Address<f32>,
    }
}

record! {
    /// What the elementwise and soft-target kernels return.
    pub struct LossSumsResult {
        /// Σ of the loss values.
        pub sum: f64,
        /// Σ of the loss values, each times its scale.
        pub scaled_sum: f64,
    }
}

record! {
    /// `sigmoid_cross_entropy`: elementwise sigmoid cross-entropy over N×K labels.
    pub struct SigmoidCrossEntropyCall {
        pub logits: Address<f32>,
        pub labels: Address<f32>,
        pub num_rows: u32,
        pub num_classes: u32,
        pub epsilon: f64,
        pub scale_kind: Code<ScaleKind>,
        pub scale_values: Address<f32>,
        pub scale: f32,
        /// N·K losses, or 0.
        pub losses: Address<f32>,
        pub grad: Address<f32>,
    }
}

record! {
    /// `kl_div`: elementwise KL divergence of log-probabilities `input` from `target`.
    pub struct KlDivCall {
        pub input: Address<f32>,
        pub target: Address<f32>,
        pub num_rows: u32,
        pub num_classes: u32,
        pub target_form: Code<TargetForm>,
        pub scale_kind: Code<ScaleKind>,
        pub scale_values: Address<f32>,
        pub scale: f32,
        /// N·K terms, or 0.
        pub terms: Address<f32>,
        pub grad: Address<f32>,
    }
}

record! {
    /// `label_smoothing_kl`: the Annotated Transformer criterion, KL summed.
    pub struct LabelSmoothingKlCall {
        pub smoothing: SmoothingParams,
        pub input: Address<f32>,
        pub targets: Address<i32>,
        pub num_rows: u32,
        pub per_row_losses: Address<f32>,
        pub grad: Address<f32>,
    }
}

record! {
    pub struct LossResult {
        pub loss: f64,
    }
}

record! {
    /// `target_entropy`: H(q) of one counted row's smoothed target.
    pub struct TargetEntropyCall {
        pub smoothing: SmoothingParams,
    }
}

record! {
    pub struct EntropyResult {
        pub entropy: f64,
    }
}

record! {
    /// `exp_map`: `out[i] = exp(x[i])` with the kernels' exp (`out` may equal `x`).
    pub struct ExpMapCall {
        pub x: Address<f32>,
        pub len: u32,
        pub out: Address<f32>,
    }
}

record! {
    /// `exp_sum`: `Σ exp(x[i] − shift)` with the exp of the softmax passes (`shift` ≥ every x[i]).
    pub struct ExpSumCall {
        pub x: Address<f32>,
        pub len: u32,
        pub shift: f32,
    }
}

record! {
    /// A slice of `len` f32 at `x`.
    pub struct SliceCall {
        pub x: Address<f32>,
        pub len: u32,
    }
}

record! {
    /// `linear_cross_entropy`: the loss of a linear head `z = h·Wᵀ + b` (softcapped when
    /// `softcap` > 0) and its gradients w.r.t. h, W and b, a chunk of rows at a time, without
    /// the N×V logits (crates/kernels/src/linear_head.rs). V is `smoothing.num_classes`.
    pub struct LinearCrossEntropyCall {
        pub smoothing: SmoothingParams,
        /// D.
        pub hidden_size: u32,
        /// N×D.
        pub hidden: Address<f32>,
        /// V×D.
        pub weight: Address<f32>,
        /// V values, or 0 for none.
        pub bias: Address<f32>,
        pub targets: Address<i32>,
        pub num_rows: u32,
        /// V values, or 0.
        pub class_weights: Address<f32>,
        /// N per-token weights, or 0.
        pub token_weights: Address<f32>,
        pub z_loss: f32,
        /// c > 0 caps the logits as c·tanh(z/c); 0: no cap.
        pub softcap: f32,
        /// N upstream gradients (an unreduced loss), or 0.
        pub upstream_per_row: Address<f32>,
        /// The reduction's factor (packages/labelsmooth/src/losses/reduction.ts).
        pub grad_scale: f64,
        /// Rows per chunk.
        pub chunk_rows: u32,
        /// The chunk buffer and the GEMM's packing buffers: `scratch_len` floats.
        pub scratch: Address<f32>,
        pub scratch_len: u32,
        /// N per-row losses, or 0.
        pub per_row_losses: Address<f32>,
        /// N×D, or 0 for no gradients (then `grad_weight` is 0 too).
        pub grad_hidden: Address<f32>,
        /// V×D, or 0.
        pub grad_weight: Address<f32>,
        /// V, or 0.
        pub grad_bias: Address<f32>,
        /// 1: add the gradients to the values already there; 0: overwrite them.
        pub accumulate: u32,
    }
}

record! {
    /// The sums a `linear_cross_entropy` call produced.
    pub struct LinearCrossEntropyResult {
        /// Σ t_i·L_i over the rows that count.
        pub sum: f64,
        /// Σ t_i·w_{y_i} over the rows that count.
        pub denominator: f64,
    }
}

record! {
    /// `weighted_denominator`: `cross_entropy_denominator` with N per-row (per-token) weights.
    pub struct WeightedDenominatorCall {
        pub smoothing: SmoothingParams,
        pub targets: Address<i32>,
        pub num_rows: u32,
        pub class_weights: Address<f32>,
        /// N values, or 0 for none.
        pub token_weights: Address<f32>,
    }
}

record! {
    /// `linear_scratch_len`: the floats a `linear_cross_entropy` call's scratch must hold.
    pub struct LinearScratchCall {
        pub chunk_rows: u32,
        pub num_classes: u32,
        /// 1 with a softcap (a second chunk buffer), else 0.
        pub softcap: u32,
    }
}

record! {
    pub struct LinearScratchResult {
        /// The length in floats (a f64: it may pass 2³²; the call then cannot be made).
        pub floats: f64,
    }
}

record! {
    /// `gemm_bench`: `C (+)= A·B` with A m×k, B k×n, each row-major or transposed (the
    /// benchmark's GEMM throughput, bench/bench.mjs).
    pub struct GemmCall {
        pub a: Address<f32>,
        pub b: Address<f32>,
        pub c: Address<f32>,
        pub m: u32,
        pub n: u32,
        pub k: u32,
        /// 1: A is stored k×m (read transposed).
        pub a_transposed: u32,
        /// 1: B is stored n×k (read transposed).
        pub b_transposed: u32,
        pub accumulate: u32,
        /// `gemm_workspace_len` floats.
        pub workspace: Address<f32>,
    }
}

kernel_export!(SmoothTargets = smooth_targets(SmoothTargetsCall) -> NoResult);
kernel_export!(CrossEntropy = cross_entropy(CrossEntropyCall) -> CrossEntropyResult);
kernel_export!(CrossEntropyDenominator = cross_entropy_denominator(DenominatorCall) -> DenominatorResult);
kernel_export!(SoftCrossEntropy = soft_cross_entropy(SoftCrossEntropyCall) -> LossSumsResult);
kernel_export!(SigmoidCrossEntropy = sigmoid_cross_entropy(SigmoidCrossEntropyCall) -> LossSumsResult);
kernel_export!(KlDiv = kl_div(KlDivCall) -> LossSumsResult);
kernel_export!(LabelSmoothingKl = label_smoothing_kl(LabelSmoothingKlCall) -> LossResult);
kernel_export!(TargetEntropy = target_entropy(TargetEntropyCall) -> EntropyResult);
kernel_export!(LinearCrossEntropy = linear_cross_entropy(LinearCrossEntropyCall) -> LinearCrossEntropyResult);
kernel_export!(WeightedDenominator = weighted_denominator(WeightedDenominatorCall) -> DenominatorResult);
kernel_export!(LinearScratch = linear_scratch_len(LinearScratchCall) -> LinearScratchResult);
kernel_export!(
    /// The benchmark's GEMM (the linear head's matrix products alone).
    Gemm = gemm(GemmCall) -> NoResult
);
kernel_export!(
    /// The benchmark's exp bound.
    ExpMap = exp_map(ExpMapCall) -> NoResult
);
kernel_export!(
    /// The benchmark's forward-only exp bound.
    ExpSum = exp_sum(ExpSumCall) -> SumResult
);
kernel_export!(
    /// The benchmark's log bound (`Σ ln x[i]`, the transcendental work of `kl_div`).
    LogSum = log_sum(SliceCall) -> SumResult
);
kernel_export!(
    /// The benchmark's softplus bound (`Σ log1p(exp(−|x[i]|))`, the work of `sigmoid_cross_entropy`).
    SoftplusSum = softplus_sum(SliceCall) -> SumResult
);

/// Every code set the TypeScript layer sees.
pub const CODES: &[&Codes] = &[
    &Status::DESCRIPTION,
    &BackendCode::DESCRIPTION,
    &ConventionCode::DESCRIPTION,
    &ScaleKind::DESCRIPTION,
    &TargetForm::DESCRIPTION,
];

/// Every kernel export, in the order the TypeScript file lists them.
pub const KERNEL_EXPORTS: &[&Export] = &[
    &SmoothTargets::DESCRIPTION,
    &CrossEntropy::DESCRIPTION,
    &CrossEntropyDenominator::DESCRIPTION,
    &SoftCrossEntropy::DESCRIPTION,
    &SigmoidCrossEntropy::DESCRIPTION,
    &KlDiv::DESCRIPTION,
    &LabelSmoothingKl::DESCRIPTION,
    &TargetEntropy::DESCRIPTION,
    &ExpMap::DESCRIPTION,
    &ExpSum::DESCRIPTION,
    &LogSum::DESCRIPTION,
    &SoftplusSum::DESCRIPTION,
    &LinearCrossEntropy::DESCRIPTION,
    &WeightedDenominator::DESCRIPTION,
    &LinearScratch::DESCRIPTION,
    &Gemm::DESCRIPTION,
];

/// The exports that are not kernels (`crates/wasm/src/lib.rs`, `memory.rs`): their names and
/// parameters, all numbers; `true` when they return one.
pub const OTHER_EXPORTS: &[(&str, &[&str], bool)] = &[
    ("alloc", &["bytes"], true),
    ("dealloc", &["address", "bytes"], false),
    ("backend", &[], true),
    ("interface_fingerprint", &[], true),
    ("rows_per_chunk", &["num_classes"], true),
];

/// The fingerprint of the whole interface; the wasm build exports it as `interface_fingerprint`.
pub const FINGERPRINT: u32 = crate::describe::fingerprint(CODES, KERNEL_EXPORTS);
