//! [`RelaxedSimd`]: [`Simd128`] with its multiply-add on relaxed SIMD's `f32x4.relaxed_madd`.
//! Compiled only for wasm32 with `+simd128,+relaxed-simd` (see `mod.rs`).
//!
//! `relaxed_madd` is fused (one rounding) or not (the product rounded first), as the engine and
//! CPU choose (a fused multiply-add where the CPU has one, as on x64 with FMA3 and on arm64; a
//! multiply and an add elsewhere). Every function written with `mul_add` is tested natively under
//! both readings (`Fused` and `Unfused`, `fused.rs`), and takes its variant for this build where it
//! has one (`F32Vector::RELAXED_MADD`). The kernels' scalar row tails (the last `len mod 4`
//! elements) run on `Scalar`, the arithmetic of the simd128 build (its variants, and the product
//! rounded before the add), so a row's tail and body may differ in the last bits (all within the
//! bounds the exhaustive tests assert).
//!
//! `max` and `min` keep the `pmax`/`pmin` semantics of the trait, written as a comparison and a
//! select: with relaxed SIMD enabled, LLVM compiles `f32x4_pmax`/`f32x4_pmin` (and a
//! `relaxed_laneselect` on a comparison's mask, folded back into the same select) to
//! `relaxed_max`/`relaxed_min`, whose result for a NaN lane is the engine's choice, so that
//! `exp(NaN)` could come out 0 instead of NaN on some engines. The select costs more than one
//! `maxps` (1.10-1.18x fwd+grad in V8, bench/README.md "Relaxed SIMD per engine"), so
//! scripts/build.sh writes each such compare and select of the compiled module back as the
//! `f32x4.pmax`/`f32x4.pmin` it computes (scripts/lib/wasm-rewrite.mjs: the same bits);
//! `test/runtimes/builds.test.ts` checks that the built module holds them and no relaxed
//! instruction but `relaxed_madd`.

use super::{F32Vector, Simd128};
use core::arch::wasm32::*;

/// Four f32 lanes in one wasm `v128`, multiply-adds through `f32x4.relaxed_madd`.
#[derive(Clone, Copy, Debug)]
pub struct RelaxedSimd(pub Simd128);

impl F32Vector for RelaxedSimd {
    const LANES: usize = 4;
    const RELAXED_MADD: bool = true;
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        RelaxedSimd(Simd128(f32x4_relaxed_madd(self.0 .0, b.0 .0, c.0 .0)))
    }
    #[inline(always)]
    fn splat(value: f32) -> Self {
        RelaxedSimd(Simd128::splat(value))
    }
    #[inline(always)]
    fn load(src: &[f32]) -> Self {
        RelaxedSimd(Simd128::load(src))
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32]) {
        self.0.store(dst)
    }
    #[inline(always)]
    unsafe fn load_unchecked(src: *const f32) -> Self {
        // SAFETY: the caller's guarantee is Simd128's.
        RelaxedSimd(Simd128::load_unchecked(src))
    }
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        RelaxedSimd(self.0.add(other.0))
    }
    #[inline(always)]
    fn sub(self, other: Self) -> Self {
        RelaxedSimd(self.0.sub(other.0))
    }
    #[inline(always)]
    fn mul(self, other: Self) -> Self {
        RelaxedSimd(self.0.mul(other.0))
    }
    #[inline(always)]
    fn div(self, other: Self) -> Self {
        RelaxedSimd(self.0.div(other.0))
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        RelaxedSimd::select(self.lt(other), other, self)
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        RelaxedSimd::select(other.lt(self), other, self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        RelaxedSimd(self.0.abs())
    }
    #[inline(always)]
    fn neg(self) -> Self {
        RelaxedSimd(self.0.neg())
    }
    #[inline(always)]
    fn horizontal_sum(self) -> f32 {
        self.0.horizontal_sum()
    }
    #[inline(always)]
    fn horizontal_max(self) -> f32 {
        // Simd128's, with this type's `max` (see the module documentation).
        let v = self.0 .0;
        let pairs = self.max(RelaxedSimd(Simd128(i32x4_shuffle::<2, 3, 0, 1>(v, v)))).0 .0;
        f32x4_extract_lane::<0>(pairs).max(f32x4_extract_lane::<1>(pairs))
    }
    #[inline(always)]
    fn lt(self, other: Self) -> Self {
        RelaxedSimd(self.0.lt(other.0))
    }
    #[inline(always)]
    fn eq(self, other: Self) -> Self {
        RelaxedSimd(self.0.eq(other.0))
    }
    #[inline(always)]
    fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
        RelaxedSimd(Simd128::select(mask.0, if_true.0, if_false.0))
    }
    #[inline(always)]
    fn splat_bits(bits: u32) -> Self {
        RelaxedSimd(Simd128::splat_bits(bits))
    }
    #[inline(always)]
    fn bits_add(self, other: Self) -> Self {
        RelaxedSimd(self.0.bits_add(other.0))
    }
    #[inline(always)]
    fn bits_sub(self, other: Self) -> Self {
        RelaxedSimd(self.0.bits_sub(other.0))
    }
    #[inline(always)]
    fn bits_shl(self, shift: u32) -> Self {
        RelaxedSimd(self.0.bits_shl(shift))
    }
    #[inline(always)]
    fn bits_shr(self, shift: u32) -> Self {
        RelaxedSimd(self.0.bits_shr(shift))
    }
}
