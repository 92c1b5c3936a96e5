//! The arithmetic of one f32 lane as wasm SIMD128 defines it (comparison masks, bit select,
//! `pmax`/`pmin`, integer operations on the bit patterns), shared by [`super::Scalar`] and
//! [`super::Lanes4`] so that both compute exactly what a `Simd128` lane does.

/// The comparison mask values of the one-lane types.
const MASK_TRUE: u32 = u32::MAX;

#[inline(always)]
pub(super) fn mask(condition: bool) -> f32 {
    f32::from_bits(if condition { MASK_TRUE } else { 0 })
}

#[inline(always)]
pub(super) fn select_bits(mask: f32, if_true: f32, if_false: f32) -> f32 {
    let m = mask.to_bits();
    f32::from_bits((if_true.to_bits() & m) | (if_false.to_bits() & !m))
}

/// `pmax` of one lane: `if a < b { b } else { a }`.
#[inline(always)]
pub(super) fn pmax(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// `pmin` of one lane: `if b < a { b } else { a }`.
#[inline(always)]
pub(super) fn pmin(a: f32, b: f32) -> f32 {
    if b < a {
        b
    } else {
        a
    }
}

#[inline(always)]
pub(super) fn bits_op(a: f32, b: f32, f: impl Fn(i32, i32) -> i32) -> f32 {
    f32::from_bits(f(a.to_bits() as i32, b.to_bits() as i32) as u32)
}
