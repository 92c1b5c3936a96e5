//! The small vector abstraction every kernel is written against.
//!
//! A kernel is one generic function over [`F32Vector`]; each instruction set gets a type that
//! implements the trait, and a module (`scalar`, `simd128`) that instantiates the kernels with it.
//! The scalar twin ([`Scalar`], one lane) is the reference and the fallback for engines without
//! SIMD; [`Simd128`] maps every method to one wasm SIMD128 instruction. [`Lanes4`] is a portable
//! four-lane model with exactly the lane arithmetic of `Simd128`, so that native tests exercise
//! the vector-width logic (bodies, tails, horizontal reductions) without a wasm engine.

/// A vector of `LANES` f32 values. Loads and stores are unaligned: callers pass any subslice.
pub trait F32Vector: Copy {
    const LANES: usize;
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

/// The comparison mask values of the one-lane types.
const MASK_TRUE: u32 = u32::MAX;

#[inline(always)]
fn mask(condition: bool) -> f32 {
    f32::from_bits(if condition { MASK_TRUE } else { 0 })
}

#[inline(always)]
fn select_bits(mask: f32, if_true: f32, if_false: f32) -> f32 {
    let m = mask.to_bits();
    f32::from_bits((if_true.to_bits() & m) | (if_false.to_bits() & !m))
}

/// `pmax` of one lane: `if a < b { b } else { a }`.
#[inline(always)]
fn pmax(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// `pmin` of one lane: `if b < a { b } else { a }`.
#[inline(always)]
fn pmin(a: f32, b: f32) -> f32 {
    if b < a {
        b
    } else {
        a
    }
}

#[inline(always)]
fn bits_op(a: f32, b: f32, f: impl Fn(i32, i32) -> i32) -> f32 {
    f32::from_bits(f(a.to_bits() as i32, b.to_bits() as i32) as u32)
}

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

/// Four lanes in an array: the portable model of [`Simd128`] used by native tests.
#[derive(Clone, Copy, Debug)]
pub struct Lanes4(pub [f32; 4]);

impl Lanes4 {
    #[inline(always)]
    fn zip(self, other: Self, f: impl Fn(f32, f32) -> f32) -> Self {
        let (a, b) = (self.0, other.0);
        Lanes4([f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])])
    }
    #[inline(always)]
    fn map(self, f: impl Fn(f32) -> f32) -> Self {
        let a = self.0;
        Lanes4([f(a[0]), f(a[1]), f(a[2]), f(a[3])])
    }
}

impl F32Vector for Lanes4 {
    const LANES: usize = 4;
    #[inline(always)]
    fn splat(value: f32) -> Self {
        Lanes4([value; 4])
    }
    #[inline(always)]
    fn load(src: &[f32]) -> Self {
        Lanes4([src[0], src[1], src[2], src[3]])
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32]) {
        dst[..4].copy_from_slice(&self.0);
    }
    #[inline(always)]
    unsafe fn load_unchecked(src: *const f32) -> Self {
        Lanes4([
            src.read_unaligned(),
            src.add(1).read_unaligned(),
            src.add(2).read_unaligned(),
            src.add(3).read_unaligned(),
        ])
    }
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        self.zip(other, |a, b| a + b)
    }
    #[inline(always)]
    fn sub(self, other: Self) -> Self {
        self.zip(other, |a, b| a - b)
    }
    #[inline(always)]
    fn mul(self, other: Self) -> Self {
        self.zip(other, |a, b| a * b)
    }
    #[inline(always)]
    fn div(self, other: Self) -> Self {
        self.zip(other, |a, b| a / b)
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        self.zip(other, pmax)
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        self.zip(other, pmin)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self.map(f32::abs)
    }
    #[inline(always)]
    fn neg(self) -> Self {
        self.map(|a| -a)
    }
    #[inline(always)]
    fn horizontal_sum(self) -> f32 {
        // Pairwise, in the order Simd128 uses.
        let a = self.0;
        (a[0] + a[2]) + (a[1] + a[3])
    }
    #[inline(always)]
    fn horizontal_max(self) -> f32 {
        let a = self.0;
        pmax(a[0], a[2]).max(pmax(a[1], a[3]))
    }
    #[inline(always)]
    fn lt(self, other: Self) -> Self {
        self.zip(other, |a, b| mask(a < b))
    }
    #[inline(always)]
    fn eq(self, other: Self) -> Self {
        self.zip(other, |a, b| mask(a == b))
    }
    #[inline(always)]
    fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
        let (m, t, f) = (mask.0, if_true.0, if_false.0);
        Lanes4([
            select_bits(m[0], t[0], f[0]),
            select_bits(m[1], t[1], f[1]),
            select_bits(m[2], t[2], f[2]),
            select_bits(m[3], t[3], f[3]),
        ])
    }
    #[inline(always)]
    fn splat_bits(bits: u32) -> Self {
        Lanes4([f32::from_bits(bits); 4])
    }
    #[inline(always)]
    fn bits_add(self, other: Self) -> Self {
        self.zip(other, |a, b| bits_op(a, b, i32::wrapping_add))
    }
    #[inline(always)]
    fn bits_sub(self, other: Self) -> Self {
        self.zip(other, |a, b| bits_op(a, b, i32::wrapping_sub))
    }
    #[inline(always)]
    fn bits_shl(self, shift: u32) -> Self {
        self.map(|a| f32::from_bits(a.to_bits() << shift))
    }
    #[inline(always)]
    fn bits_shr(self, shift: u32) -> Self {
        self.map(|a| f32::from_bits(((a.to_bits() as i32) >> shift) as u32))
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use simd128_impl::Simd128;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128_impl {
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
