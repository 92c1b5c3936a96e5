//! Property tests of every kernel of labelsmooth-kernels (proptest; `npm run property-tests` runs
//! 20,000 cases per property).
//!
//! For random shapes (N = 0.., K = 1.., odd K, K not a multiple of the 4 lanes), random slice
//! alignment (each input and output is a window at a random offset into a larger buffer whose
//! guard values must survive), random NaN / ±inf / huge placement, random ignore patterns,
//! weights and scales, and random invalid arguments (targets out of range, wrong lengths,
//! invalid smoothing), every kernel:
//!   * never panics (a panic is a wasm trap in the shipped build);
//!   * gives the same result in the scalar build and the four-lane model of SIMD128 (`lanes4`):
//!     the same error, the same non-finite kind, and finite values within float32 rounding;
//!   * agrees with the float64 reference (crates/reference) where inputs are finite.
//!
//! Time is bounded: every property runs `cases()` cases, 1000 by default: 9 properties, 9,000
//! executions, ~2.5 s in release on 2 cores (plus ~45 s to compile proptest the first time);
//! PROPTEST_CASES overrides it (PROPTEST_CASES=20000: 160,000 executions, ~45 s).
//! Where finite inputs above 1e30 make float32 sums overflow or cancel depending on the order,
//! the two builds may differ and only "no panic, no out-of-window write" is checked.

use labelsmooth_kernels as kernels;
use labelsmooth_kernels::vector::{Lanes4, Scalar};
use labelsmooth_kernels::{
    Convention, CrossEntropyArgs, ElementScale, KernelError, KlDivArgs, LabelSmoothingKlArgs, LinearCrossEntropyArgs,
    LinearGrads, RowScale, SigmoidCrossEntropyArgs, Smoothing, SoftCrossEntropyArgs,
};
use labelsmooth_reference as reference;
use proptest::prelude::*;
use proptest::test_runner::Config;
use reference::Reduction;

/// Cases per property: PROPTEST_CASES when set, else 1000.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

fn config() -> Config {
    Config {
        cases: cases(),
        // No regression files in the source tree; a failure prints its minimal input.
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    }
}

const GUARD: f32 = -1234.5;

// ------------------------------------------------------------------------------- strategies

/// A float that is finite and moderate most of the time, and sometimes NaN, ±inf, ±huge, ±0
/// or subnormal.
fn any_value(range: f32) -> impl Strategy<Value = f32> {
    prop_oneof![
        12 => -range..range,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => prop_oneof![Just(3e38f32), Just(-3e38f32), Just(f32::MAX), Just(f32::MIN)],
        1 => prop_oneof![Just(0.0f32), Just(-0.0f32), Just(1e-40f32), Just(-1e-42f32)],
    ]
}

/// Values that are special only with probability `special` (0 = always finite in range).
fn values(len: usize, range: f32, special: bool) -> BoxedStrategy<Vec<f32>> {
    if special {
        prop::collection::vec(any_value(range), len).boxed()
    } else {
        prop::collection::vec(-range..range, len).boxed()
    }
}

#[derive(Clone, Debug)]
struct Shape {
    n: usize,
    k: usize,
}

fn shape() -> impl Strategy<Value = Shape> {
    // K: tiny (1, 2, 3), lane-boundary (4, 5, 7, 8, 9), odd and larger; N includes 0.
    let k = prop_oneof![1usize..=9, 10usize..=70, Just(127usize), Just(200usize)];
    (0usize..=6, k).prop_map(|(n, k)| Shape { n, k })
}

/// A window of `data` at `offset` inside a buffer of guards.
fn place(data: &[f32], offset: usize) -> Vec<f32> {
    let mut v = vec![GUARD; offset];
    v.extend_from_slice(data);
    v.extend_from_slice(&[GUARD; 5]);
    v
}

fn out_buf(len: usize, offset: usize) -> Vec<f32> {
    vec![GUARD; offset + len + 5]
}

#[track_caller]
fn guards_intact(buf: &[f32], offset: usize, len: usize, what: &str) {
    assert!(buf[..offset].iter().all(|&v| v == GUARD), "{what}: wrote before the window");
    assert!(buf[offset + len..].iter().all(|&v| v == GUARD), "{what}: wrote after the window");
}

// ------------------------------------------------------------------------------- comparisons

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Finite,
    Nan,
    PosInf,
    NegInf,
}

fn kind(v: f64) -> Kind {
    if v.is_nan() {
        Kind::Nan
    } else if v == f64::INFINITY {
        Kind::PosInf
    } else if v == f64::NEG_INFINITY {
        Kind::NegInf
    } else {
        Kind::Finite
    }
}

