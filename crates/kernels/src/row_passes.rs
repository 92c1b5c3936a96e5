//! Row passes shared by the softmax losses: max, the fused exp pass, the in-place gradient
//! rescale, plain sums. Each pass walks a (sub)slice once in blocks of four independent vectors
//! (so that consecutive `exp`s overlap), then whole vectors, then a scalar tail with the exact
//! lane arithmetic of the vector body (`exp_nonpositive_scalar`). They read and write a row
//! through [`crate::row_io::RowIo`] and take per-class factors as [`crate::weights::Weights`].
//!
//! Performance notes (V8 on x64 compiles what LLVM emits almost literally):
//! * hot loops iterate with `chunks_exact` (or check their bounds once, up front), so that the
//!   loop body is a single basic block: with bounds checks inside, V8 re-materialises every
//!   vector constant on every iteration (three instructions each), which halved the speed;
//! * the exp constants come from [`crate::exp::ExpConsts::opaque`] (opaque values, not
//!   `v128.const`), and the exp pass keeps one accumulator per sum, so that they all stay in the
//!   16 registers;
//! * products that are added go through `mul_add` (`w·d + a`, `g·a − b·w`): one instruction in
//!   the relaxed-simd build (`f32x4.relaxed_madd`), and bit for bit the product then the add
//!   elsewhere (the add's operands commute), so the simd128 and scalar builds keep their results.

use crate::exp::{exp_nonpositive, exp_nonpositive_scalar, ExpConsts};
use crate::row_io::RowIo;
use crate::vector::{load4, store4, F32Vector, Scalar};
use crate::weights::Weights;

/// `max_k x_k` (wasm `pmax` semantics lane-wise; a row holding a NaN turns NaN downstream
/// because its `x − m` is NaN whatever `m` is). `x` must not be empty.
#[inline(always)]
pub(crate) fn row_max<V: F32Vector>(x: &[f32]) -> f32 {
    let l = V::LANES;
    let mut m = f32::NEG_INFINITY;
    let mut rest = x;
    if x.len() >= 4 * l {
        // Four accumulators over whole blocks (chunks_exact: no bounds checks in the loop).
        let mut blocks = x.chunks_exact(4 * l);
        let [mut m0, mut m1, mut m2, mut m3] = load4::<V>(x);
        for c in &mut blocks {
            let [v0, v1, v2, v3] = load4::<V>(c);
            m0 = m0.max(v0);
            m1 = m1.max(v1);
            m2 = m2.max(v2);
            m3 = m3.max(v3);
        }
        rest = blocks.remainder();
        let mut singles = rest.chunks_exact(l);
        for c in &mut singles {
            m0 = m0.max(V::load(c));
        }
        rest = singles.remainder();
        m = m0.max(m2).max(m1.max(m3)).horizontal_max();
    }
    for &v in rest {
        m = if m < v { v } else { m };
    }
    m
}

/// The fused exp pass over positions `start..end` of a row: returns `(Σ e_k, Σ w_k·d_k)` with
/// `d_k = x_k − m`, `e_k = exp(d_k)` (`exp_nonpositive`: d ≤ 0), and writes `e_k` to the
/// gradient row (when the row has one). Four independent vectors per step, so consecutive
/// `exp`s overlap; the weights are indexed by absolute position.
#[inline(always)]
pub(crate) fn exp_pass<V: F32Vector, W: Weights, R: RowIo>(
    io: &mut R,
    start: usize,
    end: usize,
    w: W,
    m: f32,
    c: &ExpConsts<V>,
) -> (f32, f32) {
    let l = V::LANES;
    let exp = |x: V| exp_nonpositive(c, x);
    let mv = V::splat(m);
    let zero = V::splat(0.0);
    let (mut s0, mut a0) = (zero, zero);
    assert!(w.covers(end) && start <= end);
    let mut i = io.blocks::<V>(start, end, |i, [x0, x1, x2, x3]| {
        let d0 = x0.sub(mv);
        let d1 = x1.sub(mv);
        let d2 = x2.sub(mv);
        let d3 = x3.sub(mv);
        let e0 = exp(d0);
        let e1 = exp(d1);
        let e2 = exp(d2);
        let e3 = exp(d3);
        // One accumulator each for Σe and Σw·d (a tree of adds per block): fewer live vectors,
        // so that V8 keeps the exp constants in registers.
        s0 = s0.add(e0.add(e1).add(e2.add(e3)));
        // SAFETY: the block i..i + 4·LANES lies in start..end, and w covers end (asserted).
        let [w0, w1, w2, w3] = unsafe { [0, 1, 2, 3].map(|u| w.vec_unchecked::<V>(i + u * l)) };
        a0 = a0.add(w1.mul_add(d1, w0.mul(d0)).add(w3.mul_add(d3, w2.mul(d2))));
        [e0, e1, e2, e3]
    });
    while i + l <= end {
        let d0 = io.load::<V>(i).sub(mv);
        let e0 = exp(d0);
        io.store(i, e0);
        s0 = s0.add(e0);
        a0 = w.vec::<V>(i).mul_add(d0, a0);
        i += l;
    }
    let mut s = s0.horizontal_sum();
    let mut a = a0.horizontal_sum();
    while i < end {
        let d = io.load::<Scalar>(i).0 - m;
        let e = exp_nonpositive_scalar(d);
        io.store(i, Scalar(e));
        s += e;
        a += w.at(i) * d;
        i += 1;
    }
    (s, a)
}

/// In place: `g_k ← a·g_k − b·w_k`.
#[inline(always)]
pub(crate) fn rescale<V: F32Vector, W: Weights>(g: &mut [f32], a: f32, b: f32, w: W) {
    let (k, l) = (g.len(), V::LANES);
    assert!(w.covers(k));
    let (av, bv) = (V::splat(a), V::splat(b));
    let mut blocks = g.chunks_exact_mut(4 * l);
    let mut i = 0;
    for c in &mut blocks {
        // SAFETY: i + 4·LANES ≤ k, covered by w (asserted).
        let ws = unsafe { [0, 1, 2, 3].map(|u| w.vec_unchecked::<V>(i + u * l)) };
        let v = load4::<V>(c);
        store4([0, 1, 2, 3].map(|u| v[u].mul_add(av, bv.mul(ws[u]).neg())), c);
        i += 4 * l;
    }
    let rest = blocks.into_remainder();
    for (j, v) in rest.iter_mut().enumerate() {
        *v = a * *v - b * w.at(i + j);
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
