//! A single-precision matrix product `C (+)= A·B` over the vector trait: the three products of a
//! linear layer's loss (`z = h·Wᵀ`, `dH = dz·W`, `dW = dzᵀ·h`, crate::linear_head) are this one
//! function with A and B given as strided views (a transpose is a swap of strides).
//!
//! The algorithm is the classic blocked one (Goto and van de Geijn's layering, as BLIS and
//! XNNPACK's GEMMs use it): the K dimension is cut into blocks of [`KC`], the columns of B into
//! blocks of [`NC`] and the rows of A into blocks of [`MC`]; each block of B is copied ("packed")
//! into panels of `NR` columns stored k-major, each block of A into panels of [`MR`] rows stored
//! k-major, zero-padded at the edges, so the micro-kernel reads both sequentially whatever the
//! strides of the caller's matrices. The micro-kernel keeps an `MR × NR` tile of C in registers
//! (`NR = 2·LANES`: 4 × 8 for SIMD128, 8 accumulators + 2 B vectors + 1 broadcast of A, within
//! the 16 vector registers of x64 that V8 maps wasm's v128 onto), one multiply and one add per
//! vector per k (SIMD128 has no fused multiply-add).
//!
//! Every element of C is accumulated in k order, in one lane, from 0 within each K block, and the
//! block's sum is then added to C: so the result does not depend on the vector width, and the
//! scalar twin (`V = Scalar`) gives the SIMD128 result bit for bit (tested with `Lanes4`).

use crate::checks::check_len;
use crate::error::KernelError;
use crate::vector::F32Vector;

/// Rows of the register tile.
pub const MR: usize = 4;
/// The widest register tile's columns (`2·LANES` for four lanes); the packing buffer is sized
/// for it, so one workspace serves every vector type.
const NR_MAX: usize = 8;
/// The K block: a packed A panel (`MR·KC` floats, 4 KiB) and B panel (`NR·KC`, 8 KiB) stay in L1.
pub const KC: usize = 256;
/// The row block of A packed at once (`MC·KC` floats, 64 KiB: L2).
pub const MC: usize = 64;
/// The column block of B packed at once (`KC·NC` floats, 512 KiB: L2/L3).
pub const NC: usize = 512;

/// The floats [`gemm`]'s workspace must hold: one packed block of A and one of B.
pub const fn gemm_workspace_len() -> usize {
    MC * KC + KC * NC
}

/// A read-only strided view of a `rows × cols` matrix: element (i, j) is
/// `data[i·row_stride + j·col_stride]`.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major `rows × cols` matrix (`data` holds exactly `rows·cols` values).
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        MatRef { data, rows, cols, row_stride: cols, col_stride: 1 }
    }
    /// The transpose, without a copy.
    pub fn t(self) -> Self {
        MatRef { rows: self.cols, cols: self.rows, row_stride: self.col_stride, col_stride: self.row_stride, ..self }
    }
    /// Refuses a view whose last element lies outside `data`.
    fn check(&self) -> Result<(), KernelError> {
        if self.rows == 0 || self.cols == 0 {
            return Ok(());
        }
        let last = (self.rows - 1)
            .checked_mul(self.row_stride)
            .and_then(|r| (self.cols - 1).checked_mul(self.col_stride).and_then(|c| r.checked_add(c)));
        match last {
            Some(last) if last < self.data.len() => Ok(()),
            _ => Err(KernelError::LengthMismatch {
                expected: last.map_or(usize::MAX, |l| l + 1),
                received: self.data.len(),
            }),
        }
    }
    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.row_stride + j * self.col_stride]
    }
}

