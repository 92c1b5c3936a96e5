//! The small vector abstraction every kernel is written against.
//!
//! A kernel is one generic function over [`F32Vector`]; each instruction set gets a type that
//! implements the trait, in its own file: [`Scalar`] (`scalar.rs`, one lane) is the reference and
//! the fallback for engines without SIMD; `Simd128` (`simd128.rs`, compiled for wasm32 with
//! `+simd128`) maps every method to one wasm SIMD128 instruction; [`Lanes4`] (`lanes4.rs`) is a
//! portable four-lane model with exactly the lane arithmetic of `Simd128`, so that native tests
//! exercise the vector-width logic (bodies, tails, horizontal reductions) without a wasm engine.
//! `RelaxedSimd` (`relaxed_simd.rs`, compiled for wasm32 with `+simd128,+relaxed-simd`) is
//! `Simd128` with its multiply-add on `f32x4.relaxed_madd`, which an engine may fuse or not;
//! [`Fused`] and [`Unfused`] (`fused.rs`) wrap `Scalar` or `Lanes4` as the relaxed-simd build
//! runs them under each reading (one rounding per multiply-add, or the product rounded first).
//! `crate::BestVector` names the type a build runs. This file also holds the slice helpers
//! written over the trait (`fill`, `load4`, `store4`).

mod fused;
mod lane;
mod lanes4;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
mod relaxed_simd;
mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

pub use fused::{Fused, Unfused};
pub use lanes4::Lanes4;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
pub use relaxed_simd::RelaxedSimd;
pub use scalar::Scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use simd128::Simd128;

/// A vector of `LANES` f32 values. Loads and stores are unaligned: callers pass any subslice.
pub trait F32Vector: Copy {
    const LANES: usize;
    /// Whether `mul_add` is relaxed SIMD's `f32x4.relaxed_madd` (`RelaxedSimd`) or a model of
    /// one of its readings ([`Fused`], [`Unfused`]): one instruction, fused or not as the engine
    /// chooses. The functions with a variant written for one multiply-add instruction take it
    /// when this is true (the Horner polynomial of `crate::exp`); the other types keep the
    /// arithmetic of the simd128 and scalar builds, whose bits are the reproducible reference.
    const RELAXED_MADD: bool = false;
    fn splat(value: f32) -> Self;
    /// Loads `LANES` values from the start of `src` (which must hold at least that many).
    fn load(src: &[f32]) -> Self;
    /// Stores `LANES` values at the start of `dst` (which must hold at least that many).
    fn store(self, dst: &mut [f32]);
    /// Loads `LANES` values at `src` without a bounds check.
    ///
    /// # Safety
    /// `src` must point to `LANES` readable f32 (any alignment).
    unsafe fn load_unchecked(src: *const f32) -> Self;
    fn add(self, other: Self) -> Self;
    fn sub(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
    fn div(self, other: Self) -> Self;
    /// `self·b + c`, the multiply-add every polynomial and range reduction is written with. Here
    /// the product is rounded before the add, bit for bit `self.mul(b).add(c)`: what SIMD128 (no
    /// FMA) computes. `RelaxedSimd` and [`Fused`] override it (either reading, or one rounding).
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        self.mul(b).add(c)
    }
    /// Lane-wise maximum with wasm `pmax` semantics: `if self < other { other } else { self }`.
    /// A NaN in `other` is ignored, a NaN in `self` is kept. (Every kernel that can see a NaN
    /// turns its row NaN downstream anyway; the point is that all three types agree exactly.)
    fn max(self, other: Self) -> Self;
    /// Lane-wise minimum with wasm `pmin` semantics: `if other < self { other } else { self }`
    /// (a NaN in `self` is kept).
    fn min(self, other: Self) -> Self;
    /// Clears the sign bit.
    fn abs(self) -> Self;
    /// Flips the sign bit.
    fn neg(self) -> Self;
    /// Sum of the lanes, pairwise: `(a0 + a2) + (a1 + a3)` for four lanes.
    fn horizontal_sum(self) -> f32;
    /// `f32::max` of `pmax(a0, a2)` and `pmax(a1, a3)` for four lanes.
    fn horizontal_max(self) -> f32;

    // Comparisons give masks: every bit of a lane set (true) or clear (false). A mask is only
    // meant for `select` and the bit operations, never for arithmetic.
    /// `self < other` lane-wise (false if either is NaN).
    fn lt(self, other: Self) -> Self;
    /// `self == other` lane-wise (false if either is NaN).
    fn eq(self, other: Self) -> Self;
    /// Lane-wise `if mask { if_true } else { if_false }` for a mask from a comparison.
    fn select(mask: Self, if_true: Self, if_false: Self) -> Self;

    // The lanes reinterpreted as i32 (two's complement, wrapping): what the exponent
    // arithmetic of `exp` needs.
    /// Every lane holds the bit pattern `bits`.
    fn splat_bits(bits: u32) -> Self;
    fn bits_add(self, other: Self) -> Self;
    fn bits_sub(self, other: Self) -> Self;
    /// Shift left by `shift` (< 32) bits.
    fn bits_shl(self, shift: u32) -> Self;
    /// Arithmetic (sign-extending) shift right by `shift` (< 32) bits.
    fn bits_shr(self, shift: u32) -> Self;
}

/// Fills `dst` with `value`, a vector at a time.
#[inline(always)]
pub fn fill<V: F32Vector>(dst: &mut [f32], value: f32) {
    let splat = V::splat(value);
    let mut chunks = dst.chunks_exact_mut(V::LANES);
    for chunk in &mut chunks {
        splat.store(chunk);
    }
    chunks.into_remainder().fill(value);
}

/// The four vectors at the start of `c` (which must hold `4·LANES` values).
#[inline(always)]
pub(crate) fn load4<V: F32Vector>(c: &[f32]) -> [V; 4] {
    let l = V::LANES;
    [V::load(c), V::load(&c[l..]), V::load(&c[2 * l..]), V::load(&c[3 * l..])]
}

/// Stores four vectors at the start of `c` (which must hold `4·LANES` values).
#[inline(always)]
pub(crate) fn store4<V: F32Vector>(e: [V; 4], c: &mut [f32]) {
    let l = V::LANES;
    let [e0, e1, e2, e3] = e;
    e0.store(c);
    e1.store(&mut c[l..]);
    e2.store(&mut c[2 * l..]);
    e3.store(&mut c[3 * l..]);
}
