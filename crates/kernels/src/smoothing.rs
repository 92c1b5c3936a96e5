//! The three label-smoothing conventions, the target values they give and their entropy.
//!
//! Every convention puts `on` on the target class and `off` on every other class of a row; the
//! Annotated Transformer also zeroes a padding column, and rows whose target is ignored (or is the
//! padding class) are all zero. docs/semantics.md §1 derives the values; they are computed in f64 and
//! rounded once, so `on` and `off` are the closest f32 to the exact fractions. [`target_entropy`] is
//! the entropy of such a target row.

use crate::error::KernelError;

/// How the smoothing mass ε is spread over the classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convention {
    /// PyTorch, TF, Keras, tfjs: `(1-ε)·onehot + ε/K`.
    Uniform,
    /// fairseq (since 2021): `1-ε` on the target, `ε/(K-1)` elsewhere.
    Fairseq,
    /// Annotated Transformer / pyitcast: `1-ε` on the target, `ε/(K-2)` elsewhere, the padding
    /// column and every row whose target is the padding class zero.
    Annotated { padding_idx: usize },
}

/// A convention applied to `num_classes` classes with smoothing `epsilon`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Smoothing {
    pub convention: Convention,
    pub num_classes: usize,
    pub epsilon: f64,
    /// A row whose target equals this is all zero and contributes nothing (PyTorch's
    /// `ignore_index`).
    pub ignore_index: i32,
}

/// What one row of targets looks like once the convention is applied.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowTarget {
    /// The row contributes nothing: its target is the ignore index or the padding class.
    Skipped,
    /// `on` at `class`, `off` at every other class except `zeroed_class` (the padding column).
    Smoothed { class: usize },
}

impl Smoothing {
    /// Checks the parameters; kernels call this first and never see an invalid smoothing.
    pub fn validate(&self) -> Result<(), KernelError> {
        let k = self.num_classes;
        let eps_ok = (0.0..=1.0).contains(&self.epsilon);
        let k_ok = match self.convention {
            Convention::Uniform => k >= 1,
            Convention::Fairseq => k >= 2,
            Convention::Annotated { padding_idx } => k >= 3 && padding_idx < k,
        };
        if eps_ok && k_ok {
            Ok(())
        } else {
            Err(KernelError::InvalidSmoothing)
        }
    }

    /// The target value at the target class.
    pub fn on_value(&self) -> f32 {
        let (eps, k) = (self.epsilon, self.num_classes as f64);
        match self.convention {
            Convention::Uniform => (1.0 - eps + eps / k) as f32,
            Convention::Fairseq | Convention::Annotated { .. } => (1.0 - eps) as f32,
        }
    }

    /// The target value at every other (non-padding) class.
    pub fn off_value(&self) -> f32 {
        let (eps, k) = (self.epsilon, self.num_classes as f64);
        match self.convention {
            Convention::Uniform => (eps / k) as f32,
            Convention::Fairseq => (eps / (k - 1.0)) as f32,
            Convention::Annotated { .. } => (eps / (k - 2.0)) as f32,
        }
    }

    /// The column that is zero in every row, if the convention has one.
    pub fn zeroed_class(&self) -> Option<usize> {
        match self.convention {
            Convention::Annotated { padding_idx } => Some(padding_idx),
            _ => None,
        }
    }

    /// Classifies row `row` with target `target`.
    #[inline]
    pub fn row_target(&self, row: usize, target: i32) -> Result<RowTarget, KernelError> {
        if target == self.ignore_index {
            return Ok(RowTarget::Skipped);
        }
        if target < 0 || target as usize >= self.num_classes {
            return Err(KernelError::TargetOutOfRange { row, value: target });
        }
        let class = target as usize;
        if self.zeroed_class() == Some(class) {
            return Ok(RowTarget::Skipped);
        }
        Ok(RowTarget::Smoothed { class })
    }
}

/// `H(q) = −Σ_k q_k ln q_k` of the smoothed target of one non-skipped row (0·ln 0 = 0): the
/// constant that separates the cross-entropy form from the KL form (`KL = CE − H(q)`).
pub fn target_entropy(smoothing: &Smoothing) -> f64 {
    let (on, off) = (smoothing.on_value() as f64, smoothing.off_value() as f64);
    let k = smoothing.num_classes as f64;
    let others = match smoothing.convention {
        Convention::Annotated { .. } => k - 2.0,
        _ => k - 1.0,
    };
    let xlogx = |v: f64| if v == 0.0 { 0.0 } else { v * v.ln() };
    -(xlogx(on) + others * xlogx(off))
}