/// `C = A·B` (`accumulate` false) or `C += A·B` (true), A `m × k`, B `k × n`, C row-major `m × n`
/// (exactly `m·n` values). `workspace` holds at least [`gemm_workspace_len`] floats (its values
/// on entry do not matter). With `k = 0`, C is zeroed (or left as it is when accumulating).
pub fn gemm<V: F32Vector>(
    a: MatRef,
    b: MatRef,
    c: &mut [f32],
    accumulate: bool,
    workspace: &mut [f32],
) -> Result<(), KernelError> {
    a.check()?;
    b.check()?;
    check_len(a.cols, b.rows)?;
    let (m, n, k) = (a.rows, b.cols, a.cols);
    check_len(
        m.checked_mul(n).ok_or(KernelError::LengthMismatch { expected: usize::MAX, received: c.len() })?,
        c.len(),
    )?;
    if workspace.len() < gemm_workspace_len() {
        return Err(KernelError::LengthMismatch { expected: gemm_workspace_len(), received: workspace.len() });
    }
    if k == 0 {
        if !accumulate {
            c.fill(0.0);
        }
        return Ok(());
    }
    let nr = 2 * V::LANES;
    let (packed_a, packed_b) = workspace[..gemm_workspace_len()].split_at_mut(MC * KC);
    for j0 in (0..n).step_by(NC) {
        let nc = NC.min(n - j0);
        for p0 in (0..k).step_by(KC) {
            let kc = KC.min(k - p0);
            pack_b(&b, p0, kc, j0, nc, nr, packed_b);
            // The first K block overwrites C unless the caller accumulates.
            let add = accumulate || p0 > 0;
            for i0 in (0..m).step_by(MC) {
                let mc = MC.min(m - i0);
                pack_a(&a, i0, mc, p0, kc, packed_a);
                for (ip, i) in (0..mc).step_by(MR).enumerate() {
                    let rows = MR.min(mc - i);
                    let ap = &packed_a[ip * MR * kc..(ip + 1) * MR * kc];
                    for (jp, j) in (0..nc).step_by(nr).enumerate() {
                        let cols = nr.min(nc - j);
                        let bp = &packed_b[jp * nr * kc..(jp + 1) * nr * kc];
                        let tile = micro_kernel::<V>(ap, bp, kc);
                        let (ci, cj) = (i0 + i, j0 + j);
                        write_tile::<V>(tile, &mut c[ci * n + cj..], n, rows, cols, add);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Packs rows `i0..i0+mc`, columns `p0..p0+kc` of A into panels of MR rows, k-major
/// (`panel[p·MR + r]`), the missing rows of the last panel zero.
fn pack_a(a: &MatRef, i0: usize, mc: usize, p0: usize, kc: usize, out: &mut [f32]) {
    for (ip, i) in (0..mc).step_by(MR).enumerate() {
        let panel = &mut out[ip * MR * kc..(ip + 1) * MR * kc];
        let rows = MR.min(mc - i);
        if a.col_stride == 1 {
            // Rows contiguous along k: read each row once.
            for r in 0..MR {
                if r < rows {
                    let start = (i0 + i + r) * a.row_stride + p0;
                    for (p, &v) in a.data[start..start + kc].iter().enumerate() {
                        panel[p * MR + r] = v;
                    }
                } else {
                    for p in 0..kc {
                        panel[p * MR + r] = 0.0;
                    }
                }
            }
        } else {
            for p in 0..kc {
                for r in 0..MR {
                    panel[p * MR + r] = if r < rows { a.at(i0 + i + r, p0 + p) } else { 0.0 };
                }
            }
        }
    }
}

/// Packs rows `p0..p0+kc`, columns `j0..j0+nc` of B into panels of `nr` columns, k-major
/// (`panel[p·nr + j]`), the missing columns of the last panel zero.
fn pack_b(b: &MatRef, p0: usize, kc: usize, j0: usize, nc: usize, nr: usize, out: &mut [f32]) {
    for (jp, j) in (0..nc).step_by(nr).enumerate() {
        let panel = &mut out[jp * nr * kc..(jp + 1) * nr * kc];
        let cols = nr.min(nc - j);
        if b.row_stride == 1 {
            // Columns contiguous along k (B is a transposed row-major matrix, e.g. Wᵀ): read each
            // column once.
            for q in 0..nr {
                if q < cols {
                    let start = (j0 + j + q) * b.col_stride + p0;
                    for (p, &v) in b.data[start..start + kc].iter().enumerate() {
                        panel[p * nr + q] = v;
                    }
                } else {
                    for p in 0..kc {
                        panel[p * nr + q] = 0.0;
                    }
                }
            }
        } else {
            for p in 0..kc {
                let dst = &mut panel[p * nr..(p + 1) * nr];
                for (q, d) in dst.iter_mut().enumerate() {
                    *d = if q < cols { b.at(p0 + p, j0 + j + q) } else { 0.0 };
                }
            }
        }
    }
}

/// The register tile: `MR × 2·LANES` sums over one K block of a packed A panel and B panel.
#[inline(always)]
fn micro_kernel<V: F32Vector>(ap: &[f32], bp: &[f32], kc: usize) -> [[V; 2]; MR] {
    let l = V::LANES;
    let zero = V::splat(0.0);
    let mut acc = [[zero; 2]; MR];
    let ap = &ap[..kc * MR];
    let bp = &bp[..kc * 2 * l];
    // chunks_exact on both: the loop body is one basic block without bounds checks (see the
    // performance notes in row_passes.rs).
    for (a, b) in ap.chunks_exact(MR).zip(bp.chunks_exact(2 * l)) {
        let b0 = V::load(b);
        let b1 = V::load(&b[l..]);
        for r in 0..MR {
            let ar = V::splat(a[r]);
            acc[r][0] = ar.mul_add(b0, acc[r][0]);
            acc[r][1] = ar.mul_add(b1, acc[r][1]);
        }
    }
    acc
}

/// Writes (or adds) the top-left `rows × cols` of a tile to C at `c` (row stride `ldc`).
#[inline(always)]
fn write_tile<V: F32Vector>(tile: [[V; 2]; MR], c: &mut [f32], ldc: usize, rows: usize, cols: usize, add: bool) {
    let l = V::LANES;
    if cols == 2 * l {
        for (r, acc) in tile.iter().enumerate().take(rows) {
            let dst = &mut c[r * ldc..r * ldc + 2 * l];
            for (h, &v) in acc.iter().enumerate() {
                let d = &mut dst[h * l..];
                let v = if add { V::load(d).add(v) } else { v };
                v.store(d);
            }
        }
    } else {
        let mut buf = [0.0f32; NR_MAX];
        for (r, acc) in tile.iter().enumerate().take(rows) {
            acc[0].store(&mut buf);
            acc[1].store(&mut buf[l..]);
            let dst = &mut c[r * ldc..r * ldc + cols];
            for (d, &v) in dst.iter_mut().zip(&buf[..cols]) {
                *d = if add { *d + v } else { v };
            }
        }
    }
}

#[cfg(test)]
#[path = "gemm_tests.rs"]
mod tests;
