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
    /// `Σ_{c<k, c≠skip} at(c)` in float64, added in class order from 0.
    fn total(self, k: usize, skip: Option<usize>) -> f64 {
        (0..k).filter(|&c| Some(c) != skip).map(|c| self.at(c) as f64).sum()
    }
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
    /// The count, without the loop: adding ones in float64 is exact below 2^53, so this is the
    /// loop's value bit for bit (an empty sum is −0, as `Sum` gives), and a kernel call over a
    /// chunk of a few long rows (the pool's, threads/split.ts) does not pay a serial pass over K.
    #[inline(always)]
    fn total(self, k: usize, skip: Option<usize>) -> f64 {
        match k - usize::from(skip.is_some_and(|c| c < k)) {
            0 => -0.0,
            count => count as f64,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ones_total_is_the_loops_sum_bit_for_bit() {
        for k in [0usize, 1, 2, 7, 1000, 32000, 256_000] {
            let ones = vec![1.0f32; k];
            for skip in [None, Some(0), Some(k / 2), Some(k.saturating_sub(1)), Some(k), Some(usize::MAX)] {
                assert_eq!(
                    Ones.total(k, skip).to_bits(),
                    ones.as_slice().total(k, skip).to_bits(),
                    "k = {k}, skip = {skip:?}"
                );
            }
        }
    }
}
