//! [`KernelError`]: why a kernel refused its input, the one error type of every kernel.

/// Why a kernel refused its input. The JavaScript layer validates shapes and options before it
/// calls a kernel; per-element facts (a target out of range) are found here, in the same pass
/// that computes, and reported with the row they were found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelError {
    /// `targets[row] == value` is neither a class in `[0, K)` nor the ignore index.
    TargetOutOfRange { row: usize, value: i32 },
    /// A slice's length does not match the shape the call describes.
    LengthMismatch { expected: usize, received: usize },
    /// The smoothing parameters cannot describe a distribution (ε not in [0, 1], K = 0,
    /// the annotated convention with K < 3 or a padding index ≥ K, fairseq with K < 2).
    InvalidSmoothing,
}
