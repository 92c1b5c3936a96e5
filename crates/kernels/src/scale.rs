//! Argument and result types shared by several loss kernels.

use crate::checks::check_len;
use crate::error::KernelError;

/// A factor per row of an N×K problem: the upstream gradient of a per-row loss, or the
/// reduction scale the caller computed (1/N for a mean, tfjs sample weights, ...).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowScale<'a> {
    /// The same factor for every row.
    Uniform(f32),
    /// One factor per row (length N).
    PerRow(&'a [f32]),
}

/// A factor per element of an N×K problem.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ElementScale<'a> {
    /// The same factor for every element.
    Uniform(f32),
    /// One factor per row (length N), shared by the row's K elements.
    PerRow(&'a [f32]),
    /// One factor per element (length N·K, row-major).
    PerElement(&'a [f32]),
}

/// What the elementwise/soft kernels return: the plain sum of the loss values they computed
/// (what 'none' outputs would add up to) and the sum with every value multiplied by its scale
/// (the reduced loss when the scale carries the reduction).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossSums {
    pub sum: f64,
    pub scaled_sum: f64,
}

impl RowScale<'_> {
    pub(crate) fn check(&self, rows: usize) -> Result<(), KernelError> {
        match self {
            RowScale::Uniform(_) => Ok(()),
            RowScale::PerRow(s) => check_len(rows, s.len()),
        }
    }
    #[inline(always)]
    pub(crate) fn at(&self, row: usize) -> f32 {
        match self {
            RowScale::Uniform(s) => *s,
            RowScale::PerRow(s) => s[row],
        }
    }
}

impl ElementScale<'_> {
    pub(crate) fn check(&self, rows: usize, area: usize) -> Result<(), KernelError> {
        match self {
            ElementScale::Uniform(_) => Ok(()),
            ElementScale::PerRow(s) => check_len(rows, s.len()),
            ElementScale::PerElement(s) => check_len(area, s.len()),
        }
    }
}
