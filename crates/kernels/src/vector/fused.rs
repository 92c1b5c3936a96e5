//! [`Fused`] and [`Unfused`]: the relaxed-simd build's arithmetic on a one-lane or four-lane model
//! ([`Scalar`], [`Lanes4`]), one type per reading of wasm's `f32x4.relaxed_madd`, which may be
//! fused or not, by engine and by CPU (V8 fuses it on x64 with FMA and on arm64). `Fused::mul_add`
//! rounds once (`f32::mul_add`); `Unfused::mul_add` rounds the product first (the trait's default,
//! bit for bit what `V` computes). Both set `F32Vector::RELAXED_MADD`, so the functions with a
//! variant for that build (exp.rs's polynomial) take it, as `RelaxedSimd` does. The native tests
//! run every such function under both readings: `Fused<Lanes4>` against its twin `Fused<Scalar>`,
//! and `Unfused<Lanes4>` against `Unfused<Scalar>`. Every other method is the wrapped type's.

use super::{F32Vector, Lanes4, Scalar};

/// `V` with a fused multiply-add (see the module documentation).
#[derive(Clone, Copy, Debug)]
pub struct Fused<V>(pub V);

/// `V` as the relaxed-simd build runs it where `relaxed_madd` is not fused (see the module
/// documentation).
#[derive(Clone, Copy, Debug)]
pub struct Unfused<V>(pub V);

/// The lane models whose lanes `Fused` can reach: a multiply-add applied lane by lane.
pub trait LaneModel: F32Vector {
    fn zip3(self, b: Self, c: Self, f: impl Fn(f32, f32, f32) -> f32) -> Self;
}

impl LaneModel for Scalar {
    #[inline(always)]
    fn zip3(self, b: Self, c: Self, f: impl Fn(f32, f32, f32) -> f32) -> Self {
        Scalar(f(self.0, b.0, c.0))
    }
}

impl LaneModel for Lanes4 {
    #[inline(always)]
    fn zip3(self, b: Self, c: Self, f: impl Fn(f32, f32, f32) -> f32) -> Self {
        let (a, b, c) = (self.0, b.0, c.0);
        Lanes4([f(a[0], b[0], c[0]), f(a[1], b[1], c[1]), f(a[2], b[2], c[2]), f(a[3], b[3], c[3])])
    }
}

/// Every method of `F32Vector` but `mul_add`, the wrapped type's (one definition for both
/// wrappers).
macro_rules! delegate_to_wrapped {
    ($w:ident) => {
        #[inline(always)]
        fn splat(value: f32) -> Self {
            $w(V::splat(value))
        }
        #[inline(always)]
        fn load(src: &[f32]) -> Self {
            $w(V::load(src))
        }
        #[inline(always)]
        fn store(self, dst: &mut [f32]) {
            self.0.store(dst)
        }
        #[inline(always)]
        unsafe fn load_unchecked(src: *const f32) -> Self {
            $w(V::load_unchecked(src))
        }
        #[inline(always)]
        fn add(self, other: Self) -> Self {
            $w(self.0.add(other.0))
        }
        #[inline(always)]
        fn sub(self, other: Self) -> Self {
            $w(self.0.sub(other.0))
        }
        #[inline(always)]
        fn mul(self, other: Self) -> Self {
            $w(self.0.mul(other.0))
        }
        #[inline(always)]
        fn div(self, other: Self) -> Self {
            $w(self.0.div(other.0))
        }
        #[inline(always)]
        fn max(self, other: Self) -> Self {
            $w(self.0.max(other.0))
        }
        #[inline(always)]
        fn min(self, other: Self) -> Self {
            $w(self.0.min(other.0))
        }
        #[inline(always)]
        fn abs(self) -> Self {
            $w(self.0.abs())
        }
        #[inline(always)]
        fn neg(self) -> Self {
            $w(self.0.neg())
        }
        #[inline(always)]
        fn horizontal_sum(self) -> f32 {
            self.0.horizontal_sum()
        }
        #[inline(always)]
        fn horizontal_max(self) -> f32 {
            self.0.horizontal_max()
        }
        #[inline(always)]
        fn lt(self, other: Self) -> Self {
            $w(self.0.lt(other.0))
        }
        #[inline(always)]
        fn eq(self, other: Self) -> Self {
            $w(self.0.eq(other.0))
        }
        #[inline(always)]
        fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
            $w(V::select(mask.0, if_true.0, if_false.0))
        }
        #[inline(always)]
        fn splat_bits(bits: u32) -> Self {
            $w(V::splat_bits(bits))
        }
        #[inline(always)]
        fn bits_add(self, other: Self) -> Self {
            $w(self.0.bits_add(other.0))
        }
        #[inline(always)]
        fn bits_sub(self, other: Self) -> Self {
            $w(self.0.bits_sub(other.0))
        }
        #[inline(always)]
        fn bits_shl(self, shift: u32) -> Self {
            $w(self.0.bits_shl(shift))
        }
        #[inline(always)]
        fn bits_shr(self, shift: u32) -> Self {
            $w(self.0.bits_shr(shift))
        }
    };
}

impl<V: LaneModel> F32Vector for Fused<V> {
    const LANES: usize = V::LANES;
    const RELAXED_MADD: bool = true;
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        Fused(self.0.zip3(b.0, c.0, f32::mul_add))
    }
    delegate_to_wrapped!(Fused);
}

impl<V: F32Vector> F32Vector for Unfused<V> {
    const LANES: usize = V::LANES;
    const RELAXED_MADD: bool = true;
    delegate_to_wrapped!(Unfused);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two readings differ (`Unfused` is the wrapped type's arithmetic): (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴ rounds to 1 + 2⁻¹¹ (a tie, to
    /// even), so adding −(1 + 2⁻¹¹) gives 0 unfused and 2⁻²⁴ fused.
    #[test]
    fn fused_rounds_once() {
        let a = 1.0 + 2f32.powi(-12);
        let c = -(1.0 + 2f32.powi(-11));
        assert_eq!(Scalar(a).mul_add(Scalar(a), Scalar(c)).0, 0.0);
        assert_eq!(Fused(Scalar(a)).mul_add(Fused(Scalar(a)), Fused(Scalar(c))).0 .0, 2f32.powi(-24));
        let lanes = Fused(Lanes4([a; 4])).mul_add(Fused(Lanes4([a; 4])), Fused(Lanes4([c; 4])));
        assert_eq!(lanes.0 .0, [2f32.powi(-24); 4]);
        assert_eq!(Unfused(Scalar(a)).mul_add(Unfused(Scalar(a)), Unfused(Scalar(c))).0 .0, 0.0);
    }
}
