//! [`linear_cross_entropy`] chunked against the explicit path (the whole N×V logits, the same
//! kernels once), for every option and chunk sizes that do not divide N; against a float64
//! reference and its finite differences (softcap, bias, z-loss, class and token weights).

use super::*;
use crate::smoothing::Convention;
use crate::vector::{Lanes4, Scalar};
use labelsmooth_reference::Rng;

const EPS: f64 = f32::EPSILON as f64;

/// One problem: sizes and every option.
#[derive(Clone)]
struct Case {
    n: usize,
    d: usize,
    v: usize,
    smoothing: Smoothing,
    hidden: Vec<f32>,
    weight: Vec<f32>,
    bias: Option<Vec<f32>>,
    targets: Vec<i32>,
    class_weights: Option<Vec<f32>>,
    token_weights: Option<Vec<f32>>,
    z_loss: f32,
    softcap: f32,
    upstream: Option<Vec<f32>>,
    grad_scale: f64,
}

impl Case {
    fn args(&self, chunk_rows: usize) -> LinearCrossEntropyArgs<'_> {
        LinearCrossEntropyArgs {
            smoothing: self.smoothing,
            hidden_size: self.d,
            hidden: &self.hidden,
            weight: &self.weight,
            bias: self.bias.as_deref(),
            targets: &self.targets,
            class_weights: self.class_weights.as_deref(),
            token_weights: self.token_weights.as_deref(),
            z_loss: self.z_loss,
            softcap: self.softcap,
            upstream: self.upstream.as_deref().map_or(RowScale::Uniform(1.0), RowScale::PerRow),
            grad_scale: self.grad_scale,
            chunk_rows,
        }
    }
}

fn random_case(rng: &mut Rng, n: usize, d: usize, v: usize, options: u32) -> Case {
    let convention = match options % 3 {
        0 => Convention::Uniform,
        1 => Convention::Fairseq,
        _ => Convention::Annotated { padding_idx: v / 2 },
    };
    let smoothing = Smoothing {
        convention,
        num_classes: v,
        epsilon: [0.0, 0.1, 0.3][(options / 3 % 3) as usize],
        ignore_index: -100,
    };
    let vals = |rng: &mut Rng, len: usize, lo: f64, hi: f64| (0..len).map(|_| rng.range(lo, hi)).collect::<Vec<f32>>();
    let on = |bit: u32| options & (1 << bit) != 0;
    Case {
        n,
        d,
        v,
        smoothing,
        hidden: vals(rng, n * d, -1.0, 1.0),
        weight: vals(rng, v * d, -1.0, 1.0),
        bias: on(4).then(|| vals(rng, v, -0.5, 0.5)),
        targets: (0..n).map(|i| if i % 5 == 3 { -100 } else { rng.below(v) as i32 }).collect(),
        class_weights: on(5).then(|| vals(rng, v, 0.2, 2.0)),
        token_weights: on(6).then(|| vals(rng, n, 0.0, 2.0)),
        z_loss: if on(7) { 1e-2 } else { 0.0 },
        softcap: if on(8) { 1.5 } else { 0.0 },
        upstream: on(9).then(|| vals(rng, n, -1.0, 2.0)),
        grad_scale: if on(10) { 1.0 / 7.0 } else { 1.0 },
    }
}

struct Out {
    result: LinearCrossEntropyResult,
    per_row: Vec<f32>,
    dh: Vec<f32>,
    dw: Vec<f32>,
    db: Vec<f32>,
}

fn fused<V: F32Vector>(c: &Case, chunk_rows: usize) -> Out {
    let args = c.args(chunk_rows);
    let mut scratch = vec![f32::NAN; linear_scratch_len(chunk_rows.min(c.n), c.v, c.softcap > 0.0).unwrap()];
    let (mut per_row, mut dh, mut dw, mut db) =
        (vec![f32::NAN; c.n], vec![f32::NAN; c.n * c.d], vec![f32::NAN; c.v * c.d], vec![f32::NAN; c.v]);
    let grads = LinearGrads { hidden: &mut dh, weight: &mut dw, bias: Some(&mut db), accumulate: false };
    let result = linear_cross_entropy::<V>(&args, Some(&mut per_row), Some(grads), &mut scratch).unwrap();
    Out { result, per_row, dh, dw, db }
}

