//! Vectorised natural `log` for f32, written once over [`F32Vector`] (the twin of
//! [`crate::exp`]).
//!
//! Why it is shaped this way: the KL divergence needs `ln q` for every element of an arbitrary
//! target, and wasm has no vector `log`, so it is built from the lane arithmetic SIMD128 has. No
//! FMA is assumed (wasm SIMD128 has none).
//!
//! Algorithm, for x > 0:
//! 1. Subnormal x is multiplied by 2^23 (exact) and 23 is taken off its exponent below.
//! 2. `x = 2^e·m` with m in [√½, √2): subtracting the bit pattern of √½ from x's bits puts e in
//!    the (arithmetic-shifted) top bits; the mantissa's bits are x's bits minus `e << 23`. e
//!    becomes an f32 by the magic-bias trick of [`crate::exp`] (|e| < 2^22).
//! 3. `f = m − 1` is exact (Sterbenz), |f| ≤ √2 − 1, and `ln m = ln(1 + f) = 2·atanh(s)` with
//!    `s = f/(2 + f)`, |s| ≤ 0.1716: `2s + s·R`, `R = s²·(2/3 + s²·(2/5 + s²·(2/7 + s²·2/9)))`
//!    (the atanh series; the next term, 2s¹¹/11, is below 3e-9 of the result).
//! 4. Because `2s = f − s·f` and `s·f = hfsq·(1 − s)` with `hfsq = f²/2`, `ln(1 + f)` is evaluated
//!    as `f − (hfsq − s·(hfsq + R))`: f is exact and the bracket is at most about a fifth of it,
//!    so the roundings in s and R are damped by that factor.
//! 5. `ln x = e·LN2_HI + (ln m + e·LN2_LO)` with the two-part ln 2 of [`crate::exp`]: `e·LN2_HI`
//!    is exact (9 significant bits times |e| ≤ 150), so the result rounds once more at the end.
//!
//! Special values, exactly: ±0 → −inf, x < 0 (−inf included) → NaN, NaN → NaN, +inf → +inf,
//! 1 → +0. Accuracy, verified by the exhaustive test in this file (`log_exhaustive_ulp`, every
//! positive finite f32 including the subnormals, through `Lanes4` with the kernels' constants and
//! against the `Scalar` twin bit for bit, ~110 s in release, hence `#[ignore]`; `log_strided_ulp`
//! checks every 97th bit pattern in the normal test run): max error **0.917 ulp** (at
//! x = 0.7033276, just below √½) against ln computed in f64, the same with fused multiply-adds
//! (`log_exhaustive_ulp_fused`, as the relaxed-simd build may run it: see [`crate::exp`]).

use crate::exp::{LN2_HI, LN2_LO, MAGIC, MAGIC_BITS};
use crate::vector::{F32Vector, Scalar};

/// The bit pattern of √½ (0.70710677): mantissas are reduced to [√½, √2).
const SQRT_HALF_BITS: u32 = 0x3F35_04F3;
/// The smallest normal f32.
const MIN_NORMAL: f32 = f32::MIN_POSITIVE;
/// 2^23: scales a subnormal to a normal.
const TWO_POW_23: f32 = 8_388_608.0;
const R1: f32 = 2.0 / 3.0;
const R2: f32 = 2.0 / 5.0;
const R3: f32 = 2.0 / 7.0;
const R4: f32 = 2.0 / 9.0;

/// The splatted constants of [`log`], made opaque to the compiler once per pass (why: see
/// [`crate::exp::ExpConsts`]).
#[derive(Clone, Copy)]
pub struct LogConsts<V> {
    zero: V,
    min_normal: V,
    two_pow_23: V,
    minus_23: V,
    sqrt_half_bits: V,
    magic_bits: V,
    magic: V,
    one: V,
    two: V,
    half: V,
    r1: V,
    r2: V,
    r3: V,
    r4: V,
    ln2_hi: V,
    ln2_lo: V,
    neg_inf: V,
    nan: V,
    inf: V,
}

impl<V: F32Vector> LogConsts<V> {
    /// Values the compiler cannot see through, made once per pass.
    #[inline(always)]
    pub fn opaque() -> Self {
        let opaque = |v: V| core::hint::black_box(v);
        LogConsts {
            zero: opaque(V::splat(0.0)),
            min_normal: opaque(V::splat(MIN_NORMAL)),
            two_pow_23: opaque(V::splat(TWO_POW_23)),
            minus_23: opaque(V::splat(-23.0)),
            sqrt_half_bits: opaque(V::splat_bits(SQRT_HALF_BITS)),
            magic_bits: opaque(V::splat_bits(MAGIC_BITS)),
            magic: opaque(V::splat(MAGIC)),
            one: opaque(V::splat(1.0)),
            two: opaque(V::splat(2.0)),
            half: opaque(V::splat(0.5)),
            r1: opaque(V::splat(R1)),
            r2: opaque(V::splat(R2)),
            r3: opaque(V::splat(R3)),
            r4: opaque(V::splat(R4)),
            ln2_hi: opaque(V::splat(LN2_HI)),
            ln2_lo: opaque(V::splat(LN2_LO)),
            neg_inf: opaque(V::splat(f32::NEG_INFINITY)),
            nan: opaque(V::splat(f32::NAN)),
            inf: opaque(V::splat(f32::INFINITY)),
        }
    }
}

