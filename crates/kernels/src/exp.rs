//! Vectorised `exp` for f32, written once over [`F32Vector`].
//!
//! Why it is shaped this way: every softmax-type loss spends most of its time in `exp`, and wasm
//! has no vector `exp`, so it is built from lane arithmetic that SIMD128 has (add, mul, integer
//! add/shift on the bit patterns). No FMA is assumed (wasm SIMD128 has none), so the reduction
//! uses Cody-Waite constants whose products with n are exact, and the polynomial is one degree
//! higher than an FMA design would need (degree 6: a degree-5 fit leaves ~1.05e-7 relative error,
//! up to ~1.8 ulp before any rounding, too close to the 2.5 ulp budget).
//!
//! Algorithm, for x clamped to [-104.5, 89.5] (NaN passes the clamp unchanged):
//! 1. `n = round(x·log2 e)` with the magic-bias trick: adding 1.5·2^23 rounds to an integer
//!    (ties to even) and leaves n in the low mantissa bits; subtracting it back gives n as f32.
//! 2. `r = (x − n·LN2_HI) − n·LN2_LO`: LN2_HI has 9 significant bits, so `n·LN2_HI` is exact for
//!    |n| ≤ 151 and `x − n·LN2_HI` is exact (Sterbenz); |r| ≤ ln2/2 (plus rounding).
//! 3. `p = 1 + (r + r²·(C2 + r·(C3 + r·(C4 + r·(C5 + r·C6)))))`; in the relaxed-simd build, where
//!    a multiply-add is one instruction (`F32Vector::RELAXED_MADD`), Horner to the end,
//!    `p = 1 + r·(1 + r·(C2 + …))`: one instruction fewer, the same coefficients.
//! 4. `exp(x) = (p·2^n1)·2^n2` with `n1 = n >> 1`, `n2 = n − n1`, both powers built from the
//!    integer n in the exponent field. The first product is exact (normal range), the second
//!    rounds once: results in the subnormal range are correctly rounded from p (we return
//!    **correct subnormals**, not flush-to-zero), results beyond f32::MAX overflow to +inf by the
//!    multiplication itself, and x = ±inf needs no special case (clamped; -inf → 0, +inf → inf).
//!
//! Coefficients C2..C6: a minimax fit of the *relative* error of `1 + r + r²·q(r)` to `e^r` on
//! [-ln2/2, ln2/2] (c0 = c1 = 1 fixed so the leading terms are exact), computed in f64 with
//! Lawson's iteratively reweighted least squares on 4000 Chebyshev nodes (200 iterations);
//! max relative error of the real-coefficient fit 3.06e-9 (0.05 ulp). Then rounded to f32.
//! The accuracy of the f32 evaluation is verified by the exhaustive tests in this file, which run
//! each function through `Lanes4` exactly as the kernels call it and check every lane against the
//! `Scalar` twin bit for bit (`exp_exhaustive_ulp`, ~105 s in release, and
//! `exp_nonpositive_exhaustive_ulp`, ~50 s, hence `#[ignore]`; the `_strided_ulp` tests check every
//! 97th bit pattern in the normal test run): max error **0.989 ulp** for both (at x = -27.378984)
//! against exp computed in f64, over every f32 in [-104, 89] (`exp`) and [-104, 0]
//! (`exp_nonpositive`), subnormal results included: what the simd128 and scalar builds compute.
//! Every multiply-add goes through `F32Vector::mul_add`, which the relaxed-simd build runs as
//! `f32x4.relaxed_madd` (fused or not, as the engine chooses), with the Horner variant of step 3;
//! the `_relaxed_unfused` and `_relaxed_fused` twins of the exhaustive tests sweep that build's
//! arithmetic under each reading (`Unfused<Lanes4>` against `Unfused<Scalar>`, `Fused<Lanes4>`
//! against `Fused<Scalar>`): max error **1.176 ulp** unfused for both functions (at x =
//! -71.04553), and fused **0.909 ulp** for `exp` (at x = 5.1997986) and **0.882 ulp** for
//! `exp_nonpositive` (at x = -26.68565). Run them with
//! `RUSTFLAGS="-C target-feature=+fma"` where the CPU has FMA (`f32::mul_add` is then one
//! instruction instead of a libm call; the results are the same).

