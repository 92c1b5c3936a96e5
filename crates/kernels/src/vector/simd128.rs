//! [`Simd128`]: four f32 lanes in one wasm `v128`, every method one SIMD128 instruction. Compiled
//! only for wasm32 with `+simd128` (see `mod.rs`).

use super::F32Vector;
use core::arch::wasm32::*;

/// Four f32 lanes in one wasm `v128`.
#[derive(Clone, Copy, Debug)]
pub struct Simd128(pub v128);

impl F32Vector for Simd128 {
    const LANES: usize = 4;
    #[inline(always)]
    fn splat(value: f32) -> Self {
        Simd128(f32x4_splat(value))
    }
    #[inline(always)]
    fn load(src: &[f32]) -> Self {
        let src = &src[..4];
        // SAFETY: `src` holds four f32 (checked above); wasm loads may be unaligned.
        Simd128(unsafe { v128_load(src.as_ptr() as *const v128) })
    }
    #[inline(always)]
    unsafe fn load_unchecked(src: *const f32) -> Self {
        // SAFETY: the caller guarantees four readable f32; wasm loads may be unaligned.
        Simd128(v128_load(src as *const v128))
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32]) {
        let dst = &mut dst[..4];
        // SAFETY: `dst` holds four f32 (checked above); wasm stores may be unaligned.
        unsafe { v128_store(dst.as_mut_ptr() as *mut v128, self.0) }
    }
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        Simd128(f32x4_add(self.0, other.0))
    }
    #[inline(always)]
    fn sub(self, other: Self) -> Self {
        Simd128(f32x4_sub(self.0, other.0))
    }
    #[inline(always)]
    fn mul(self, other: Self) -> Self {
        Simd128(f32x4_mul(self.0, other.0))
    }
    #[inline(always)]
    fn div(self, other: Self) -> Self {
        Simd128(f32x4_div(self.0, other.0))
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        Simd128(f32x4_pmax(self.0, other.0))
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        Simd128(f32x4_pmin(self.0, other.0))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        Simd128(f32x4_abs(self.0))
    }
    #[inline(always)]
    fn neg(self) -> Self {
        Simd128(f32x4_neg(self.0))
    }
    #[inline(always)]
    fn lt(self, other: Self) -> Self {
        Simd128(f32x4_lt(self.0, other.0))
    }
    #[inline(always)]
    fn eq(self, other: Self) -> Self {
        Simd128(f32x4_eq(self.0, other.0))
    }
    #[inline(always)]
    fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
        Simd128(v128_bitselect(if_true.0, if_false.0, mask.0))
    }
    #[inline(always)]
    fn splat_bits(bits: u32) -> Self {
        Simd128(u32x4_splat(bits))
    }
    #[inline(always)]
    fn bits_add(self, other: Self) -> Self {
        Simd128(i32x4_add(self.0, other.0))
    }
    #[inline(always)]
    fn bits_sub(self, other: Self) -> Self {
        Simd128(i32x4_sub(self.0, other.0))
    }
    #[inline(always)]
    fn bits_shl(self, shift: u32) -> Self {
        Simd128(i32x4_shl(self.0, shift))
    }
    #[inline(always)]
    fn bits_shr(self, shift: u32) -> Self {
        Simd128(i32x4_shr(self.0, shift))
    }
    #[inline(always)]
    fn horizontal_sum(self) -> f32 {
        let v = self.0;
        let pairs = f32x4_add(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
        f32x4_extract_lane::<0>(pairs) + f32x4_extract_lane::<1>(pairs)
    }
    #[inline(always)]
    fn horizontal_max(self) -> f32 {
        let v = self.0;
        let pairs = f32x4_pmax(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
        f32x4_extract_lane::<0>(pairs).max(f32x4_extract_lane::<1>(pairs))
    }
}