/// `ln` of every lane for finite x > 0, without the special cases (±0, negative, NaN and +inf
/// lanes give finite garbage): the arithmetic part of [`log`], which masks those lanes.
#[inline(always)]
fn log_positive<V: F32Vector>(c: &LogConsts<V>, x: V) -> V {
    // 1. Subnormals up into the normal range.
    let tiny = x.lt(c.min_normal);
    let xs = V::select(tiny, x.mul(c.two_pow_23), x);
    // 2. x = 2^e·m, m in [√½, √2).
    let shifted = xs.bits_sub(c.sqrt_half_bits);
    let e_int = shifted.bits_shr(23);
    let m = xs.bits_sub(e_int.bits_shl(23));
    let e = e_int.bits_add(c.magic_bits).sub(c.magic);
    let e = e.add(V::select(tiny, c.minus_23, c.zero));
    // 3–4. ln m = f − (hfsq − s·(hfsq + R)).
    let f = m.sub(c.one);
    let s = f.div(c.two.add(f));
    let z = s.mul(s);
    let r = z.mul_add(c.r4, c.r3);
    let r = r.mul_add(z, c.r2);
    let r = r.mul_add(z, c.r1);
    let r = r.mul(z);
    let hfsq = c.half.mul(f).mul(f);
    let ln_m = f.sub(hfsq.sub(s.mul(hfsq.add(r))));
    // 5. + e·ln 2 (e·LN2_HI exact, so fusing that product changes nothing); `log` masks the
    // special values.
    e.mul_add(c.ln2_hi, e.mul_add(c.ln2_lo, ln_m))
}

/// `ln` of every lane, with its constants from `c` (see the module documentation for the method,
/// special values and accuracy). The KL kernel runs it on its vector type and on `Scalar` for row
/// tails; `log_exhaustive_ulp` sweeps it through `Lanes4` against the `Scalar` twin.
#[inline(always)]
pub fn log<V: F32Vector>(c: &LogConsts<V>, x: V) -> V {
    let y = log_positive(c, x);
    let y = V::select(x.eq(c.inf), c.inf, y);
    let y = V::select(x.eq(c.zero), c.neg_inf, y);
    let y = V::select(x.lt(c.zero), c.nan, y);
    // NaN lanes (x ≠ x) keep their NaN.
    V::select(x.eq(x), y, x)
}

