//! [`Lanes4`]: four lanes in an array, the portable model of `Simd128` (exactly its lane
//! arithmetic and its horizontal reductions), so that native tests exercise the vector-width logic
//! (bodies, tails, horizontal reductions) without a wasm engine.

use super::lane::{bits_op, mask, pmax, pmin, select_bits};
use super::F32Vector;

/// Four lanes in an array: the portable model of `Simd128` used by native tests.
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