/// The explicit path: the whole N×V logits, the cross-entropy kernel over all rows at once, the
/// gradient products over all rows at once.
fn explicit<V: F32Vector>(c: &Case) -> Out {
    let (n, d, v) = (c.n, c.d, c.v);
    let mut ws = vec![0.0; gemm_workspace_len()];
    let mut z = vec![0.0f32; n * v];
    if let Some(b) = &c.bias {
        for row in z.chunks_exact_mut(v) {
            row.copy_from_slice(b);
        }
    }
    let h = MatRef::row_major(&c.hidden, n, d);
    let w = MatRef::row_major(&c.weight, v, d);
    gemm::<V>(h, w.t(), &mut z, c.bias.is_some(), &mut ws).unwrap();
    let cap = c.softcap as f64;
    let s: Vec<f32> =
        if c.softcap > 0.0 { z.iter().map(|&z| (cap * (z as f64 / cap).tanh()) as f32).collect() } else { z.clone() };
    let up: Vec<f32> = (0..n)
        .map(|i| c.token_weights.as_ref().map_or(1.0, |t| t[i]) * c.upstream.as_ref().map_or(1.0, |u| u[i]))
        .collect();
    let ce = CrossEntropyArgs {
        smoothing: c.smoothing,
        logits: &s,
        targets: &c.targets,
        class_weights: c.class_weights.as_deref(),
        z_loss: c.z_loss,
        upstream: RowScale::PerRow(&up),
        grad_scale: c.grad_scale,
    };
    let (mut per_row, mut dz) = (vec![0.0f32; n], vec![0.0f32; n * v]);
    let r = cross_entropy::<V>(&ce, Some(&mut per_row), Some(&mut dz)).unwrap();
    // Without token weights the kernel's f64 sum; with them, the weighted f32 per-row losses.
    let mut sum = if c.token_weights.is_some() { 0.0 } else { r.sum };
    if let Some(t) = &c.token_weights {
        for (l, &t) in per_row.iter_mut().zip(t) {
            sum += t as f64 * *l as f64;
            *l = (t as f64 * *l as f64) as f32;
        }
    }
    if c.softcap > 0.0 {
        for (g, &s) in dz.iter_mut().zip(&s) {
            let t = s as f64 / cap;
            *g = (*g as f64 * (1.0 - t * t)) as f32;
        }
    }
    let (mut dh, mut dw, mut db) = (vec![0.0; n * d], vec![0.0; v * d], vec![0.0; v]);
    let dzm = MatRef::row_major(&dz, n, v);
    gemm::<V>(dzm, w, &mut dh, false, &mut ws).unwrap();
    gemm::<V>(dzm.t(), h, &mut dw, false, &mut ws).unwrap();
    for row in dz.chunks_exact(v) {
        for (b, &g) in db.iter_mut().zip(row) {
            *b += g;
        }
    }
    let denominator = crate::cross_entropy::weighted_cross_entropy_denominator(
        &c.smoothing,
        &c.targets,
        c.class_weights.as_deref(),
        c.token_weights.as_deref(),
    )
    .unwrap();
    Out { result: LinearCrossEntropyResult { sum, denominator }, per_row, dh, dw, db }
}

fn bits(a: &[f32], b: &[f32], what: &str) {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(x.to_bits() == y.to_bits(), "{what}[{i}]: {x:e} vs {y:e}");
    }
}