/// `Σ ln x[i]` with [`log`] (the scalar tail on `Scalar`): the benchmark's log bound (the
/// transcendental work of the KL divergence and nothing else).
pub fn log_sum<V: F32Vector>(x: &[f32]) -> f32 {
    let l = V::LANES;
    let c = LogConsts::<V>::opaque();
    let zero = V::splat(0.0);
    let (mut s0, mut s1) = (zero, zero);
    let mut pairs = x.chunks_exact(2 * l);
    for p in &mut pairs {
        s0 = s0.add(log(&c, V::load(p)));
        s1 = s1.add(log(&c, V::load(&p[l..])));
    }
    let mut s = s0.add(s1).horizontal_sum();
    let sc = LogConsts::<Scalar>::opaque();
    for &v in pairs.remainder() {
        s += log(&sc, Scalar(v)).0;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exp::tests::{sweep, ulp_error, Reading};
    use crate::vector::{Fused, Lanes4};

    /// The bound asserted: the measured maximum (module documentation) with a small margin.
    const MAX_ULP: f64 = 1.0;

    fn ln(x: f32) -> f64 {
        (x as f64).ln()
    }

    /// [`log`] of one f32 on `Scalar`, as the KL kernel's row tails run it.
    fn log_scalar(x: f32) -> f32 {
        log(&LogConsts::<Scalar>::opaque(), Scalar(x)).0
    }

    /// [`log`] through `Lanes4` with the opaque constants of the passes, against `ln` in f64 and
    /// the `Scalar` twin, over the bit patterns `bits`, under `reading` (see [`Reading`]).
    fn sweep_log(reading: Reading, bits: impl Iterator<Item = u32>) -> (f64, f32) {
        match reading {
            Reading::Unfused => {
                let c = LogConsts::<Lanes4>::opaque();
                let sc = LogConsts::<Scalar>::opaque();
                sweep(|v| log(&c, v), |x| log(&sc, Scalar(x)).0, ln, bits)
            }
            Reading::Fused => {
                let c = LogConsts::<Fused<Lanes4>>::opaque();
                let sc = LogConsts::<Fused<Scalar>>::opaque();
                sweep(|v| log(&c, Fused(v)).0, |x| log(&sc, Fused(Scalar(x))).0 .0, ln, bits)
            }
        }
    }

    /// Every positive finite f32 (subnormals included) with bit patterns stepping by `step`.
    fn sweep_positive(reading: Reading, step: usize) -> (f64, f32) {
        sweep_log(reading, (1u32..=f32::MAX.to_bits()).step_by(step))
    }

    #[test]
    fn log_strided_ulp() {
        for reading in [Reading::Unfused, Reading::Fused] {
            let (err, at) = sweep_positive(reading, 97);
            assert!(err <= MAX_ULP, "{reading:?}: max ulp error {err} at {at:e}");
        }
    }

    fn log_exhaustive(reading: Reading) {
        let (err, at) = sweep_positive(reading, 1);
        eprintln!("log ({reading:?}): max ulp error {err:.4} at x = {at:e} ({:#010x})", at.to_bits());
        assert!(err <= MAX_ULP, "{reading:?}: max ulp error {err} at {at:e}");
    }

    /// Every positive finite f32, about 2.1e9 values, product rounded before the add; run with
    /// `--release -- --ignored`.
    #[test]
    #[ignore]
    fn log_exhaustive_ulp() {
        log_exhaustive(Reading::Unfused);
    }

    /// Every positive finite f32, fused multiply-adds.
    #[test]
    #[ignore]
    fn log_exhaustive_ulp_fused() {
        log_exhaustive(Reading::Fused);
    }

    /// Near 1 the result is tiny and relative accuracy is the hard part: every f32 in [0.5, 2].
    #[test]
    fn log_near_one_ulp() {
        for reading in [Reading::Unfused, Reading::Fused] {
            let (err, at) = sweep_log(reading, (0.5f32.to_bits()..=2.0f32.to_bits()).step_by(7));
            assert!(err <= MAX_ULP, "{reading:?}: max ulp error {err} at {at:e}");
        }
    }

    #[test]
    fn log_special_values() {
        assert_eq!(log_scalar(0.0), f32::NEG_INFINITY);
        assert_eq!(log_scalar(-0.0), f32::NEG_INFINITY);
        assert_eq!(log_scalar(f32::INFINITY), f32::INFINITY);
        assert!(log_scalar(f32::NEG_INFINITY).is_nan());
        assert!(log_scalar(-1.0).is_nan());
        assert!(log_scalar(-1e-45).is_nan());
        assert!(log_scalar(f32::NAN).is_nan());
        assert!(log_scalar(-f32::NAN).is_nan());
        assert_eq!(log_scalar(1.0).to_bits(), 0.0f32.to_bits());
        // The ends of the range and subnormals, to the nearest f32 of the f64 value.
        for x in [f32::MAX, f32::MIN_POSITIVE, 1e-45, 1.1e-40, 5.9e-39, core::f32::consts::E, 2.0, 0.5] {
            assert!(ulp_error(log_scalar(x), ln(x)) <= MAX_ULP, "x = {x:e}: {} vs {}", log_scalar(x), ln(x));
        }
    }

    #[test]
    // The f32 neighbours of √½ and √2 on purpose (the ends of the mantissa range).
    #[allow(clippy::approx_constant)]
    fn log_lanes_match_scalar() {
        let xs = [
            0.0f32,
            -0.0,
            1.0,
            1e-45,
            1e-40,
            1.2e-38,
            0.70710677,
            0.7071068,
            1.4142135,
            3.0,
            1e30,
            f32::MAX,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -2.0,
        ];
        let c = LogConsts::<Lanes4>::opaque();
        for ch in xs.chunks(4) {
            let v = log(&c, Lanes4([ch[0], ch[1], ch[2], ch[3]])).0;
            for (x, y) in ch.iter().zip(v) {
                let s = log_scalar(*x);
                assert!(s.to_bits() == y.to_bits() || (s.is_nan() && y.is_nan()), "{x}: {s} vs {y}");
            }
        }
        let sum: f64 = xs[..12].iter().map(|&x| ln(x)).sum();
        let got = log_sum::<Lanes4>(&xs[..12]) as f64;
        assert!(got == f64::NEG_INFINITY && sum == f64::NEG_INFINITY, "{got} vs {sum}");
        let pos = &xs[2..12];
        let want: f64 = pos.iter().map(|&x| ln(x)).sum();
        let mag: f64 = pos.iter().map(|&x| ln(x).abs()).sum();
        // 10 terms of ≤ 1 ulp each, summed in f32 with ≤ 10 roundings of at most ε·mag.
        let got = log_sum::<Lanes4>(pos) as f64;
        assert!((got - want).abs() <= 12.0 * f32::EPSILON as f64 * mag, "{got} vs {want}");
    }
}
