//! [`gemm`] against a float64 product, over every small shape around the vector width, the block
//! edges (MC, NC, KC), the three layouts of the linear head's products, unaligned views with
//! padded strides, overwriting and accumulating; the scalar twin and the four-lane model agree
//! bit for bit.

use super::*;
use crate::vector::{Lanes4, Scalar};
use labelsmooth_reference::Rng;

/// ε of f32 (2⁻²³, twice the unit roundoff).
const EPS: f64 = f32::EPSILON as f64;

/// A matrix stored at `offset` in a larger buffer with row stride `ld` (≥ cols), row-major, or
/// column-major when `transposed` (then the view is built with `.t()` of the stored matrix).
struct Stored {
    data: Vec<f32>,
    offset: usize,
    rows: usize,
    cols: usize,
    ld: usize,
    transposed: bool,
}

impl Stored {
    fn random(rng: &mut Rng, rows: usize, cols: usize, pad: usize, offset: usize, transposed: bool) -> Self {
        let (outer, inner) = if transposed { (cols, rows) } else { (rows, cols) };
        let ld = inner + pad;
        let len = offset + outer * ld + 3;
        let data = (0..len).map(|_| rng.range(-2.0, 2.0)).collect();
        Stored { data, offset, rows, cols, ld, transposed }
    }
    fn view(&self) -> MatRef<'_> {
        let data = &self.data[self.offset..];
        if self.transposed {
            MatRef { data, rows: self.cols, cols: self.rows, row_stride: self.ld, col_stride: 1 }.t()
        } else {
            MatRef { data, rows: self.rows, cols: self.cols, row_stride: self.ld, col_stride: 1 }
        }
    }
}

/// `c0 + A·B` in f64, and the error bound of each element: a sum of k + 1 f32 terms (k products,
/// each rounded once, added in order, then added to c0) is within (k + 1)·u·(|c0| + Σ|a·b|) of the
/// exact value, u = 2⁻²⁴ (Higham, Accuracy and Stability, §3.1); the bound below uses ε = 2u.
fn reference(a: MatRef, b: MatRef, c0: &[f32]) -> (Vec<f64>, Vec<f64>) {
    let (m, n, k) = (a.rows, b.cols, a.cols);
    let mut want = vec![0.0; m * n];
    let mut bound = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let (mut s, mut abs) = (c0[i * n + j] as f64, (c0[i * n + j] as f64).abs());
            for p in 0..k {
                let t = a.at(i, p) as f64 * b.at(p, j) as f64;
                s += t;
                abs += t.abs();
            }
            want[i * n + j] = s;
            bound[i * n + j] = (k + 1) as f64 * EPS * abs;
        }
    }
    (want, bound)
}

fn check_shape(rng: &mut Rng, m: usize, n: usize, k: usize, a_t: bool, b_t: bool, accumulate: bool) {
    let (pad_a, offset_a, pad_b, offset_b) = (rng.below(3), rng.below(4), rng.below(3), rng.below(4));
    let a = Stored::random(rng, m, k, pad_a, offset_a, a_t);
    let b = Stored::random(rng, k, n, pad_b, offset_b, b_t);
    let c0: Vec<f32> = if accumulate { (0..m * n).map(|_| rng.range(-3.0, 3.0)).collect() } else { vec![0.0; m * n] };
    let (want, bound) = reference(a.view(), b.view(), &c0);
    let mut ws = vec![f32::NAN; gemm_workspace_len()];
    // C starts as NaN when overwriting: every element must be written.
    let start: Vec<f32> = if accumulate { c0.clone() } else { vec![f32::NAN; m * n] };
    let mut c4 = start.clone();
    gemm::<Lanes4>(a.view(), b.view(), &mut c4, accumulate, &mut ws).unwrap();
    let mut c1 = start;
    gemm::<Scalar>(a.view(), b.view(), &mut c1, accumulate, &mut ws).unwrap();
    let what = format!("m={m} n={n} k={k} aᵀ={a_t} bᵀ={b_t} acc={accumulate}");
    for i in 0..m * n {
        assert_eq!(c4[i].to_bits(), c1[i].to_bits(), "{what} [{i}]: Lanes4 {} vs Scalar {}", c4[i], c1[i]);
        let err = (c4[i] as f64 - want[i]).abs();
        assert!(err <= bound[i], "{what} [{i}]: {} vs {} (error {err:e} > bound {:e})", c4[i], want[i], bound[i]);
    }
}

#[test]
fn every_small_shape_in_every_layout_matches_float64() {
    let mut rng = Rng(0x6E6D_2025_0001);
    for m in 1..=9 {
        for n in 1..=17 {
            for k in [1, 2, 3, 4, 5, 7, 8, 9, 13] {
                for (a_t, b_t) in [(false, false), (false, true), (true, false), (true, true)] {
                    check_shape(&mut rng, m, n, k, a_t, b_t, (m + n + k) % 2 == 0);
                }
            }
        }
    }
}

#[test]
fn shapes_across_the_block_edges_match_float64() {
    let mut rng = Rng(0x6E6D_2025_0002);
    // MC = 64, NC = 512, KC = 256: one past, one short, and several blocks.
    for (m, n, k) in [(MC + 1, 9, KC + 3), (MC - 1, NC + 5, 7), (3, NC + 9, KC + 1), (2 * MC + 3, 33, 2 * KC + 5)] {
        for (a_t, b_t) in [(false, true), (false, false), (true, false)] {
            for accumulate in [false, true] {
                check_shape(&mut rng, m, n, k, a_t, b_t, accumulate);
            }
        }
    }
}

#[test]
fn k_zero_zeroes_or_keeps_c() {
    let mut ws = vec![0.0; gemm_workspace_len()];
    let (a, b) = (MatRef::row_major(&[], 2, 0), MatRef::row_major(&[], 0, 3));
    let mut c = [7.0f32; 6];
    gemm::<Lanes4>(a, b, &mut c, true, &mut ws).unwrap();
    assert_eq!(c, [7.0; 6]);
    gemm::<Lanes4>(a, b, &mut c, false, &mut ws).unwrap();
    assert_eq!(c, [0.0; 6]);
}

#[test]
fn refuses_mismatched_shapes_short_views_and_a_short_workspace() {
    let mut ws = vec![0.0; gemm_workspace_len()];
    let x = [1.0f32; 12];
    let mut c = [0.0f32; 9];
    let a = MatRef::row_major(&x, 3, 4);
    // Inner dimensions 4 and 3.
    assert_eq!(
        gemm::<Scalar>(a, MatRef::row_major(&x[..9], 3, 3), &mut c, false, &mut ws),
        Err(KernelError::LengthMismatch { expected: 4, received: 3 })
    );
    // A view past the end of its data.
    let short = MatRef::row_major(&x[..11], 3, 4);
    assert_eq!(
        gemm::<Scalar>(short, a.t(), &mut c, false, &mut ws),
        Err(KernelError::LengthMismatch { expected: 12, received: 11 })
    );
    // C of the wrong size.
    assert_eq!(
        gemm::<Scalar>(a, a.t(), &mut c[..8], false, &mut ws),
        Err(KernelError::LengthMismatch { expected: 9, received: 8 })
    );
    assert_eq!(
        gemm::<Scalar>(a, a.t(), &mut c, false, &mut ws[1..]),
        Err(KernelError::LengthMismatch { expected: gemm_workspace_len(), received: gemm_workspace_len() - 1 })
    );
}
