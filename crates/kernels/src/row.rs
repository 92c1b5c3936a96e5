//! Row primitives shared by the softmax losses: max, the fused exp pass, the in-place gradient
//! rescale, plain sums, and [`RowIo`] (where a pass reads logits and writes the gradient:
//! separate slices, one slice in place, or no gradient). Each pass walks a (sub)slice once in
//! blocks of four independent vectors (so that consecutive `exp`s overlap), then whole vectors,
//! then a scalar tail with the exact lane arithmetic of the vector body (`exp_nonpositive_scalar`).
//!
//! Performance notes (V8 on x64 compiles what LLVM emits almost literally):
//! * hot loops iterate with `chunks_exact` (or check their bounds once, up front), so that the
//!   loop body is a single basic block: with bounds checks inside, V8 re-materialises every
//!   vector constant on every iteration (three instructions each), which halved the speed;
//! * the exp constants come from [`crate::exp::ExpConsts`] (opaque values, not `v128.const`),
//!   and the exp pass keeps one accumulator per sum, so that they all stay in the 16 registers.
//!
//! Per-class factors (class weights, or nothing) come in through [`Weights`], so that the
//! unweighted case is monomorphised without a multiply-by-one stream or a branch in the loop.

pub(crate) use crate::exp::ExpConsts;
use crate::exp::{exp_nonpositive, exp_nonpositive_scalar};
use crate::vector::{F32Vector, Scalar};

/// A per-position factor read alongside a row: a slice of weights, or 1 everywhere.
pub(crate) trait Weights: Copy {
    fn vec<V: F32Vector>(self, i: usize) -> V;
    fn at(self, i: usize) -> f32;
    /// Whether positions `..end` exist (always for [`Ones`]).
    fn covers(self, end: usize) -> bool;
    /// `vec(i)` without a bounds check (hot loops, so that their bodies stay one basic block).
    ///
    /// # Safety
    /// `covers(i + V::LANES)` must hold.
    unsafe fn vec_unchecked<V: F32Vector>(self, i: usize) -> V;
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
    fn covers(self, _: usize) -> bool {
        true
    }
    #[inline(always)]
    unsafe fn vec_unchecked<V: F32Vector>(self, _: usize) -> V {
        V::splat(1.0)
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
    fn covers(self, end: usize) -> bool {
        end <= self.len()
    }
    #[inline(always)]
    unsafe fn vec_unchecked<V: F32Vector>(self, i: usize) -> V {
        V::load_unchecked(self.as_ptr().add(i))
    }
}

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
    /// For each whole block of `4·LANES` positions in `start..end`: `f(position, logits)` returns
    /// the block's gradient values, which are stored (when there is a gradient). Returns where the
    /// blocks stopped. Iterates with `chunks_exact`, so the loop body has no bounds checks (V8
    /// keeps loop-invariant values in registers only in single-block loop bodies).
    #[inline(always)]
    fn blocks<V: F32Vector>(&mut self, start: usize, end: usize, mut f: impl FnMut(usize, [V; 4]) -> [V; 4]) -> usize {
        let b = 4 * V::LANES;
        let whole = start + (end - start) / b * b;
        let mut i = start;
        while i < whole {
            let v = [
                self.load::<V>(i),
                self.load::<V>(i + V::LANES),
                self.load::<V>(i + 2 * V::LANES),
                self.load::<V>(i + 3 * V::LANES),
            ];
            let e = f(i, v);
            for (u, e) in e.into_iter().enumerate() {
                self.store(i + u * V::LANES, e);
            }
            i += b;
        }
        whole
    }
}

#[inline(always)]
fn load4<V: F32Vector>(c: &[f32]) -> [V; 4] {
    let l = V::LANES;
    [V::load(c), V::load(&c[l..]), V::load(&c[2 * l..]), V::load(&c[3 * l..])]
}

#[inline(always)]
fn store4<V: F32Vector>(e: [V; 4], c: &mut [f32]) {
    let l = V::LANES;
    let [e0, e1, e2, e3] = e;
    e0.store(c);
    e1.store(&mut c[l..]);
    e2.store(&mut c[2 * l..]);
    e3.store(&mut c[3 * l..]);
}

