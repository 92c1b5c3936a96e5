//! Row primitives shared by the softmax losses: max, the fused exp pass, the in-place gradient
//! rescale, plain sums. Each walks a (sub)slice once, with two independent vector accumulators
//! so that consecutive `exp`s and adds overlap, then whole vectors, then a scalar tail with the
//! exact lane arithmetic of the vector body (`exp_scalar`).
//!
//! Per-class factors (class weights, or nothing) come in through [`Weights`], so that the
//! unweighted case is monomorphised without a multiply-by-one stream or a branch in the loop.

use crate::exp::{exp_nonpositive, exp_nonpositive_scalar};
use crate::vector::{F32Vector, Scalar};

/// A per-position factor read alongside a row: a slice of weights, or 1 everywhere.
pub(crate) trait Weights: Copy {
    fn vec<V: F32Vector>(self, i: usize) -> V;
    fn at(self, i: usize) -> f32;
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

/// Where a row pass reads its logits and writes its gradient. Three shapes, so that in-place
/// gradients never alias a `&[f32]` with a `&mut [f32]`:
/// * [`Separate`]: logits and gradient are different slices;
/// * [`InPlace`]: one `&mut [f32]` holds the logits and receives the gradient; every pass reads a
///   position before it writes it, and a kernel reads any logit it needs later (the target's,
///   the padding column's) before its first write;
/// * [`Forward`]: logits only, no gradient (`GRAD` false; writes are no-ops).
pub(crate) trait RowIo {
    const GRAD: bool;
    /// The logits. Valid until the first write (in place, afterwards they are the gradient).
    fn logits(&self) -> &[f32];
    /// `LANES` logits at `i`.
    fn load<V: F32Vector>(&self, i: usize) -> V;
    /// Writes `LANES` gradient values at `i` (nothing without a gradient).
    fn store<V: F32Vector>(&mut self, i: usize, v: V);
    /// The gradient row (empty without a gradient).
    fn grad(&mut self) -> &mut [f32];
}

/// Logits and gradient in different slices (of equal length).
pub(crate) struct Separate<'a> {
    pub x: &'a [f32],
    pub g: &'a mut [f32],
}

/// One slice: logits in, gradient out.
pub(crate) struct InPlace<'a> {
    pub g: &'a mut [f32],
}

/// Logits only.
pub(crate) struct Forward<'a> {
    pub x: &'a [f32],
}

impl RowIo for Separate<'_> {
    const GRAD: bool = true;
    #[inline(always)]
    fn logits(&self) -> &[f32] {
        self.x
    }
    #[inline(always)]
    fn load<V: F32Vector>(&self, i: usize) -> V {
        V::load(&self.x[i..])
    }
    #[inline(always)]
    fn store<V: F32Vector>(&mut self, i: usize, v: V) {
        v.store(&mut self.g[i..])
    }
    #[inline(always)]
    fn grad(&mut self) -> &mut [f32] {
        self.g
    }
}

impl RowIo for InPlace<'_> {
    const GRAD: bool = true;
    #[inline(always)]
    fn logits(&self) -> &[f32] {
        self.g
    }
    #[inline(always)]
    fn load<V: F32Vector>(&self, i: usize) -> V {
        V::load(&self.g[i..])
    }
    #[inline(always)]
    fn store<V: F32Vector>(&mut self, i: usize, v: V) {
        v.store(&mut self.g[i..])
    }
    #[inline(always)]
    fn grad(&mut self) -> &mut [f32] {
        self.g
    }
}

impl RowIo for Forward<'_> {
    const GRAD: bool = false;
    #[inline(always)]
    fn logits(&self) -> &[f32] {
        self.x
    }
    #[inline(always)]
    fn load<V: F32Vector>(&self, i: usize) -> V {
        V::load(&self.x[i..])
    }
    #[inline(always)]
    fn store<V: F32Vector>(&mut self, _: usize, _: V) {}
    #[inline(always)]
    fn grad(&mut self) -> &mut [f32] {
        &mut []
    }
}