fn every_case_agrees<V: F32Vector>() {
    let mut rng = Rng(0x11EA_4001);
    let shapes = [(11, 7, 13), (6, 9, 5), (13, 3, 17), (4, 1, 3), (9, 16, 33)];
    let mut cases = 0;
    for (s, &(n, d, v)) in shapes.iter().enumerate() {
        for options in (0..(1u32 << 11)).step_by(13 + s) {
            let c = random_case(&mut rng, n, d, v, options);
            let want = explicit::<V>(&c);
            for chunk in [1, 2, 4, n - 1, n, n + 3] {
                let got = fused::<V>(&c, chunk);
                let what = format!("n={n} d={d} v={v} options={options:#b} chunk={chunk}");
                // Rows are independent: the per-row losses, dL/dh and (rows summed in the same
                // order) dL/db are the explicit path's bit for bit.
                bits(&got.per_row, &want.per_row, &format!("{what} per_row"));
                bits(&got.dh, &want.dh, &format!("{what} dh"));
                bits(&got.db, &want.db, &format!("{what} db"));
                assert_eq!(got.result.denominator, want.result.denominator, "{what}");
                // The sum adds the same f64 terms grouped by chunk: within N·2⁻⁵² of Σ|terms|.
                let abs: f64 = want.per_row.iter().map(|&l| (l as f64).abs()).sum();
                assert!((got.result.sum - want.result.sum).abs() <= n as f64 * f64::EPSILON * abs, "{what} sum");
                // dL/dW adds the rows' products a chunk at a time, the explicit path a K block
                // (256 rows) at a time: two orders of N + 1 f32 additions, each within
                // (N + 1)·ε·Σ_i |dz_ik·h_id| of the exact sum.
                for k in 0..v {
                    for j in 0..d {
                        let abs: f64 = (0..n)
                            .map(|i| {
                                let dz = dz_bound(&c, i);
                                (dz * c.hidden[i * d + j] as f64).abs()
                            })
                            .sum();
                        let (g, w) = (got.dw[k * d + j] as f64, want.dw[k * d + j] as f64);
                        assert!(
                            (g - w).abs() <= 2.0 * (n + 1) as f64 * EPS * abs,
                            "{what} dw[{k},{j}]: {g:e} vs {w:e}"
                        );
                    }
                }
                cases += 1;
            }
        }
    }
    assert!(cases > 500, "{cases}");
}

/// |lse_i| ≤ max|z| + ln V ≤ D + 0.5 + ln V (|h|, |w| ≤ 1, |b| ≤ 0.5); also a bound on each
/// |s_k − max s| and so, twice it, on the size of the terms the kernel sums over a row.
fn lse_bound(c: &Case) -> f64 {
    c.d as f64 + 0.5 + (c.v as f64).ln()
}

/// A bound on |dL/dz_ik| for row i (every k): |scale_i|·(Σ_k w_k q_ik + 2·z_loss·|lse_i| + w_max)
/// with Σ w q ≤ w_max.
fn dz_bound(c: &Case, i: usize) -> f64 {
    let t = c.token_weights.as_ref().map_or(1.0, |t| t[i] as f64);
    let u = c.upstream.as_ref().map_or(1.0, |u| u[i] as f64);
    let wmax = c.class_weights.as_ref().map_or(1.0, |w| w.iter().fold(0.0f64, |m, &x| m.max(x as f64)));
    (t * u * c.grad_scale).abs() * (2.0 * wmax + 2.0 * c.z_loss as f64 * lse_bound(c))
}

#[test]
fn chunked_equals_the_explicit_logits_for_every_option_scalar() {
    every_case_agrees::<Scalar>();
}

#[test]
fn chunked_equals_the_explicit_logits_for_every_option_lanes4() {
    every_case_agrees::<Lanes4>();
}

/// The head's loss in float64 from the definition: z = h·Wᵀ + b, s = c·tanh(z/c), then
/// `Σ_i t_i·(−Σ_k w_k q_ik ln softmax(s_i)_k + z_loss·lse_i²)`, times `grad_scale`·upstream (the
/// quantity whose derivative the gradients are).
fn reference_loss(c: &Case, hidden: &[f64], weight: &[f64], bias: &[f64]) -> f64 {
    let (d, v) = (c.d, c.v);
    let w = |k: usize| c.class_weights.as_ref().map_or(1.0, |w| w[k] as f64);
    let mut total = 0.0;
    for (i, &y) in c.targets.iter().enumerate() {
        let sm = &c.smoothing;
        // The smoothed target row (docs/semantics.md §1) from the f32 on/off values, as
        // crates/reference's target_row (whose Smoothing is the other build of this crate's type).
        if y == sm.ignore_index || sm.zeroed_class() == Some(y as usize) {
            continue;
        }
        let mut q = vec![sm.off_value() as f64; v];
        q[y as usize] = sm.on_value() as f64;
        if let Some(p) = sm.zeroed_class() {
            q[p] = 0.0;
        }
        let s: Vec<f64> = (0..v)
            .map(|k| {
                let z = bias[k] + (0..d).map(|j| hidden[i * d + j] * weight[k * d + j]).sum::<f64>();
                if c.softcap > 0.0 {
                    c.softcap as f64 * (z / c.softcap as f64).tanh()
                } else {
                    z
                }
            })
            .collect();
        let m = s.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let lse = m + s.iter().map(|&x| (x - m).exp()).sum::<f64>().ln();
        let loss: f64 = (0..v).filter(|&k| q[k] != 0.0).map(|k| -w(k) * q[k] * (s[k] - lse)).sum::<f64>()
            + c.z_loss as f64 * lse * lse;
        let t = c.token_weights.as_ref().map_or(1.0, |t| t[i] as f64);
        let u = c.upstream.as_ref().map_or(1.0, |u| u[i] as f64);
        total += t * u * c.grad_scale * loss;
    }
    total
}