/// The magnitude to compare with when `inputs` hold finite values so large (|v| > 1e30) that
/// float32 sums of them overflow or cancel depending on the summation order: then the two
/// builds may legitimately differ (in value, and between NaN and ±inf), and only "no panic" is
/// checked. NaN and ±inf themselves do not count: their kind is order-independent.
fn magnitude(base: f64, inputs: &[&[f32]]) -> f64 {
    let huge = inputs.iter().any(|s| s.iter().any(|v| v.is_finite() && v.abs() > 1e30));
    if huge {
        f64::INFINITY
    } else {
        base
    }
}

/// scalar vs lanes4: same kind; finite values within `tol` relative to `magnitude` (nothing is
/// compared when `magnitude` is infinite, see [`magnitude`]).
#[track_caller]
fn same(a: f64, b: f64, magnitude: f64, what: &str) {
    if magnitude.is_infinite() {
        return;
    }
    let (ka, kb) = (kind(a), kind(b));
    if ka != kb {
        panic!("{what}: scalar {a:e} vs lanes4 {b:e}");
    }
    if ka == Kind::Finite && kb == Kind::Finite {
        let tol = 1e-5 * (1.0 + magnitude);
        assert!((a - b).abs() <= tol, "{what}: scalar {a:e} vs lanes4 {b:e} (tol {tol:e})");
    }
}

#[track_caller]
fn same_slices(a: &[f32], b: &[f32], magnitude: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: length");
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        same(x as f64, y as f64, magnitude, &format!("{what}[{i}]"));
    }
}

/// Kernel result vs f64 reference: within `tol·(1 + magnitude)`.
#[track_caller]
fn near(got: f64, want: f64, magnitude: f64, what: &str) {
    if want.is_nan() || got.is_nan() {
        assert!(want.is_nan() && got.is_nan(), "{what}: got {got:e}, reference {want:e}");
        return;
    }
    if want.is_infinite() || got.is_infinite() {
        assert_eq!(got, want, "{what}");
        return;
    }
    let tol = 2e-5 * (1.0 + magnitude);
    assert!((got - want).abs() <= tol, "{what}: got {got:e}, reference {want:e} (tol {tol:e})");
}

// ------------------------------------------------------------------------------- smoothing

fn smoothing(k: usize) -> impl Strategy<Value = Smoothing> {
    let conv = prop_oneof![
        Just(0usize), // uniform
        Just(1usize), // fairseq
        Just(2usize), // annotated
    ];
    let eps = prop_oneof![Just(0.0f64), Just(1.0f64), 0.0f64..=1.0, Just(0.1f64)];
    (conv, eps, 0..k.max(1), prop_oneof![Just(-100i32), Just(0i32), Just(-1i32)]).prop_map(
        move |(c, epsilon, pad, ignore_index)| {
            let convention = match c {
                1 if k >= 2 => Convention::Fairseq,
                2 if k >= 3 => Convention::Annotated { padding_idx: pad },
                _ => Convention::Uniform,
            };
            Smoothing { convention, num_classes: k, epsilon, ignore_index }
        },
    )
}

/// Targets: mostly valid classes, some ignored, some padding, some (when `invalid`) out of range.
fn targets(n: usize, k: usize, invalid: bool) -> BoxedStrategy<Vec<i32>> {
    let valid = 0..k as i32;
    let t = if invalid {
        prop_oneof![8 => valid, 1 => Just(-100i32), 1 => prop_oneof![Just(k as i32), Just(-1i32), Just(i32::MIN), Just(i32::MAX)]].boxed()
    } else {
        prop_oneof![8 => valid, 1 => Just(-100i32), 1 => Just(0i32)].boxed()
    };
    prop::collection::vec(t, n).boxed()
}

// ------------------------------------------------------------------------------- properties