/// The block loop of the rows with a gradient: for each whole block of `4·LANES` positions of
/// `start..end`, loads the block from `read`, and stores `f(position, block)` at `write` (the
/// same place in the gradient row; `write` may equal `read`). Returns where the blocks stopped.
///
/// Why `write` passes through `black_box` (once per call, not per block): V8 keeps the wasm
/// order of loads and stores, and schedules the arithmetic between them. If LLVM can prove that
/// a block's stores do not touch its later loads (in place: one base, disjoint offsets; and
/// it did so in `soft_cross_entropy`'s separate path too),
/// it sinks each load down to its use, and the wasm becomes load, exp, store, load, exp, store…:
/// V8 then emits the four exps one after another instead of interleaved, and the speed depends
/// on how far the CPU reorders (in place ran 1.2–1.3× slower than with a separate gradient on
/// an AMD EPYC in Node 20; the measurement is in bench/README.md, "In place vs a separate gradient"). With an opaque
/// `write` the four loads stay ahead of the first store. test/kernel-schedule.test.ts checks
/// this on the built simd128 wasm.
///
/// # Safety
/// `read` must be readable and `write` writable for `end − start` f32 (any alignment), and no
/// reference may be used to reach that memory while this runs.
#[inline(always)]
unsafe fn blocks_loads_first<V: F32Vector>(
    read: *const f32,
    write: *mut f32,
    start: usize,
    end: usize,
    mut f: impl FnMut(usize, [V; 4]) -> [V; 4],
) -> usize {
    let (l, b) = (V::LANES, 4 * V::LANES);
    let whole = start + (end - start) / b * b;
    let write = core::hint::black_box(write);
    let mut i = start;
    while i < whole {
        let at = i - start;
        // SAFETY: at + 4·LANES ≤ end − start (the caller's guarantee covers it).
        let v = [0, 1, 2, 3].map(|u| unsafe { V::load_unchecked(read.add(at + u * l)) });
        store4(f(i, v), unsafe { core::slice::from_raw_parts_mut(write.add(at), b) });
        i += b;
    }
    whole
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
    fn blocks<V: F32Vector>(&mut self, start: usize, end: usize, f: impl FnMut(usize, [V; 4]) -> [V; 4]) -> usize {
        let (x, g) = (&self.x[start..end], &mut self.g[start..end]);
        // SAFETY: `x` and `g` hold `end − start` values each (sliced above).
        unsafe { blocks_loads_first(x.as_ptr(), g.as_mut_ptr(), start, end, f) }
    }
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
    fn blocks<V: F32Vector>(&mut self, start: usize, end: usize, f: impl FnMut(usize, [V; 4]) -> [V; 4]) -> usize {
        let g = self.g[start..end].as_mut_ptr();
        // SAFETY: `g` holds `end − start` values (sliced above); reads and writes go through
        // the one raw pointer, so no reference aliases another.
        unsafe { blocks_loads_first(g, g, start, end, f) }
    }
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
    fn blocks<V: F32Vector>(&mut self, start: usize, end: usize, mut f: impl FnMut(usize, [V; 4]) -> [V; 4]) -> usize {
        let b = 4 * V::LANES;
        let mut i = start;
        for c in self.x[start..end].chunks_exact(b) {
            f(i, load4(c));
            i += b;
        }
        i
    }
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
    type Row<'r>
        = Separate<'r>
    where
        Self: 'r;
    #[inline(always)]
    fn row(&mut self, r: usize, k: usize) -> Separate<'_> {
        Separate { x: &self.x[r * k..(r + 1) * k], g: &mut self.g[r * k..(r + 1) * k] }
    }
}

impl Rows for InPlace<'_> {
    type Row<'r>
        = InPlace<'r>
    where
        Self: 'r;
    #[inline(always)]
    fn row(&mut self, r: usize, k: usize) -> InPlace<'_> {
        InPlace { g: &mut self.g[r * k..(r + 1) * k] }
    }
}

impl Rows for Forward<'_> {
    type Row<'r>
        = Forward<'r>
    where
        Self: 'r;
    #[inline(always)]
    fn row(&mut self, r: usize, k: usize) -> Forward<'_> {
        Forward { x: &self.x[r * k..(r + 1) * k] }
    }
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
        a0 = a0.add(w0.mul(d0).add(w1.mul(d1)).add(w2.mul(d2).add(w3.mul(d3))));
        [e0, e1, e2, e3]
    });
    while i + l <= end {
        let d0 = io.load::<V>(i).sub(mv);
        let e0 = exp(d0);
        io.store(i, e0);
        s0 = s0.add(e0);
        a0 = a0.add(w.vec::<V>(i).mul(d0));
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
        store4([0, 1, 2, 3].map(|u| v[u].mul(av).sub(bv.mul(ws[u]))), c);
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