/// The N×K logits and gradient of a whole call, handed out a row at a time as a [`RowIo`].
pub(crate) trait Rows {
    type Row<'r>: RowIo
    where
        Self: 'r;
    fn row(&mut self, r: usize, k: usize) -> Self::Row<'_>;
}

impl Rows for Separate<'_> {
    type Row<'r> = Separate<'r> where Self: 'r;
    #[inline(always)]
    fn row(&mut self, r: usize, k: usize) -> Separate<'_> {
        Separate { x: &self.x[r * k..(r + 1) * k], g: &mut self.g[r * k..(r + 1) * k] }
    }
}

impl Rows for InPlace<'_> {
    type Row<'r> = InPlace<'r> where Self: 'r;
    #[inline(always)]
    fn row(&mut self, r: usize, k: usize) -> InPlace<'_> {
        InPlace { g: &mut self.g[r * k..(r + 1) * k] }
    }
}

impl Rows for Forward<'_> {
    type Row<'r> = Forward<'r> where Self: 'r;
    #[inline(always)]
    fn row(&mut self, r: usize, k: usize) -> Forward<'_> {
        Forward { x: &self.x[r * k..(r + 1) * k] }
    }
}

/// The fused exp pass over positions `start..end` of a row: returns `(Σ e_k, Σ w_k·d_k)` with
/// `d_k = x_k − m`, `e_k = exp(d_k)` ([`exp_nonpositive`]: d ≤ 0), and writes `e_k` to the
/// gradient row (when the row has one). Four independent vectors per step, so consecutive
/// `exp`s overlap; the weights are indexed by absolute position.
#[inline(always)]
pub(crate) fn exp_pass<V: F32Vector, W: Weights, R: RowIo>(
    io: &mut R,
    start: usize,
    end: usize,
    w: W,
    m: f32,
) -> (f32, f32) {
    let l = V::LANES;
    let mv = V::splat(m);
    let zero = V::splat(0.0);
    let (mut s0, mut s1, mut a0, mut a1) = (zero, zero, zero, zero);
    let mut i = start;
    while i + 4 * l <= end {
        let d0 = io.load::<V>(i).sub(mv);
        let d1 = io.load::<V>(i + l).sub(mv);
        let d2 = io.load::<V>(i + 2 * l).sub(mv);
        let d3 = io.load::<V>(i + 3 * l).sub(mv);
        let e0 = exp_nonpositive(d0);
        let e1 = exp_nonpositive(d1);
        let e2 = exp_nonpositive(d2);
        let e3 = exp_nonpositive(d3);
        io.store(i, e0);
        io.store(i + l, e1);
        io.store(i + 2 * l, e2);
        io.store(i + 3 * l, e3);
        s0 = s0.add(e0.add(e2));
        s1 = s1.add(e1.add(e3));
        a0 = a0.add(w.vec::<V>(i).mul(d0).add(w.vec::<V>(i + 2 * l).mul(d2)));
        a1 = a1.add(w.vec::<V>(i + l).mul(d1).add(w.vec::<V>(i + 3 * l).mul(d3)));
        i += 4 * l;
    }
    while i + l <= end {
        let d0 = io.load::<V>(i).sub(mv);
        let e0 = exp_nonpositive(d0);
        io.store(i, e0);
        s0 = s0.add(e0);
        a0 = a0.add(w.vec::<V>(i).mul(d0));
        i += l;
    }
    let mut s = s0.add(s1).horizontal_sum();
    let mut a = a0.add(a1).horizontal_sum();
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
    let (av, bv) = (V::splat(a), V::splat(b));
    let mut i = 0;
    while i + 2 * l <= k {
        let v0 = V::load(&g[i..]);
        let v1 = V::load(&g[i + l..]);
        v0.mul(av).sub(bv.mul(w.vec::<V>(i))).store(&mut g[i..]);
        v1.mul(av).sub(bv.mul(w.vec::<V>(i + l))).store(&mut g[i + l..]);
        i += 2 * l;
    }
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