proptest! {
    #![proptest_config(config())]

    /// smooth_targets: scalar and lanes4 bit-identical, equal to the definition, guards intact,
    /// and the same error for a bad target or length.
    #[test]
    fn smooth_targets((sh, sm, t, off, bad_len) in shape().prop_flat_map(|sh| {
        let (n, k) = (sh.n, sh.k);
        (Just(sh), smoothing(k), targets(n, k, true), 0usize..4, prop::bool::weighted(0.1))
    })) {
        let len = t.len() * sm.num_classes + usize::from(bad_len);
        let mut a = out_buf(len, off);
        let mut b = out_buf(len, off);
        let ra = kernels::smooth_targets::<Scalar>(&sm, &t, &mut a[off..off + len]);
        let rb = kernels::smooth_targets::<Lanes4>(&sm, &t, &mut b[off..off + len]);
        prop_assert_eq!(ra, rb);
        guards_intact(&a, off, len, "scalar");
        guards_intact(&b, off, len, "lanes4");
        if ra.is_ok() {
            prop_assert!(!bad_len);
            for (x, y) in a.iter().zip(&b) { prop_assert_eq!(x.to_bits(), y.to_bits()); }
            for (i, &ti) in t.iter().enumerate() {
                let want = reference::target_row(&sm, ti).unwrap_or_else(|| vec![0.0; sm.num_classes]);
                for (c, w) in want.iter().enumerate() {
                    prop_assert_eq!(a[off + i * sm.num_classes + c] as f64, *w);
                }
            }
        } else if !bad_len {
            let first = t.iter().position(|&v| v != sm.ignore_index && (v < 0 || v as usize >= sh.k));
            prop_assert_eq!(ra, Err(KernelError::TargetOutOfRange { row: first.unwrap(), value: t[first.unwrap()] }));
        }
    }

    /// exp: lanes4 equals scalar bit for bit (NaN for NaN) at every length and alignment; within
    /// 2.5 ulp of f64 exp.
    #[test]
    fn exp_slices(x in prop::collection::vec(any_value(120.0), 0..70), off in 0usize..4) {
        let src = place(&x, off);
        let mut a = out_buf(x.len(), off);
        let mut b = out_buf(x.len(), (off + 1) % 4);
        kernels::exp_slice::<Scalar>(&src[off..off + x.len()], &mut a[off..off + x.len()]).unwrap();
        let ob = (off + 1) % 4;
        kernels::exp_slice::<Lanes4>(&src[off..off + x.len()], &mut b[ob..ob + x.len()]).unwrap();
        guards_intact(&a, off, x.len(), "scalar");
        guards_intact(&b, ob, x.len(), "lanes4");
        for (i, &v) in x.iter().enumerate() {
            let (ga, gb) = (a[off + i], b[ob + i]);
            prop_assert!(ga.to_bits() == gb.to_bits() || (ga.is_nan() && gb.is_nan()), "exp({}) {} vs {}", v, ga, gb);
            let want = (v as f64).exp();
            if v.is_nan() { prop_assert!(ga.is_nan()); continue; }
            let rounded = want as f32;
            if rounded.is_infinite() || rounded == 0.0 || !rounded.is_normal() {
                // Overflow, underflow and subnormal results: within one ulp of the subnormal grid.
                prop_assert!((ga as f64 - want).abs() <= 2f64.powi(-149) * 2.0 || ga == rounded, "exp({}) = {} vs {}", v, ga, want);
            } else {
                let ulp = 2f64.powi((want.abs().log2().floor() as i32) - 23);
                prop_assert!((ga as f64 - want).abs() <= 2.5 * ulp, "exp({}) = {} vs {}", v, ga, want);
            }
        }
        // A wrong output length is an error, not a panic.
        let mut short = vec![0.0; x.len() + 1];
        prop_assert!(kernels::exp_slice::<Scalar>(&x, &mut short).is_err() && kernels::exp_slice::<Lanes4>(&x, &mut short).is_err());
    }

    /// Class-index cross-entropy, every convention, weights, z-loss, reduction, upstream,
    /// optional outputs: no panic, scalar ≈ lanes4 (same errors, same non-finite kinds), f64
    /// reference where the logits are finite.
    #[test]
    fn cross_entropy((sh, sm, t, x, w, z, red, up, special) in shape().prop_flat_map(|sh| {
        let (n, k) = (sh.n, sh.k);
        let special = prop::bool::weighted(0.4);
        (Just(sh), smoothing(k), targets(n, k, true), special).prop_flat_map(move |(sh, sm, t, special)| {
            (
                Just(sh), Just(sm), Just(t),
                values(n * k, 30.0, special),
                prop::option::of(prop::collection::vec(0.0f32..3.0, k)),
                prop_oneof![3 => Just(0.0f32), 1 => 0.0f32..0.1],
                prop_oneof![Just(Reduction::None), Just(Reduction::Sum), Just(Reduction::Mean)],
                prop::option::of(prop::collection::vec(-2.0f32..2.0, n)),
                Just(special),
            )
        })
    }), offs in prop::array::uniform4(0usize..4), want_grad in any::<bool>(), want_rows in any::<bool>()) {
        let (n, k) = (sh.n, sh.k);
        let xs = place(&x, offs[0]);
        let ws = w.as_ref().map(|w| place(w, offs[1]));
        let ups = up.as_ref().map(|u| place(u, offs[2]));
        let run = |lanes: bool| {
            let args = CrossEntropyArgs {
                smoothing: sm,
                logits: &xs[offs[0]..offs[0] + n * k],
                targets: &t,
                class_weights: ws.as_ref().map(|w| &w[offs[1]..offs[1] + k]),
                z_loss: z,
                // The package's scale for the reduction (losses/reduction.ts), D by the kernels' rule.
                grad_scale: red.grad_scale(kernels::cross_entropy_denominator(&sm, &t, w.as_deref()).unwrap_or(1.0)),
                upstream: match &ups { Some(u) => RowScale::PerRow(&u[offs[2]..offs[2] + n]), None => RowScale::Uniform(1.0) },
            };
            let mut rows = out_buf(n, offs[3]);
            let mut grad = out_buf(n * k, offs[3]);
            let r = {
                let pr = want_rows.then(|| &mut rows[offs[3]..offs[3] + n]);
                let gr = want_grad.then(|| &mut grad[offs[3]..offs[3] + n * k]);
                if lanes { kernels::cross_entropy::<Lanes4>(&args, pr, gr) } else { kernels::cross_entropy::<Scalar>(&args, pr, gr) }
            };
            guards_intact(&rows, offs[3], n, "per_row");
            guards_intact(&grad, offs[3], n * k, "grad");
            (r, rows[offs[3]..offs[3] + n].to_vec(), grad[offs[3]..offs[3] + n * k].to_vec())
        };
        let (ra, rows_a, grad_a) = run(false);
        let (rb, rows_b, grad_b) = run(true);
        match (ra, rb) {
            (Err(ea), Err(eb)) => { prop_assert_eq!(ea, eb); return Ok(()); }
            (Ok(_), Err(e)) | (Err(e), Ok(_)) => { prop_assert!(false, "only one build refused: {:?}", e); unreachable!() }
            (Ok(a), Ok(b)) => {
                let mag = magnitude(30.0 * k as f64 * (n as f64 + 1.0) * 3.0, &[&x]);
                let (a_loss, b_loss) = (red.reduce(a.sum, a.denominator), red.reduce(b.sum, b.denominator));
                same(a_loss, b_loss, mag, "loss");
                same(a.denominator, b.denominator, mag, "denominator");
                if want_rows { same_slices(&rows_a, &rows_b, mag, "per_row"); }
                if want_grad { same_slices(&grad_a, &grad_b, magnitude(10.0, &[&x]), "grad"); }
                if special { return Ok(()); }
                // f64 reference (finite logits in [-30, 30]).
                let r = reference::cross_entropy(&sm, &x, &t, w.as_deref(), z as f64, red, up.as_deref());
                let (rows, d) = (&r.per_row, r.denominator);
                let mag = rows.iter().map(|v| v.abs()).sum::<f64>() * match red { Reduction::Mean => 1.0 / d.max(1e-30), _ => 1.0 } * 3.0;
                if d == 0.0 && red == Reduction::Mean {
                    prop_assert!(a_loss.is_nan(), "mean with D = 0 must be NaN, got {}", a_loss);
                } else if d > 1e-3 || red != Reduction::Mean {
                    near(a_loss, r.loss, mag, "loss vs f64");
                }
                if want_rows { for i in 0..n { near(rows_a[i] as f64, rows[i], rows[i].abs() * 3.0, "per_row vs f64"); } }
                if want_grad && (d > 1e-3 || red != Reduction::Mean) {
                    for i in 0..n {
                        if reference::target_row(&sm, t[i]).is_none() {
                            for c in 0..k { prop_assert_eq!(grad_a[i * k + c], 0.0, "skipped row's gradient"); }
                            continue;
                        }
                        let s = up.as_ref().map_or(1.0, |u| u[i] as f64) * match red { Reduction::Mean => 1.0 / d, _ => 1.0 };
                        let wsum = w.as_ref().map_or(k as f64, |w| w.iter().map(|&v| v as f64).sum());
                        for c in 0..k { near(grad_a[i * k + c] as f64, r.grad[i * k + c], s.abs() * (2.0 + wsum) * (1.0 + 10.0 * z as f64 * 40.0), "grad vs f64"); }
                    }
                }
            }
        }
    }

    /// Soft-target cross-entropy (PyTorch probability targets / tfjs softmaxCrossEntropy).
    #[test]
    fn soft_cross_entropy((sh, x, tg, w, eps, scale, special) in shape().prop_flat_map(|sh| {
        let (n, k) = (sh.n, sh.k);
        prop::bool::weighted(0.4).prop_flat_map(move |special| (
            Just(sh.clone()),
            values(n * k, 30.0, special),
            values(n * k, 1.0, special).prop_map(|v| v.into_iter().map(|t| if t.is_finite() { t.abs() } else { t }).collect::<Vec<_>>()),
            prop::option::of(prop::collection::vec(0.0f32..3.0, k)),
            prop_oneof![Just(0.0f64), 0.0f64..=1.0],
            prop::option::of(prop::collection::vec(-2.0f32..2.0, n)),
            Just(special),
        ))
    }), offs in prop::array::uniform4(0usize..4), want_grad in any::<bool>()) {
        let (n, k) = (sh.n, sh.k);
        let xs = place(&x, offs[0]);
        let ts = place(&tg, offs[1]);
        let ws = w.as_ref().map(|w| place(w, offs[2]));
        let run = |lanes: bool| {
            let args = SoftCrossEntropyArgs {
                num_rows: n, num_classes: k,
                logits: &xs[offs[0]..offs[0] + n * k],
                targets: &ts[offs[1]..offs[1] + n * k],
                epsilon: eps,
                class_weights: ws.as_ref().map(|w| &w[offs[2]..offs[2] + k]),
                scale: match &scale { Some(s) => RowScale::PerRow(s), None => RowScale::Uniform(0.5) },
            };
            let mut rows = out_buf(n, offs[3]);
            let mut grad = out_buf(n * k, offs[3]);
            let r = {
                let pr = Some(&mut rows[offs[3]..offs[3] + n]);
                let gr = want_grad.then(|| &mut grad[offs[3]..offs[3] + n * k]);
                if lanes { kernels::soft_cross_entropy::<Lanes4>(&args, pr, gr) } else { kernels::soft_cross_entropy::<Scalar>(&args, pr, gr) }
            };
            guards_intact(&rows, offs[3], n, "per_row");
            guards_intact(&grad, offs[3], n * k, "grad");
            (r.unwrap(), rows[offs[3]..offs[3] + n].to_vec(), grad[offs[3]..offs[3] + n * k].to_vec())
        };
        let (a, rows_a, grad_a) = run(false);
        let (b, rows_b, grad_b) = run(true);
        let mag = magnitude(30.0 * 3.0 * k as f64 * (n as f64 + 1.0), &[&x, &tg]);
        same(a.sum, b.sum, mag, "sum");
        same(a.scaled_sum, b.scaled_sum, mag, "scaled_sum");
        same_slices(&rows_a, &rows_b, mag, "per_row");
        if want_grad { same_slices(&grad_a, &grad_b, magnitude(3.0 * k as f64, &[&x, &tg]), "grad"); }
        if special { return Ok(()); }
        let row_scale: Vec<f32> = match &scale { Some(s) => s.clone(), None => vec![0.5; n] };
        let r = reference::soft_cross_entropy(k, &x, &tg, eps, w.as_deref(), &row_scale);
        for i in 0..n {
            near(rows_a[i] as f64, r.per_row[i], r.magnitude[i] * 2.0, "per_row vs f64");
            if want_grad {
                let s = row_scale[i] as f64;
                for c in 0..k { near(grad_a[i * k + c] as f64, r.grad[i * k + c], s.abs() * (1.0 + 2.0 * r.mass[i].abs()), "grad vs f64"); }
            }
        }
    }

    /// Sigmoid cross-entropy, elementwise: every scale kind.
    #[test]
    fn sigmoid_cross_entropy((sh, x, y, eps, kind_, sc, special) in shape().prop_flat_map(|sh| {
        let (n, k) = (sh.n, sh.k);
        prop::bool::weighted(0.4).prop_flat_map(move |special| (
            Just(sh.clone()),
            values(n * k, 60.0, special),
            prop::collection::vec(prop_oneof![Just(0.0f32), Just(1.0f32), 0.0f32..1.0], n * k),
            prop_oneof![Just(0.0f64), 0.0f64..=1.0],
            0u32..3,
            prop::collection::vec(-2.0f32..2.0, n * k),
            Just(special),
        ))
    }), offs in prop::array::uniform2(0usize..4), want_grad in any::<bool>()) {
        let (n, k) = (sh.n, sh.k);
        let xs = place(&x, offs[0]);
        let run = |lanes: bool| {
            let scale = match kind_ { 0 => ElementScale::Uniform(0.25), 1 => ElementScale::PerRow(&sc[..n]), _ => ElementScale::PerElement(&sc) };
            let args = SigmoidCrossEntropyArgs { num_rows: n, num_classes: k, logits: &xs[offs[0]..offs[0] + n * k], labels: &y, epsilon: eps, scale };
            let mut l = out_buf(n * k, offs[1]);
            let mut g = out_buf(n * k, offs[1]);
            let r = {
                let lo = Some(&mut l[offs[1]..offs[1] + n * k]);
                let go = want_grad.then(|| &mut g[offs[1]..offs[1] + n * k]);
                if lanes { kernels::sigmoid_cross_entropy::<Lanes4>(&args, lo, go) } else { kernels::sigmoid_cross_entropy::<Scalar>(&args, lo, go) }
            };
            guards_intact(&l, offs[1], n * k, "losses");
            guards_intact(&g, offs[1], n * k, "grad");
            (r.unwrap(), l[offs[1]..offs[1] + n * k].to_vec(), g[offs[1]..offs[1] + n * k].to_vec())
        };
        let (a, la, ga) = run(false);
        let (b, lb, gb) = run(true);
        let mag = magnitude(60.0 * (n * k) as f64 * 2.0, &[&x]);
        same(a.sum, b.sum, mag, "sum");
        same_slices(&la, &lb, 60.0, "losses");
        if want_grad { same_slices(&ga, &gb, 2.0, "grad"); }
        if special { return Ok(()); }
        for e in 0..n * k {
            let xv = x[e] as f64;
            // q from the kernel's f32 constants 1 − ε and ε/2.
            let q = (y[e] as f64) * ((1.0 - eps) as f32 as f64) + (0.5 * eps) as f32 as f64;
            let (want, dwant) = reference::sigmoid_cross_entropy(x[e], q);
            near(la[e] as f64, want, want.abs() + xv.abs() * 1e-2, "loss vs f64");
            if want_grad {
                let s = match kind_ { 0 => 0.25, 1 => sc[e / k] as f64, _ => sc[e] as f64 };
                near(ga[e] as f64, s * dwant, s.abs(), "grad vs f64");
            }
        }
    }

    /// Elementwise KL divergence (probability and log targets).
    #[test]
    fn kl_div((sh, x, t, log_target, kind_, sc, special) in shape().prop_flat_map(|sh| {
        let (n, k) = (sh.n, sh.k);
        prop::bool::weighted(0.4).prop_flat_map(move |special| (
            Just(sh.clone()),
            values(n * k, 20.0, special),
            values(n * k, 1.0, special),
            any::<bool>(),
            0u32..3,
            prop::collection::vec(-2.0f32..2.0, n * k),
            Just(special),
        ))
    }), off in 0usize..4) {
        let (n, k) = (sh.n, sh.k);
        let xs = place(&x, off);
        let run = |lanes: bool| {
            let scale = match kind_ { 0 => ElementScale::Uniform(0.5), 1 => ElementScale::PerRow(&sc[..n]), _ => ElementScale::PerElement(&sc) };
            let args = KlDivArgs { num_rows: n, num_classes: k, input: &xs[off..off + n * k], target: &t, log_target, scale };
            let mut terms = out_buf(n * k, off);
            let mut g = out_buf(n * k, 3 - off);
            let r = {
                let to = Some(&mut terms[off..off + n * k]);
                let go = Some(&mut g[3 - off..3 - off + n * k]);
                if lanes { kernels::kl_div::<Lanes4>(&args, to, go) } else { kernels::kl_div::<Scalar>(&args, to, go) }
            };
            guards_intact(&terms, off, n * k, "terms");
            guards_intact(&g, 3 - off, n * k, "grad");
            (r.unwrap(), terms[off..off + n * k].to_vec(), g[3 - off..3 - off + n * k].to_vec())
        };
        let (a, ta, ga) = run(false);
        let (b, tb, gb) = run(true);
        // Elementwise the lanes run the scalar arithmetic (bit for bit); the sums differ in order.
        let mag = magnitude(20.0 * (n * k) as f64 * 2.0, &[&x, &t]);
        same(a.sum, b.sum, mag, "sum");
        for (u, v) in ta.iter().zip(&tb).chain(ga.iter().zip(&gb)) {
            prop_assert!(u.to_bits() == v.to_bits() || (u.is_nan() && v.is_nan()), "scalar {} vs lanes4 {}", u, v);
        }
        for e in 0..n * k {
            let (xv, tv) = (x[e] as f64, t[e] as f64);
            let (q, want) = reference::kl_div_term(x[e], t[e], log_target);
            if special && !(xv.is_finite() && tv.is_finite()) {
                // Defined special values: q = 0 contributes exactly 0 whatever x is.
                if !log_target && tv == 0.0 { prop_assert_eq!(ta[e], 0.0); }
                continue;
            }
            near(ta[e] as f64, want as f32 as f64, want.abs(), "term vs f64");
            let s = match kind_ { 0 => 0.5, 1 => sc[e / k] as f64, _ => sc[e] as f64 };
            near(ga[e] as f64, (-q * s) as f32 as f64, 0.0, "grad vs f64");
        }
    }

    /// The Annotated Transformer criterion in KL form, every convention.
    #[test]
    fn label_smoothing_kl((sh, sm, t, x, special) in shape().prop_flat_map(|sh| {
        let (n, k) = (sh.n, sh.k);
        (Just(sh), smoothing(k), targets(n, k, true), prop::bool::weighted(0.4))
            .prop_flat_map(move |(sh, sm, t, special)| (Just(sh), Just(sm), Just(t), values(n * k, 20.0, special), Just(special)))
    }), off in 0usize..4) {
        let (n, k) = (sh.n, sh.k);
        let xs = place(&x, off);
        let run = |lanes: bool| {
            let args = LabelSmoothingKlArgs { smoothing: sm, input: &xs[off..off + n * k], targets: &t, scale: RowScale::Uniform(1.0) };
            let mut rows = out_buf(n, off);
            let mut g = out_buf(n * k, off);
            let r = {
                let ro = Some(&mut rows[off..off + n]);
                let go = Some(&mut g[off..off + n * k]);
                if lanes { kernels::label_smoothing_kl::<Lanes4>(&args, ro, go) } else { kernels::label_smoothing_kl::<Scalar>(&args, ro, go) }
            };
            guards_intact(&rows, off, n, "per_row");
            guards_intact(&g, off, n * k, "grad");
            (r, rows[off..off + n].to_vec(), g[off..off + n * k].to_vec())
        };
        let (ra, rows_a, ga) = run(false);
        let (rb, rows_b, gb) = run(true);
        match (ra, rb) {
            (Err(ea), Err(eb)) => prop_assert_eq!(ea, eb),
            (Ok(a), Ok(b)) => {
                let mag = magnitude(20.0 * (n * k) as f64, &[&x]);
                same(a, b, mag, "loss");
                same_slices(&rows_a, &rows_b, magnitude(20.0 * k as f64, &[&x]), "per_row");
                for (u, v) in ga.iter().zip(&gb) { prop_assert_eq!(u.to_bits(), v.to_bits()); }
                if special { return Ok(()); }
                for i in 0..n {
                    let Some(q) = reference::target_row(&sm, t[i]) else { continue };
                    for c in 0..k { prop_assert_eq!(ga[i * k + c] as f64, -(q[c] as f32 as f64)); }
                }
                near(a, reference::label_smoothing_kl(&sm, &x, &t), mag, "loss vs f64");
            }
            (a, b) => prop_assert!(false, "only one build refused: {:?} vs {:?}", a, b),
        }
    }

    /// The linear head on hostile values (NaN, ±inf, huge in hidden, weight and bias), any softcap
    /// and chunk size, invalid targets: never panics, and both builds give the same error or
    /// the same kind of loss and per-row losses (finite ones within float32 rounding of the terms).
    #[test]
    fn linear_cross_entropy((n, d, v, sm, t, h, w, b, cap, chunk) in (0usize..6, 1usize..6, 3usize..11).prop_flat_map(|(n, d, v)| {
        (Just(n), Just(d), Just(v), smoothing(v), targets(n, v, true), values(n * d, 4.0, true), values(v * d, 4.0, true),
         values(v, 2.0, true), prop_oneof![Just(0.0f32), Just(3.0), Just(-1.0), Just(f32::NAN), Just(f32::INFINITY), 0.1f32..50.0], 0usize..9)
    })) {
        let args = LinearCrossEntropyArgs {
            smoothing: sm, hidden_size: d, hidden: &h, weight: &w, bias: Some(&b), targets: &t, class_weights: None,
            token_weights: None, z_loss: 0.01, softcap: cap, upstream: RowScale::Uniform(1.0), grad_scale: 0.5, chunk_rows: chunk,
        };
        let scratch_len = kernels::linear_scratch_len(chunk.clamp(1, n.max(1)), v, true).unwrap();
        let mut outs = Vec::new();
        for lanes in [false, true] {
            let (mut rows, mut dh, mut dw, mut db) = (vec![0.0f32; n], vec![0.0f32; n * d], vec![0.0f32; v * d], vec![0.0f32; v]);
            let mut scratch = vec![f32::NAN; scratch_len];
            let grads = LinearGrads { hidden: &mut dh, weight: &mut dw, bias: Some(&mut db), accumulate: false };
            let r = if lanes {
                kernels::linear_cross_entropy::<Lanes4>(&args, Some(&mut rows), Some(grads), &mut scratch)
            } else {
                kernels::linear_cross_entropy::<Scalar>(&args, Some(&mut rows), Some(grads), &mut scratch)
            };
            outs.push((r, rows));
        }
        let ((r1, rows1), (r4, rows4)) = (&outs[0], &outs[1]);
        // Finite inputs above 1e30 overflow or cancel in sums whose order differs by build.
        let huge = [&h, &w, &b].iter().any(|x| x.iter().any(|v| v.is_finite() && v.abs() > 1e30));
        match (r1, r4) {
            (Ok(_), Ok(_)) if huge => {}
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(kind(a.sum), kind(b.sum));
                prop_assert_eq!(a.denominator, b.denominator);
                for (x, y) in rows1.iter().zip(rows4) {
                    prop_assert_eq!(kind(*x as f64), kind(*y as f64));
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "only one build refused: {:?} vs {:?}", a, b),
        }
    }

    /// Hostile shapes: wrong slice lengths for every kernel give LengthMismatch (or another
    /// error), never a panic, in both builds.
    #[test]
    fn wrong_lengths_never_panic(n in 0usize..5, k in 1usize..9, dl in prop::array::uniform6(0usize..3)) {
        let sm = Smoothing { convention: Convention::Uniform, num_classes: k, epsilon: 0.1, ignore_index: -100 };
        let t = vec![0i32; n];
        let x = vec![0.5f32; n * k + dl[0]];
        let w = vec![1.0f32; k + dl[1]];
        let up = vec![1.0f32; n + dl[2]];
        let mut rows = vec![0.0f32; n + dl[3]];
        let mut grad = vec![0.0f32; n * k + dl[4]];
        let y = vec![0.0f32; n * k + dl[5]];
        let all_right = dl.iter().all(|&d| d == 0);
        for lanes in [false, true] {
            let ce = CrossEntropyArgs { smoothing: sm, logits: &x, targets: &t, class_weights: Some(&w), z_loss: 0.0, upstream: RowScale::PerRow(&up), grad_scale: 0.5 };
            let r = if lanes { kernels::cross_entropy::<Lanes4>(&ce, Some(&mut rows), Some(&mut grad)) } else { kernels::cross_entropy::<Scalar>(&ce, Some(&mut rows), Some(&mut grad)) };
            prop_assert_eq!(r.is_ok(), dl[0] == 0 && dl[1] == 0 && dl[2] == 0 && dl[3] == 0 && dl[4] == 0);
            let soft = SoftCrossEntropyArgs { num_rows: n, num_classes: k, logits: &x, targets: &y, epsilon: 0.1, class_weights: Some(&w), scale: RowScale::PerRow(&up) };
            let r = if lanes { kernels::soft_cross_entropy::<Lanes4>(&soft, Some(&mut rows), Some(&mut grad)) } else { kernels::soft_cross_entropy::<Scalar>(&soft, Some(&mut rows), Some(&mut grad)) };
            prop_assert_eq!(r.is_ok(), all_right);
            let sig = SigmoidCrossEntropyArgs { num_rows: n, num_classes: k, logits: &x, labels: &y, epsilon: 0.1, scale: ElementScale::PerRow(&up) };
            let r = if lanes { kernels::sigmoid_cross_entropy::<Lanes4>(&sig, None, Some(&mut grad)) } else { kernels::sigmoid_cross_entropy::<Scalar>(&sig, None, Some(&mut grad)) };
            prop_assert_eq!(r.is_ok(), dl[0] == 0 && dl[2] == 0 && dl[4] == 0 && dl[5] == 0);
            let kl = KlDivArgs { num_rows: n, num_classes: k, input: &x, target: &y, log_target: false, scale: ElementScale::PerElement(&grad.clone()) };
            let r = if lanes { kernels::kl_div::<Lanes4>(&kl, None, Some(&mut grad)) } else { kernels::kl_div::<Scalar>(&kl, None, Some(&mut grad)) };
            prop_assert_eq!(r.is_ok(), dl[0] == 0 && dl[4] == 0 && dl[5] == 0);
            let ls = LabelSmoothingKlArgs { smoothing: sm, input: &x, targets: &t, scale: RowScale::PerRow(&up) };
            let r = if lanes { kernels::label_smoothing_kl::<Lanes4>(&ls, Some(&mut rows), None) } else { kernels::label_smoothing_kl::<Scalar>(&ls, Some(&mut rows), None) };
            prop_assert_eq!(r.is_ok(), dl[0] == 0 && dl[2] == 0 && dl[3] == 0);
        }
        // Invalid smoothing parameters are refused by every kernel that takes them.
        for bad in [f64::NAN, -0.5, 1.5, f64::INFINITY] {
            let s = Smoothing { epsilon: bad, ..sm };
            let ce = CrossEntropyArgs { smoothing: s, logits: &x[..n * k], targets: &t, class_weights: None, z_loss: 0.0, upstream: RowScale::Uniform(1.0), grad_scale: 1.0 };
            prop_assert_eq!(kernels::cross_entropy::<Scalar>(&ce, None, None).err(), Some(KernelError::InvalidSmoothing));
            prop_assert_eq!(kernels::cross_entropy::<Lanes4>(&ce, None, None).err(), Some(KernelError::InvalidSmoothing));
            prop_assert_eq!(kernels::smooth_targets::<Lanes4>(&s, &t, &mut vec![0.0; n * k]), Err(KernelError::InvalidSmoothing));
        }
    }
}
