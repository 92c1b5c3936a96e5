//! Where a row pass reads its logits and writes its gradient ([`RowIo`]: separate slices, one
//! slice in place, or no gradient), and the N×K buffers of a call handed out a row at a time
//! ([`Rows`]).

use crate::vector::{load4, store4, F32Vector};

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
    #[inline(always)]
    fn load<V: F32Vector>(&self, i: usize) -> V {
        V::load(&self.logits()[i..])
    }
    /// Writes `LANES` gradient values at `i` (nothing without a gradient).
    #[inline(always)]
    fn store<V: F32Vector>(&mut self, i: usize, v: V) {
        v.store(&mut self.grad()[i..])
    }
    /// The gradient row (empty without a gradient).
    fn grad(&mut self) -> &mut [f32];
    /// For each whole block of `4·LANES` positions in `start..end`: `f(position, logits)` returns
    /// the block's gradient values, which are stored (when there is a gradient). Returns where the
    /// blocks stopped. The loop body has no bounds checks (V8 keeps loop-invariant values in
    /// registers only in single-block loop bodies), and loads each block before its first store
    /// (`blocks_loads_first`).
    fn blocks<V: F32Vector>(&mut self, start: usize, end: usize, f: impl FnMut(usize, [V; 4]) -> [V; 4]) -> usize;
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