#[test]
fn gradients_match_finite_differences_of_a_float64_reference_with_softcap() {
    let mut rng = Rng(0x11EA_4002);
    for options in [0b111_1111_0000u32, 0b101_1001_0001, 0b110_0011_0010, 0b001_0001_0000] {
        let c = random_case(&mut rng, 5, 7, 11, options);
        let got = fused::<Lanes4>(&c, 2);
        let f64s = |x: &[f32]| x.iter().map(|&v| v as f64).collect::<Vec<f64>>();
        let (h, w) = (f64s(&c.hidden), f64s(&c.weight));
        let b = c.bias.as_ref().map_or(vec![0.0; c.v], |b| f64s(b));
        let loss = reference_loss(&c, &h, &w, &b);
        // The loss: the f32 path's sum (scaled as the reference) against the float64 value. Its
        // error: logits within (D + 2)·ε·(Σ|h·w| + |b|) ≤ (D + 2)·ε·(D + 0.5) (|h|, |w| ≤ 1,
        // |b| ≤ 0.5), each row's loss moving by at most (Σ_k |∂L/∂s_k| ≤ 2·w_max + 2·z_loss·|lse|)
        // times that, plus the kernel's own sums over V terms ((V + 8)·ε of their size, 2·lse_bound).
        let scaled_sum: f64 = (0..c.n)
            .map(|i| got.per_row[i] as f64 * c.upstream.as_ref().map_or(1.0, |u| u[i] as f64) * c.grad_scale)
            .sum();
        let delta = (c.d + 2) as f64 * EPS * (c.d as f64 + 0.5);
        let per_row_bound: f64 =
            (0..c.n).map(|i| dz_bound(&c, i) * (delta + (c.v + 8) as f64 * EPS * 2.0 * lse_bound(&c))).sum();
        assert!(
            (scaled_sum - loss).abs() <= per_row_bound,
            "options={options:#b} loss {scaled_sum} vs {loss} (bound {per_row_bound:e})"
        );
        // Central differences in f64 with step 1e-6: truncation ≈ step²·|L'''|/6 and rounding
        // ≈ 2⁻⁵²·|L|/step, both below 1e-9 here; the f32 gradient's own error is bounded as the
        // loss's, per element (the size of dz times the relative error of the logits and sums,
        // carried through one product of D or V terms).
        let step = 1e-6;
        let fd = |which: usize, idx: usize| {
            let (mut hp, mut wp, mut bp) = (h.clone(), w.clone(), b.clone());
            let (mut hm, mut wm, mut bm) = (h.clone(), w.clone(), b.clone());
            match which {
                0 => {
                    hp[idx] += step;
                    hm[idx] -= step;
                }
                1 => {
                    wp[idx] += step;
                    wm[idx] -= step;
                }
                _ => {
                    bp[idx] += step;
                    bm[idx] -= step;
                }
            }
            (reference_loss(&c, &hp, &wp, &bp) - reference_loss(&c, &hm, &wm, &bm)) / (2.0 * step)
        };
        let dz_max = (0..c.n).map(|i| dz_bound(&c, i)).fold(0.0, f64::max);
        let rel = 2.0 * delta
            + (c.v + 8) as f64 * EPS * 2.0 * lse_bound(&c)
            + if c.softcap > 0.0 { 2.0 * delta / c.softcap as f64 + 4.0 * EPS } else { 0.0 };
        let bound_h = dz_max * c.v as f64 * (rel + (c.v + 1) as f64 * EPS) + 1e-9;
        let bound_w = dz_max * c.n as f64 * (rel + (c.n + 1) as f64 * EPS) + 1e-9;
        for (i, &g) in got.dh.iter().enumerate() {
            let want = fd(0, i);
            assert!(
                (g as f64 - want).abs() <= bound_h,
                "options={options:#b} dh[{i}]: {g:e} vs {want:e} (bound {bound_h:e})"
            );
        }
        for (i, &g) in got.dw.iter().enumerate() {
            let want = fd(1, i);
            assert!(
                (g as f64 - want).abs() <= bound_w,
                "options={options:#b} dw[{i}]: {g:e} vs {want:e} (bound {bound_w:e})"
            );
        }
        for (i, &g) in got.db.iter().enumerate() {
            let want = fd(2, i);
            assert!(
                (g as f64 - want).abs() <= bound_w,
                "options={options:#b} db[{i}]: {g:e} vs {want:e} (bound {bound_w:e})"
            );
        }
    }
}