use crate::checks::check_len;
use crate::error::KernelError;
use crate::vector::{F32Vector, Scalar};

const LOG2E: f32 = core::f32::consts::LOG2_E;
/// ln 2 rounded to 9 significant bits (0x3F318000), written out exactly.
#[allow(clippy::excessive_precision)]
pub(crate) const LN2_HI: f32 = 0.693_359_375;
/// ln 2 − LN2_HI, rounded to f32.
pub(crate) const LN2_LO: f32 = -2.121_944_4e-4;
/// 1.5·2^23: adding it to |v| < 2^22 rounds v to an integer kept in the low mantissa bits.
pub(crate) const MAGIC: f32 = 12_582_912.0;
pub(crate) const MAGIC_BITS: u32 = 0x4B40_0000;
const C2: f32 = 0.499_999_94;
const C3: f32 = 0.166_665_21;
const C4: f32 = 0.041_668_39;
const C5: f32 = 0.008_368_71;
const C6: f32 = 0.001_381_461_3;
/// Below this, exp rounds to 0 (exp(-103.973) = 2^-150 is the last value that rounds up).
const X_MIN: f32 = -104.5;
/// Above this, exp overflows (ln f32::MAX = 88.7228).
const X_MAX: f32 = 89.5;

/// 1.5·2^23 + 191: `t = x·log2 e + MAGIC_SHIFTED` keeps `n + 191` in the low mantissa bits, so
/// `t << 23` is the f32 bit pattern of `2^(n+64)` (for n in [-151, 63]).
const MAGIC_SHIFTED: f32 = 12_583_103.0;
/// 2^-64.
#[allow(clippy::excessive_precision)]
const TWO_POW_M64: f32 = 5.421_010_862_427_522e-20;

/// The vector constants of [`exp_nonpositive`] (and the reduction and polynomial of [`exp`]).
///
/// Two ways to make them, which give bit-identical results and differ only in the code around
/// them: [`ExpConsts::splat`] leaves them compile-time constants, and [`ExpConsts::opaque`] makes
/// them opaque to the compiler once per pass. Why the passes that store use `opaque`: LLVM emits a
/// `v128.const` at every use of a splatted constant (cheap in wasm's cost model), and V8
/// materialises each one as three x64 instructions; in loops whose body has more than one basic
/// block (bounds checks) it does so on every iteration, which halved the speed of the exp passes
/// that store. Passing the constants through `black_box` once, before the loop, makes them
/// ordinary values that live in registers (or one reload) across the loop.
#[derive(Clone, Copy)]
pub struct ExpConsts<V> {
    x_min: V,
    log2e: V,
    magic_shifted: V,
    neg_ln2_hi: V,
    neg_ln2_lo: V,
    c2: V,
    c3: V,
    c4: V,
    c5: V,
    c6: V,
    one: V,
    two_pow_m64: V,
}

impl<V: F32Vector> ExpConsts<V> {
    /// The constants made by `make`: `V::splat`, or `V::splat` through `black_box`.
    #[inline(always)]
    fn build(make: impl Fn(f32) -> V) -> Self {
        ExpConsts {
            x_min: make(X_MIN),
            log2e: make(LOG2E),
            magic_shifted: make(MAGIC_SHIFTED),
            neg_ln2_hi: make(-LN2_HI),
            neg_ln2_lo: make(-LN2_LO),
            c2: make(C2),
            c3: make(C3),
            c4: make(C4),
            c5: make(C5),
            c6: make(C6),
            one: make(1.0),
            two_pow_m64: make(TWO_POW_M64),
        }
    }

    /// Compile-time constants (a `v128.const` at each use).
    #[inline(always)]
    pub fn splat() -> Self {
        Self::build(V::splat)
    }

