//! Row primitives shared by the softmax losses: max, the fused exp pass, the in-place gradient
//! rescale, plain sums. Each walks a (sub)slice once, with two independent vector accumulators
//! so that consecutive `exp`s and adds overlap, then whole vectors, then a scalar tail with the
//! exact lane arithmetic of the vector body (`exp_scalar`).
//!
//! Per-class factors (class weights, or nothing) come in through [`Weights`], so that the
//! unweighted case is monomorphised without a multiply-by-one stream or a branch in the loop.

use crate::exp::{exp, exp_scalar};
use crate::vector::F32Vector;

/// A per-position factor read alongside a row: a slice of weights, or 1 everywhere.
pub(crate) trait Weights: Copy {
    fn vec<V: F32Vector>(self, i: usize) -> V;
    fn at(self, i: usize) -> f32;
    /// The factors from position `start` on.
    fn offset(self, start: usize) -> Self;
}

/// No weights: 1 everywhere.
#[derive(Clone, Copy)]
pub(crate) struct Ones;

impl Weights for Ones {
    #[inline(always)]
    fn vec<V: F32Vector>(self, _: usize) -> V {
        V::splat(1.0)
    }
    #[inline(always)]
    fn at(self, _: usize) -> f32 {
        1.0
    }
    #[inline(always)]
    fn offset(self, _: usize) -> Self {
        Ones
    }
}

impl Weights for &[f32] {
    #[inline(always)]
    fn vec<V: F32Vector>(self, i: usize) -> V {
        V::load(&self[i..])
    }
    #[inline(always)]
    fn at(self, i: usize) -> f32 {
        self[i]
    }
    #[inline(always)]
    fn offset(self, start: usize) -> Self {
        &self[start..]
    }
}

/// `max_k x_k` (wasm `pmax` semantics lane-wise; a row holding a NaN turns NaN downstream
/// because its `x − m` is NaN whatever `m` is). `x` must not be empty.
#[inline(always)]
pub(crate) fn row_max<V: F32Vector>(x: &[f32]) -> f32 {
    let (k, l) = (x.len(), V::LANES);
    let mut i = 0;
    let mut m = f32::NEG_INFINITY;
    if k >= l {
        let (mut m0, mut m1) = (V::load(x), V::load(x));
        i = l;
        while i + 2 * l <= k {
            m0 = m0.max(V::load(&x[i..]));
            m1 = m1.max(V::load(&x[i + l..]));
            i += 2 * l;
        }
        if i + l <= k {
            m0 = m0.max(V::load(&x[i..]));
            i += l;
        }
        m = m0.max(m1).horizontal_max();
    }
    for &v in &x[i..] {
        m = if m < v { v } else { m };
    }
    m
}

/// The fused exp pass over one segment of a row: returns `(Σ e_k, Σ w_k·d_k)` with
/// `d_k = x_k − m`, `e_k = exp(d_k)`, and when `STORE` writes `e_k` to `e_out` (same length as
/// `x`; ignored otherwise).
#[inline(always)]
pub(crate) fn exp_pass<V: F32Vector, W: Weights, const STORE: bool>(
    x: &[f32],
    w: W,
    m: f32,
    e_out: &mut [f32],
) -> (f32, f32) {
    let (k, l) = (x.len(), V::LANES);
    let mv = V::splat(m);
    let zero = V::splat(0.0);
    let (mut s0, mut s1, mut a0, mut a1) = (zero, zero, zero, zero);
    let mut i = 0;
    while i + 2 * l <= k {
        let d0 = V::load(&x[i..]).sub(mv);
        let d1 = V::load(&x[i + l..]).sub(mv);
        let e0 = exp(d0);
        let e1 = exp(d1);
        s0 = s0.add(e0);
        s1 = s1.add(e1);
        a0 = a0.add(w.vec::<V>(i).mul(d0));
        a1 = a1.add(w.vec::<V>(i + l).mul(d1));
        if STORE {
            e0.store(&mut e_out[i..]);
            e1.store(&mut e_out[i + l..]);
        }
        i += 2 * l;
    }
    if i + l <= k {
        let d0 = V::load(&x[i..]).sub(mv);
        let e0 = exp(d0);
        s0 = s0.add(e0);
        a0 = a0.add(w.vec::<V>(i).mul(d0));
        if STORE {
            e0.store(&mut e_out[i..]);
        }
        i += l;
    }
    let mut s = s0.add(s1).horizontal_sum();
    let mut a = a0.add(a1).horizontal_sum();
    while i < k {
        let d = x[i] - m;
        let e = exp_scalar(d);
        s += e;
        a += w.at(i) * d;
        if STORE {
            e_out[i] = e;
        }
        i += 1;
    }
    (s, a)
}

/// In place: `g_k ← a·g_k − b·w_k`.
#[inline(always)]
pub(crate) fn rescale<V: F32Vector, W: Weights>(g: &mut [f32], a: f32, b: f32, w: W) {
    let (k, l) = (g.len(), V::LANES);
    let (av, bv) = (V::splat(a), V::splat(b));
    let mut i = 0;
    while i + l <= k {
        let v = V::load(&g[i..]);
        v.mul(av).sub(bv.mul(w.vec::<V>(i))).store(&mut g[i..]);
        i += l;
    }
    while i < k {
        g[i] = a * g[i] - b * w.at(i);
        i += 1;
    }
}

/// `Σ_k x_k` with two vector accumulators.
#[inline(always)]
pub(crate) fn sum<V: F32Vector>(x: &[f32]) -> f32 {
    let (k, l) = (x.len(), V::LANES);
    let zero = V::splat(0.0);
    let (mut s0, mut s1) = (zero, zero);
    let mut i = 0;
    while i + 2 * l <= k {
        s0 = s0.add(V::load(&x[i..]));
        s1 = s1.add(V::load(&x[i + l..]));
        i += 2 * l;
    }
    if i + l <= k {
        s0 = s0.add(V::load(&x[i..]));
        i += l;
    }
    let mut s = s0.add(s1).horizontal_sum();
    for &v in &x[i..] {
        s += v;
    }
    s
}

/// Splits `0..k` into the (at most three) maximal ranges that avoid the positions in `skip`
/// (which may repeat or be `None`), in order.
pub(crate) fn segments_without(k: usize, skip: [Option<usize>; 2]) -> [(usize, usize); 3] {
    let mut cuts = [skip[0].unwrap_or(usize::MAX), skip[1].unwrap_or(usize::MAX)];
    if cuts[1] < cuts[0] {
        cuts.swap(0, 1);
    }
    let mut out = [(0, 0); 3];
    let mut start = 0;
    let mut n = 0;
    for c in cuts {
        if c < k && c >= start {
            out[n] = (start, c);
            n += 1;
            start = c + 1;
        }
    }
    out[n] = (start, k);
    out
}

/// Checks a slice length.
#[inline]
pub(crate) fn check_len(expected: usize, received: usize) -> Result<(), crate::KernelError> {
    if expected == received {
        Ok(())
    } else {
        Err(crate::KernelError::LengthMismatch { expected, received })
    }
}

/// `n·k`, or a LengthMismatch naming usize::MAX when it overflows.
#[inline]
pub(crate) fn checked_area(n: usize, k: usize, received: usize) -> Result<usize, crate::KernelError> {
    n.checked_mul(k).ok_or(crate::KernelError::LengthMismatch { expected: usize::MAX, received })
}
