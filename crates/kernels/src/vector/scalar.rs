//! [`Scalar`]: the vector of one lane, the kernels one f32 at a time (the reference, and the build
//! for engines without SIMD).

use super::lane::{bits_op, mask, pmax, pmin, select_bits};
use super::F32Vector;

/// One lane: plain f32 arithmetic.
#[derive(Clone, Copy, Debug)]
pub struct Scalar(pub f32);

impl F32Vector for Scalar {
    const LANES: usize = 1;
    #[inline(always)]
    fn splat(value: f32) -> Self {
        Scalar(value)
    }
    #[inline(always)]
    fn load(src: &[f32]) -> Self {
        Scalar(src[0])
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32]) {
        dst[0] = self.0;
    }
    #[inline(always)]
    unsafe fn load_unchecked(src: *const f32) -> Self {
        Scalar(src.read_unaligned())
    }
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        Scalar(self.0 + other.0)
    }
    #[inline(always)]
    fn sub(self, other: Self) -> Self {
        Scalar(self.0 - other.0)
    }
    #[inline(always)]
    fn mul(self, other: Self) -> Self {
        Scalar(self.0 * other.0)
    }
    #[inline(always)]
    fn div(self, other: Self) -> Self {
        Scalar(self.0 / other.0)
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        Scalar(pmax(self.0, other.0))
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        Scalar(pmin(self.0, other.0))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        Scalar(self.0.abs())
    }
    #[inline(always)]
    fn neg(self) -> Self {
        Scalar(-self.0)
    }
    #[inline(always)]
    fn horizontal_sum(self) -> f32 {
        self.0
    }
    #[inline(always)]
    fn horizontal_max(self) -> f32 {
        self.0
    }
    #[inline(always)]
    fn lt(self, other: Self) -> Self {
        Scalar(mask(self.0 < other.0))
    }
    #[inline(always)]
    fn eq(self, other: Self) -> Self {
        Scalar(mask(self.0 == other.0))
    }
    #[inline(always)]
    fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
        Scalar(select_bits(mask.0, if_true.0, if_false.0))
    }
    #[inline(always)]
    fn splat_bits(bits: u32) -> Self {
        Scalar(f32::from_bits(bits))
    }
    #[inline(always)]
    fn bits_add(self, other: Self) -> Self {
        Scalar(bits_op(self.0, other.0, i32::wrapping_add))
    }
    #[inline(always)]
    fn bits_sub(self, other: Self) -> Self {
        Scalar(bits_op(self.0, other.0, i32::wrapping_sub))
    }
    #[inline(always)]
    fn bits_shl(self, shift: u32) -> Self {
        Scalar(f32::from_bits(self.0.to_bits() << shift))
    }
    #[inline(always)]
    fn bits_shr(self, shift: u32) -> Self {
        Scalar(f32::from_bits(((self.0.to_bits() as i32) >> shift) as u32))
    }
}