    /// Values the compiler cannot see through, made once (see the type's documentation).
    #[inline(always)]
    pub fn opaque() -> Self {
        Self::build(|v| core::hint::black_box(V::splat(v)))
    }
}

/// Steps 1–3 of the module documentation, the one place the range reduction and the polynomial
/// are written: `n = round(x·log2 e)` by adding `magic` (1.5·2^23 + b, which leaves `n + b` in
/// the low mantissa bits of `t`), `r = (x − n·LN2_HI) − n·LN2_LO` and `p ≈ e^r`. Returns `(p, t)`;
/// the callers build `2^n` from `t`.
#[inline(always)]
fn reduce<V: F32Vector>(c: &ExpConsts<V>, magic: V, x: V) -> (V, V) {
    let t = x.mul_add(c.log2e, magic);
    let n = t.sub(magic);
    // x + n·(−LN2_HI) is x − n·LN2_HI bit for bit (negation is exact), and exact either way.
    let r = n.mul_add(c.neg_ln2_hi, x);
    let r = n.mul_add(c.neg_ln2_lo, r);
    let q = c.c6.mul_add(r, c.c5);
    let q = q.mul_add(r, c.c4);
    let q = q.mul_add(r, c.c3);
    let q = q.mul_add(r, c.c2);
    let p = if V::RELAXED_MADD { finish_horner(c, r, q) } else { finish_exact_leading(c, r, q) };
    (p, t)
}

/// `p = 1 + (r + r²·q)`, the simd128 and scalar builds' last steps: `1 + r` is added last, so
/// the leading terms are exact without FMA; three operations (a product, a multiply-add, an add).
#[inline(always)]
fn finish_exact_leading<V: F32Vector>(c: &ExpConsts<V>, r: V, q: V) -> V {
    c.one.add(r.mul(r).mul_add(q, r))
}

/// `p = 1 + r·(1 + r·q)`, the relaxed-simd build's last steps (`F32Vector::RELAXED_MADD`): Horner
/// to the end, two multiply-adds, one instruction fewer than [`finish_exact_leading`] where a
/// multiply-add is one instruction. The same coefficients; `exp_exhaustive_ulp_relaxed_*` bound
/// it under both readings of `relaxed_madd`.
#[inline(always)]
fn finish_horner<V: F32Vector>(c: &ExpConsts<V>, r: V, q: V) -> V {
    q.mul_add(r, c.one).mul_add(r, c.one)
}

/// `exp` of every lane, any argument (see the module documentation for the method and its
/// accuracy): step 4 on `reduce`. The elementwise kernels run it (sigmoid, log-target KL,
/// `exp_slice`). Accuracy: `exp_exhaustive_ulp` (every f32 in [-104, 89], through `Lanes4`).
#[inline(always)]
pub fn exp<V: F32Vector>(x: V) -> V {
    let c = ExpConsts::<V>::splat();
    let bounds = (c.x_min, V::splat(X_MAX));
    // In the relaxed-simd build the clamp bounds are opaque: against a constant LLVM turns the
    // compare and select of `max` and `min` into relaxed_max/relaxed_min, whose result for a NaN
    // lane is the engine's choice (NaN or the bound); opaque, they keep `pmax`/`pmin` semantics.
    // (The other builds keep the constants: the same results, and their code as it was.)
    #[cfg(target_feature = "relaxed-simd")]
    let bounds = core::hint::black_box(bounds);
    let x = x.max(bounds.0).min(bounds.1);
    let (p, t) = reduce(&c, V::splat(MAGIC), x);
    // The integer n, then 2^n1 and 2^n2 as f32 bit patterns.
    let n_int = t.bits_sub(V::splat_bits(MAGIC_BITS));
    let n1 = n_int.bits_shr(1);
    let n2 = n_int.bits_sub(n1);
    let bias = V::splat_bits(127);
    let s1 = n1.bits_add(bias).bits_shl(23);
    let s2 = n2.bits_add(bias).bits_shl(23);
    p.mul(s1).mul(s2)
}