#[test]
fn accumulate_adds_to_the_gradients_already_there() {
    let mut rng = Rng(0x11EA_4003);
    let c = random_case(&mut rng, 7, 5, 9, 0b111_1111_0001);
    let once = fused::<Lanes4>(&c, 3);
    let args = c.args(3);
    let mut scratch = vec![0.0; linear_scratch_len(3, c.v, true).unwrap()];
    let (mut dh, mut dw, mut db) = (vec![1.0f32; c.n * c.d], vec![2.0f32; c.v * c.d], vec![3.0f32; c.v]);
    let grads = LinearGrads { hidden: &mut dh, weight: &mut dw, bias: Some(&mut db), accumulate: true };
    linear_cross_entropy::<Lanes4>(&args, None, Some(grads), &mut scratch).unwrap();
    // dh: one f32 addition to the value computed alone (the product is added to C once).
    for (got, &g) in dh.iter().zip(&once.dh) {
        assert_eq!(*got, g + 1.0);
    }
    // db and dw: the start value enters the sum first instead of last, a different order of
    // N + 1 additions: within 2·(N + 1)·ε·(|start| + Σ_i |terms|), Σ_i |terms| ≤ N·max|dz|.
    let terms = c.n as f64 * (0..c.n).map(|i| dz_bound(&c, i)).fold(0.0, f64::max);
    for (got, &g) in db.iter().zip(&once.db) {
        assert!(((*got - (g + 3.0)) as f64).abs() <= 2.0 * (c.n + 1) as f64 * EPS * (3.0 + terms));
    }
    for (got, &g) in dw.iter().zip(&once.dw) {
        assert!(((*got - (g + 2.0)) as f64).abs() <= 2.0 * (c.n + 1) as f64 * EPS * (2.0 + terms));
    }
}

#[test]
fn refuses_bad_lengths_and_targets_before_writing() {
    let mut rng = Rng(0x11EA_4004);
    let c = random_case(&mut rng, 4, 3, 5, 0);
    let mut scratch = vec![0.0; linear_scratch_len(2, 5, false).unwrap()];
    let mut per_row = vec![9.0f32; 4];
    let mut bad = c.clone();
    bad.targets[2] = 5;
    assert_eq!(
        linear_cross_entropy::<Scalar>(&bad.args(2), Some(&mut per_row), None, &mut scratch),
        Err(KernelError::TargetOutOfRange { row: 2, value: 5 })
    );
    assert_eq!(per_row, [9.0; 4]);
    let mut short = c.clone();
    short.hidden.pop();
    assert_eq!(
        linear_cross_entropy::<Scalar>(&short.args(2), None, None, &mut scratch),
        Err(KernelError::LengthMismatch { expected: 12, received: 11 })
    );
    let need = linear_scratch_len(3, 5, false).unwrap();
    assert_eq!(
        linear_cross_entropy::<Scalar>(&c.args(3), None, None, &mut scratch),
        Err(KernelError::LengthMismatch { expected: need, received: scratch.len() })
    );
}
