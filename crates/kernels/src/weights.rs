//! Per-class factors read alongside a row: class weights, or nothing. Through the [`Weights`]
//! trait the unweighted case is monomorphised without a multiply-by-one stream or a branch in
//! the loop.

use crate::vector::F32Vector;

/// A per-position factor read alongside a row: a slice of weights, or 1 everywhere.
pub(crate) trait Weights: Copy {
    fn vec<V: F32Vector>(self, i: usize) -> V;
    fn at(self, i: usize) -> f32;
    /// Whether positions `..end` exist (always for [`Ones`]).
    fn covers(self, end: usize) -> bool;
    /// `vec(i)` without a bounds check (hot loops, so that their bodies stay one basic block).
    ///
    /// # Safety
    /// `covers(i + V::LANES)` must hold.
    unsafe fn vec_unchecked<V: F32Vector>(self, i: usize) -> V;
}

/// No weights: 1 everywhere.
#[derive(Clone, Copy)]
pub(crate) struct Ones;

impl Weights for Ones {
    #[inline(always)]
    fn vec<V: F32Vector>(self, _: usize) -> V {
        V::splat(1.0)
    }
    #[inline(always)]
    fn at(self, _: usize) -> f32 {
        1.0
    }
    #[inline(always)]
    fn covers(self, _: usize) -> bool {
        true
    }
    #[inline(always)]
    unsafe fn vec_unchecked<V: F32Vector>(self, _: usize) -> V {
        V::splat(1.0)
    }
}

impl Weights for &[f32] {
    #[inline(always)]
    fn vec<V: F32Vector>(self, i: usize) -> V {
        V::load(&self[i..])
    }
    #[inline(always)]
    fn at(self, i: usize) -> f32 {
        self[i]
    }
    #[inline(always)]
    fn covers(self, end: usize) -> bool {
        end <= self.len()
    }
    #[inline(always)]
    unsafe fn vec_unchecked<V: F32Vector>(self, i: usize) -> V {
        V::load_unchecked(self.as_ptr().add(i))
    }
}