/// `exp` of every lane for arguments ≤ 0 (or NaN), the case of every softmax-type pass
/// (`x − max`), with its constants from `c`: `reduce` with no upper clamp and a cheaper
/// reconstruction than [`exp`]. `2^n` is split as `2^(n+64)·2^-64`: `2^(n+64)` is one shift of
/// the magic-biased t (n ≥ -151 keeps it normal), `p·2^(n+64)` is exact, and the product with
/// `2^-64` rounds once, so subnormal results are correctly rounded exactly as in [`exp`]. 9 lane
/// operations fewer than [`exp`] per vector. Positive arguments above 43 give wrong results.
/// Accuracy: `exp_nonpositive_exhaustive_ulp` (every f32 in [-104, 0], through `Lanes4` with
/// [`ExpConsts::opaque`], as the passes run it).
#[inline(always)]
pub fn exp_nonpositive<V: F32Vector>(c: &ExpConsts<V>, x: V) -> V {
    let x = x.max(c.x_min);
    let (p, t) = reduce(c, c.magic_shifted, x);
    p.mul(t.bits_shl(23)).mul(c.two_pow_m64)
}

/// [`exp_nonpositive`] of one f32, with exactly its lane arithmetic (row tails).
#[inline(always)]
pub fn exp_nonpositive_scalar(x: f32) -> f32 {
    exp_nonpositive(&ExpConsts::splat(), Scalar(x)).0
}

/// `exp` of one f32 with exactly the lane arithmetic of [`exp`] (row tails).
#[inline(always)]
pub fn exp_scalar(x: f32) -> f32 {
    exp(Scalar(x)).0
}

/// `out[i] = exp(x[i])`.
pub fn exp_slice<V: F32Vector>(x: &[f32], out: &mut [f32]) -> Result<(), KernelError> {
    check_len(x.len(), out.len())?;
    let l = V::LANES;
    let body = x.len() - x.len() % l;
    let mut i = 0;
    while i < body {
        exp(V::load(&x[i..])).store(&mut out[i..]);
        i += l;
    }
    for j in body..x.len() {
        out[j] = exp_scalar(x[j]);
    }
    Ok(())
}

/// `x[i] ← exp(x[i])` in place.
pub fn exp_in_place<V: F32Vector>(x: &mut [f32]) {
    let l = V::LANES;
    let mut chunks = x.chunks_exact_mut(l);
    for c in &mut chunks {
        exp(V::load(c)).store(c);
    }
    for v in chunks.into_remainder() {
        *v = exp_scalar(*v);
    }
}

/// `Σ exp(x[i] − shift)` with [`exp_nonpositive`] (so `shift` must be ≥ every `x[i]`): the
/// forward-only exp bound, exactly the arithmetic of the softmax passes without their other work.
pub fn exp_sum<V: F32Vector>(x: &[f32], shift: f32) -> f32 {
    let l = V::LANES;
    let k = ExpConsts::<V>::opaque();
    let (zero, sv) = (V::splat(0.0), V::splat(shift));
    let (mut s0, mut s1) = (zero, zero);
    let mut pairs = x.chunks_exact(2 * l);
    for c in &mut pairs {
        s0 = s0.add(exp_nonpositive(&k, V::load(c).sub(sv)));
        s1 = s1.add(exp_nonpositive(&k, V::load(&c[l..]).sub(sv)));
    }
    let mut s = s0.add(s1).horizontal_sum();
    for &v in pairs.remainder() {
        s += exp_nonpositive_scalar(v - shift);
    }
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::vector::{Fused, Lanes4, Unfused};

    /// Error of `got` in units of the f32 ulp at the exact value `exact`.
    pub(crate) fn ulp_error(got: f32, exact: f64) -> f64 {
        if exact == 0.0 {
            return if got == 0.0 { 0.0 } else { f64::INFINITY };
        }
        let rounded = exact as f32;
        if rounded.is_infinite() {
            return if got == rounded { 0.0 } else { f64::INFINITY };
        }
        // ulp of the binade of |exact| (subnormals: 2^-149).
        let e = (exact.abs().log2().floor() as i32).max(-126);
        let ulp = 2f64.powi(e - 23);
        ((got as f64) - exact).abs() / ulp
    }

    /// The worst ulp error of the vector function `f` against its f64 `reference` over the given
    /// bit patterns, and where. `f` runs on [`Lanes4`] (the lane model of SIMD128), four bit
    /// patterns at a time, exactly as the kernels call it; every lane must also equal `twin` (the
    /// same function on one [`Scalar`], what the row tails run) bit for bit.
    pub(crate) fn sweep(
        f: impl Fn(Lanes4) -> Lanes4,
        twin: impl Fn(f32) -> f32,
        reference: fn(f32) -> f64,
        bits: impl Iterator<Item = u32>,
    ) -> (f64, f32) {
        let mut worst = (0.0f64, 0.0f32);
        let mut check = |lanes: &[f32]| {
            let mut v = [lanes[0]; 4];
            v[..lanes.len()].copy_from_slice(lanes);
            let got = f(Lanes4(v)).0;
            for (&x, &y) in v.iter().zip(&got) {
                let s = twin(x);
                assert!(s.to_bits() == y.to_bits() || (s.is_nan() && y.is_nan()), "{x:e}: scalar {s:e}, lanes {y:e}");
                let err = ulp_error(y, reference(x));
                if err > worst.0 {
                    worst = (err, x);
                }
            }
        };
        let (mut lanes, mut n) = ([0.0f32; 4], 0);
        for b in bits {
            lanes[n] = f32::from_bits(b);
            n += 1;
            if n == 4 {
                check(&lanes);
                n = 0;
            }
        }
        if n > 0 {
            check(&lanes[..n]);
        }
        worst
    }

    /// The bound asserted for both functions: the budget the polynomial was chosen for (module
    /// documentation).
    const MAX_ULP: f64 = 2.5;

    fn exp64(x: f32) -> f64 {
        (x as f64).exp()
    }

    /// The two readings of `f32x4.relaxed_madd` the relaxed build may run under (the engine and
    /// CPU choose): the product rounded before the add or one rounding. For a function without a
    /// relaxed variant (`log`) the unfused reading is `Lanes4` / `Scalar` themselves, also exactly
    /// what the simd128 and scalar builds compute; `exp` has one (`Build`).
    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Reading {
        Unfused,
        Fused,
    }

    /// The arithmetic `exp` runs with in each build: the simd128 and scalar builds (`Lanes4` /
    /// `Scalar`), and the relaxed-simd build under either reading (`Unfused` / `Fused` around
    /// them), which takes the Horner variant (`F32Vector::RELAXED_MADD`).
    #[derive(Clone, Copy, Debug)]
    enum Build {
        Simd128,
        Relaxed(Reading),
    }

    const BUILDS: [Build; 3] = [Build::Simd128, Build::Relaxed(Reading::Unfused), Build::Relaxed(Reading::Fused)];

    /// [`exp`] in `build`: the vector function on four lanes and its one-lane twin.
    fn exp_under(build: Build) -> (impl Fn(Lanes4) -> Lanes4, impl Fn(f32) -> f32) {
        let lanes = move |v: Lanes4| match build {
            Build::Simd128 => exp(v),
            Build::Relaxed(Reading::Unfused) => exp(Unfused(v)).0,
            Build::Relaxed(Reading::Fused) => exp(Fused(v)).0,
        };
        let one = move |x: f32| match build {
            Build::Simd128 => exp_scalar(x),
            Build::Relaxed(Reading::Unfused) => exp(Unfused(Scalar(x))).0 .0,
            Build::Relaxed(Reading::Fused) => exp(Fused(Scalar(x))).0 .0,
        };
        (lanes, one)
    }

    /// [`exp`] over [0, 89] and [-104, -0] in `build`.
    fn sweep_exp(build: Build, step: usize) -> (f64, f32) {
        let pos = (0u32..=89f32.to_bits()).step_by(step);
        let neg = (0x8000_0000u32..=(-104f32).to_bits()).step_by(step);
        let (f, twin) = exp_under(build);
        let (a, b) = (sweep(&f, &twin, exp64, pos), sweep(&f, &twin, exp64, neg));
        if a.0 >= b.0 {
            a
        } else {
            b
        }
    }

    #[test]
    fn exp_strided_ulp() {
        for build in BUILDS {
            let (err, at) = sweep_exp(build, 97);
            assert!(err <= MAX_ULP, "{build:?}: max ulp error {err} at {at:e}");
        }
    }

    fn exp_exhaustive(build: Build) {
        let (err, at) = sweep_exp(build, 1);
        eprintln!("exp ({build:?}): max ulp error {err:.4} at x = {at:e} ({:#010x})", at.to_bits());
        assert!(err <= MAX_ULP, "{build:?}: max ulp error {err} at {at:e}");
    }

    /// Every f32 in [-104, 89], as the simd128 and scalar builds compute. About 2.2e9 values; run
    /// with `--release -- --ignored`.
    #[test]
    #[ignore]
    fn exp_exhaustive_ulp() {
        exp_exhaustive(Build::Simd128);
    }

    /// Every f32 in [-104, 89], the relaxed build where the engine does not fuse.
    #[test]
    #[ignore]
    fn exp_exhaustive_ulp_relaxed_unfused() {
        exp_exhaustive(Build::Relaxed(Reading::Unfused));
    }

    /// Every f32 in [-104, 89], the relaxed build where the engine fuses.
    #[test]
    #[ignore]
    fn exp_exhaustive_ulp_relaxed_fused() {
        exp_exhaustive(Build::Relaxed(Reading::Fused));
    }

    /// The relaxed build runs its own variant (`F32Vector::RELAXED_MADD`), not the simd128 build's
    /// arithmetic under another name: with the same unfused multiply-adds, the two ends of the
    /// polynomial round differently for some inputs.
    #[test]
    fn relaxed_build_takes_the_horner_variant() {
        let differ = (0..10_000)
            .map(|i| -20.0 + i as f32 * 0.002_5)
            .filter(|&x| exp(Unfused(Scalar(x))).0 .0 != exp_scalar(x))
            .count();
        assert!(differ > 0, "the relaxed variant gave the simd128 build's bits for every input");
    }

    /// [`exp_nonpositive`] over [-104, -0] in `build`, with the opaque constants of the passes.
    fn sweep_nonpositive(build: Build, step: usize) -> (f64, f32) {
        let bits = (0x8000_0000u32..=(-104f32).to_bits()).step_by(step);
        match build {
            Build::Simd128 => {
                let c = ExpConsts::<Lanes4>::opaque();
                sweep(|v| exp_nonpositive(&c, v), exp_nonpositive_scalar, exp64, bits)
            }
            Build::Relaxed(Reading::Unfused) => {
                let c = ExpConsts::<Unfused<Lanes4>>::opaque();
                let sc = ExpConsts::<Unfused<Scalar>>::splat();
                let twin = |x| exp_nonpositive(&sc, Unfused(Scalar(x))).0 .0;
                sweep(|v| exp_nonpositive(&c, Unfused(v)).0, twin, exp64, bits)
            }
            Build::Relaxed(Reading::Fused) => {
                let c = ExpConsts::<Fused<Lanes4>>::opaque();
                let sc = ExpConsts::<Fused<Scalar>>::splat();
                let twin = |x| exp_nonpositive(&sc, Fused(Scalar(x))).0 .0;
                sweep(|v| exp_nonpositive(&c, Fused(v)).0, twin, exp64, bits)
            }
        }
    }

    #[test]
    fn exp_nonpositive_strided_ulp() {
        for build in BUILDS {
            let (err, at) = sweep_nonpositive(build, 97);
            assert!(err <= MAX_ULP, "{build:?}: max ulp error {err} at {at:e}");
        }
    }

    fn exp_nonpositive_exhaustive(build: Build) {
        let (err, at) = sweep_nonpositive(build, 1);
        eprintln!("exp_nonpositive ({build:?}): max ulp error {err:.4} at x = {at:e} ({:#010x})", at.to_bits());
        assert!(err <= MAX_ULP, "{build:?}: max ulp error {err} at {at:e}");
    }

    /// Every f32 in [-104, -0], as the simd128 and scalar builds compute; run with
    /// `--release -- --ignored`.
    #[test]
    #[ignore]
    fn exp_nonpositive_exhaustive_ulp() {
        exp_nonpositive_exhaustive(Build::Simd128);
    }

    /// Every f32 in [-104, -0], the relaxed build where the engine does not fuse.
    #[test]
    #[ignore]
    fn exp_nonpositive_exhaustive_ulp_relaxed_unfused() {
        exp_nonpositive_exhaustive(Build::Relaxed(Reading::Unfused));
    }

    /// Every f32 in [-104, -0], the relaxed build where the engine fuses.
    #[test]
    #[ignore]
    fn exp_nonpositive_exhaustive_ulp_relaxed_fused() {
        exp_nonpositive_exhaustive(Build::Relaxed(Reading::Fused));
    }

    #[test]
    fn exp_nonpositive_special_values() {
        let e = exp_nonpositive_scalar;
        assert_eq!(e(f32::NEG_INFINITY), 0.0);
        assert!(e(f32::NAN).is_nan());
        assert_eq!(e(0.0), 1.0);
        assert_eq!(e(-0.0), 1.0);
        assert_eq!(e(-104.0), 0.0);
        assert_eq!(e(-1e30), 0.0);
        for x in [-87.5f32, -90.0, -95.25, -100.0, -103.0, -103.9, -1e-30, -0.5, -10.0, -50.0] {
            assert_eq!(e(x), (x as f64).exp() as f32, "x = {x}");
        }
        // Lanes (with the passes' opaque constants) agree with the scalar twin.
        let c = ExpConsts::<Lanes4>::opaque();
        let xs = [-110.0f32, -104.0, -87.4, -1.5, -0.0, f32::NAN, f32::NEG_INFINITY, -1e-30];
        for ch in xs.chunks(4) {
            let v = exp_nonpositive(&c, Lanes4([ch[0], ch[1], ch[2], ch[3]])).0;
            for (x, y) in ch.iter().zip(v) {
                let s = e(*x);
                assert!(s.to_bits() == y.to_bits() || (s.is_nan() && y.is_nan()), "{x}: {s} vs {y}");
            }
        }
    }

    #[test]
    fn exp_special_values() {
        assert_eq!(exp_scalar(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_scalar(f32::INFINITY), f32::INFINITY);
        assert!(exp_scalar(f32::NAN).is_nan());
        assert_eq!(exp_scalar(0.0), 1.0);
        assert_eq!(exp_scalar(-0.0), 1.0);
        assert_eq!(exp_scalar(88.8), f32::INFINITY);
        assert_eq!(exp_scalar(-104.0), 0.0);
        assert_eq!(exp_scalar(-200.0), 0.0);
        assert_eq!(exp_scalar(1e30), f32::INFINITY);
        assert!(exp_scalar(88.72283).is_finite());
        // Subnormal results are correctly rounded.
        for x in [-87.5f32, -90.0, -95.25, -100.0, -103.0, -103.9] {
            assert_eq!(exp_scalar(x), (x as f64).exp() as f32, "x = {x}");
        }
    }

    #[test]
    fn exp_lanes_match_scalar() {
        let xs = [
            -110.0f32,
            -104.0,
            -87.4,
            -1.5,
            -0.0,
            0.3,
            1.0,
            10.0,
            88.7,
            89.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            1e-30,
            -1e-30,
            0.346_573_6,
        ];
        let mut lanes = [0.0f32; 16];
        exp_slice::<Lanes4>(&xs, &mut lanes).unwrap();
        for (x, y) in xs.iter().zip(lanes) {
            let s = exp_scalar(*x);
            assert!(s.to_bits() == y.to_bits() || (s.is_nan() && y.is_nan()), "{x}: {s} vs {y}");
        }
    }
}
