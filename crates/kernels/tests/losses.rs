//! Native tests of the loss kernels against the float64 reference (crates/reference), finite
//! differences, special values and numbers from the framework vectors (test/fixtures/vectors/,
//! described in its README), in the scalar build and the four-lane model of SIMD128.

// The framework vectors contain values such as log 2 and log 10 on purpose.
#![allow(clippy::approx_constant)]

use labelsmooth_kernels::vector::{Lanes4, Scalar};
use labelsmooth_kernels::{
    cross_entropy, cross_entropy_denominator, kl_div, label_smoothing_kl, sigmoid_cross_entropy, soft_cross_entropy,
    target_entropy, Convention, CrossEntropyArgs, CrossEntropyResult, ElementScale, KernelError, KlDivArgs,
    LabelSmoothingKlArgs, LossSums, RowScale, SigmoidCrossEntropyArgs, Smoothing, SoftCrossEntropyArgs,
};
use labelsmooth_reference as reference;
use reference::{Reduction, Rng};

const INF: f32 = f32::INFINITY;

fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    (a - b).abs() <= 2e-6 + 3e-5 * b.abs()
}

#[track_caller]
fn assert_close(got: f64, want: f64, what: &str) {
    assert!(close(got, want), "{what}: got {got:e}, want {want:e}");
}

/// `close` for a sum whose terms may cancel: the tolerance is relative to `magnitude` = Σ|term|.
#[track_caller]
fn assert_close_sum(got: f64, want: f64, magnitude: f64, what: &str) {
    assert!(
        (got - want).abs() <= 2e-6 + 3e-5 * magnitude || (got.is_nan() && want.is_nan()),
        "{what}: got {got:e}, want {want:e} (Σ|terms| {magnitude:e})"
    );
}

#[track_caller]
fn assert_all_close(got: &[f32], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(close(g as f64, w), "{what}[{i}]: got {g:e}, want {w:e}");
    }
}

/// A fresh buffer with `offset` leading junk values, so kernels see subslices at every start
/// offset relative to the 4-lane grid (0..=4 floats: aligned, the three unaligned ones, and
/// aligned one vector on).
fn offset_copy(data: &[f32], offset: usize) -> Vec<f32> {
    let mut v = vec![123.0; offset];
    v.extend_from_slice(data);
    v.push(-7.0);
    v
}

// ---------------------------------------------------------------- cross-entropy

type CeFn = fn(&CrossEntropyArgs, Option<&mut [f32]>, Option<&mut [f32]>) -> Result<CrossEntropyResult, KernelError>;
const CE_IMPLS: [(&str, CeFn); 2] = [("scalar", cross_entropy::<Scalar>), ("lanes4", cross_entropy::<Lanes4>)];

/// A kernel result and the loss the package makes of it for a reduction (losses/reduction.ts).
#[derive(Debug)]
struct Ce {
    loss: f64,
    nll: f64,
    smooth: f64,
}

/// The kernel's `grad_scale` for `red` (upstream 1), with D by the kernels' own rule.
fn grad_scale(red: Reduction, sm: &Smoothing, t: &[i32], w: Option<&[f32]>) -> f64 {
    red.grad_scale(cross_entropy_denominator(sm, t, w).unwrap_or(1.0))
}

/// Runs `f` with per-row and gradient outputs placed at `offset` in larger buffers, and reduces
/// its sum as `red` says.
fn run_ce(f: CeFn, args: &CrossEntropyArgs, offset: usize, red: Reduction) -> (Ce, Vec<f32>, Vec<f32>) {
    let (n, k) = (args.targets.len(), args.smoothing.num_classes);
    let mut rows = vec![9.0f32; n + offset];
    let mut grad = vec![9.0f32; n * k + offset];
    let res = f(args, Some(&mut rows[offset..]), Some(&mut grad[offset..])).unwrap();
    // Without outputs the sum must be the same.
    let bare = f(args, None, None).unwrap();
    assert!(bare.sum.to_bits() == res.sum.to_bits() || (bare.sum.is_nan() && res.sum.is_nan()));
    let ce = Ce { loss: red.reduce(res.sum, res.denominator), nll: res.nll, smooth: res.smooth };
    (ce, rows[offset..].to_vec(), grad[offset..].to_vec())
}

fn conventions(k: usize, rng: &mut Rng) -> Vec<Convention> {
    let mut v = vec![Convention::Uniform];
    if k >= 2 {
        v.push(Convention::Fairseq);
    }
    if k >= 3 {
        v.push(Convention::Annotated { padding_idx: rng.below(k) });
    }
    v
}

#[test]
fn cross_entropy_matches_reference_every_k() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut cases = 0;
    for k in 1..=67 {
        for conv in conventions(k, &mut rng) {
            for offset in 0..=4 {
                let n = 1 + rng.below(6);
                let eps = [0.0f32, 0.1, 0.37, 1.0][rng.below(4)];
                let ignore = if rng.below(3) == 0 { 0 } else { -100 };
                let sm = Smoothing { convention: conv, num_classes: k, epsilon: eps as f64, ignore_index: ignore };
                let logits: Vec<f32> = (0..n * k).map(|_| rng.range(-8.0, 8.0)).collect();
                let targets: Vec<i32> =
                    (0..n).map(|_| if rng.below(5) == 0 { ignore } else { rng.below(k) as i32 }).collect();
                let weights: Vec<f32> = (0..k).map(|_| rng.range(0.1, 2.0)).collect();
                let upstream: Vec<f32> = (0..n).map(|_| rng.range(-2.0, 2.0)).collect();
                let use_w = rng.below(2) == 0;
                let z = if rng.below(3) == 0 { 1e-2f32 } else { 0.0 };
                let red = [Reduction::None, Reduction::Sum, Reduction::Mean][rng.below(3)];
                let use_up = rng.below(2) == 0;
                let xb = offset_copy(&logits, offset);
                let wb = offset_copy(&weights, offset);
                let ub = offset_copy(&upstream, offset);
                let args = CrossEntropyArgs {
                    smoothing: sm,
                    logits: &xb[offset..offset + n * k],
                    targets: &targets,
                    class_weights: use_w.then(|| &wb[offset..offset + k]),
                    z_loss: z,
                    upstream: if use_up { RowScale::PerRow(&ub[offset..offset + n]) } else { RowScale::Uniform(1.0) },
                    grad_scale: grad_scale(red, &sm, &targets, use_w.then(|| &wb[offset..offset + k])),
                };
                let r = reference::cross_entropy(
                    &sm,
                    &logits,
                    &targets,
                    use_w.then_some(&weights[..]),
                    z as f64,
                    red,
                    use_up.then_some(&upstream[..]),
                );
                for (name, f) in CE_IMPLS {
                    let what = format!("{name} K={k} {conv:?} eps={eps} w={use_w} z={z} {red:?} targets={targets:?}");
                    let (res, rows, grad) = run_ce(f, &args, offset, red);
                    assert_close(res.loss, r.loss, &format!("{what} loss"));
                    assert_all_close(&rows, &r.per_row, &format!("{what} per_row"));
                    assert_all_close(&grad, &r.grad, &format!("{what} grad"));
                    assert_close(res.nll, r.nll, &format!("{what} nll"));
                    assert_close(res.smooth, r.smooth, &format!("{what} smooth"));
                }
                cases += 1;
            }
        }
    }
    assert!(cases > 500);
}

#[test]
fn cross_entropy_gradient_matches_finite_differences() {
    let mut rng = Rng(42);
    for conv in [Convention::Uniform, Convention::Fairseq, Convention::Annotated { padding_idx: 1 }] {
        for red in [Reduction::Sum, Reduction::Mean, Reduction::None] {
            let (n, k) = (3, 6);
            let sm = Smoothing { convention: conv, num_classes: k, epsilon: 0.2, ignore_index: -100 };
            let x: Vec<f32> = (0..n * k).map(|_| rng.range(-3.0, 3.0)).collect();
            let t = [2, -100, 5];
            let w: Vec<f32> = (0..k).map(|_| rng.range(0.2, 1.5)).collect();
            let up = [0.5f32, 2.0, -1.5];
            let z = 0.05;
            let args = CrossEntropyArgs {
                smoothing: sm,
                logits: &x,
                targets: &t,
                class_weights: Some(&w),
                z_loss: z,
                upstream: RowScale::PerRow(&up),
                grad_scale: grad_scale(red, &sm, &t, Some(&w)),
            };
            // The scalar objective whose gradient the kernel computes: Σ_i u_i·L_i·(1 or 1/D).
            let objective = |x: &[f32]| {
                let r = reference::cross_entropy(&sm, x, &t, Some(&w), z as f64, red, None);
                let rs = if red == Reduction::Mean { r.loss / r.per_row.iter().sum::<f64>() } else { 1.0 };
                r.per_row.iter().zip(up).map(|(l, u)| l * u as f64).sum::<f64>() * rs
            };
            for (name, f) in CE_IMPLS {
                let mut g = vec![0.0f32; n * k];
                f(&args, None, Some(&mut g)).unwrap();
                for j in 0..n * k {
                    let h = 1e-3f32;
                    let (mut xp, mut xm) = (x.clone(), x.clone());
                    xp[j] += h;
                    xm[j] -= h;
                    let fd = (objective(&xp) - objective(&xm)) / ((xp[j] - xm[j]) as f64);
                    assert!((g[j] as f64 - fd).abs() < 1e-4, "{name} {conv:?} {red:?} [{j}]: {} vs fd {fd}", g[j]);
                }
            }
        }
    }
}

fn ce_once(
    f: CeFn,
    sm: Smoothing,
    x: &[f32],
    t: &[i32],
    w: Option<&[f32]>,
    red: Reduction,
) -> (Ce, Vec<f32>, Vec<f32>) {
    let args = CrossEntropyArgs {
        smoothing: sm,
        logits: x,
        targets: t,
        class_weights: w,
        z_loss: 0.0,
        upstream: RowScale::Uniform(1.0),
        grad_scale: grad_scale(red, &sm, t, w),
    };
    run_ce(f, &args, 0, red)
}

fn uniform(k: usize, eps: f32) -> Smoothing {
    Smoothing { convention: Convention::Uniform, num_classes: k, epsilon: eps as f64, ignore_index: -100 }
}

#[test]
fn cross_entropy_special_values() {
    let ninf = f32::NEG_INFINITY;
    for (name, f) in CE_IMPLS {
        // −inf in a non-target logit: ε = 0 finite, ε > 0 +inf with a finite gradient
        // (torch neg_inf_nontarget_eps0.0_none / eps0.1_none).
        let x = [0.0, ninf, 1.0, 2.0, ninf, 0.5, ninf, 0.0, 1.0, 1.0, 1.0, ninf];
        let t = [0, 1, 2];
        let (_, rows, g) = ce_once(f, uniform(4, 0.0), &x, &t, None, Reduction::None);
        assert_all_close(&rows, &[2.407606, 0.474077, 1.0986123], name);
        assert_all_close(
            &g,
            &[
                -0.90996945,
                0.0,
                0.24472849,
                0.665241,
                0.0,
                -0.37754065,
                0.0,
                0.37754068,
                0.3333333,
                0.3333333,
                -0.6666667,
                0.0,
            ],
            name,
        );
        let (res, rows, g) = ce_once(f, uniform(4, 0.1), &x, &t, None, Reduction::None);
        assert!(rows.iter().all(|&v| v == INF) && res.loss == f64::INFINITY, "{name}: {rows:?}");
        assert_all_close(
            &g,
            &[
                -0.8349694,
                -0.025,
                0.21972845,
                0.6402409,
                -0.025,
                -0.30254066,
                -0.025,
                0.35254064,
                0.3083333,
                0.3083333,
                -0.59166664,
                -0.025,
            ],
            name,
        );
        // −inf at the target: +inf loss.
        let (_, rows, _) = ce_once(f, uniform(3, 0.0), &[ninf, 0.0, 1.0], &[0], None, Reduction::None);
        assert_eq!(rows[0], INF, "{name}");
        // +inf or NaN in a row: that row NaN (loss and gradient), others unaffected.
        for bad in [INF, f32::NAN] {
            let x = [0.0, bad, 1.0, 0.5, 0.25, 0.0];
            let (res, rows, g) = ce_once(f, uniform(3, 0.1), &x, &[0, 1], None, Reduction::Mean);
            assert!(rows[0].is_nan() && rows[1].is_finite() && res.loss.is_nan(), "{name} {rows:?}");
            assert!(g[..3].iter().all(|v| v.is_nan()) && g[3..].iter().all(|v| v.is_finite()), "{name} {g:?}");
        }
        // A skipped row holding NaN/inf gives 0 and gradient 0.
        let x = [f32::NAN, INF, ninf, 0.5, 0.25, 0.0];
        let (res, rows, g) = ce_once(f, uniform(3, 0.1), &x, &[-100, 1], None, Reduction::Mean);
        assert!(rows[0] == 0.0 && res.loss.is_finite() && g[..3] == [0.0; 3], "{name}");
        // Annotated: −inf in the padding column is harmless; a padding target skips the row.
        let sm = Smoothing {
            convention: Convention::Annotated { padding_idx: 0 },
            num_classes: 4,
            epsilon: 0.3,
            ignore_index: -100,
        };
        let x = [ninf, 0.5, 1.0, -1.0, f32::NAN, 1.0, 2.0, 3.0];
        let (res, rows, g) = ce_once(f, sm, &x, &[2, 0], None, Reduction::Sum);
        assert!(rows[0].is_finite() && rows[1] == 0.0 && g[0] == 0.0 && g[4..] == [0.0; 4], "{name} {rows:?} {g:?}");
        assert_close(res.loss, rows[0] as f64, name);
        // All rows skipped: mean NaN, sum 0, gradient 0 (torch all_ignored_*).
        let x = [1.0, 2.0, 0.5, 0.1, -0.2, 0.3];
        let (res, rows, g) = ce_once(f, uniform(3, 0.1), &x, &[-100, -100], None, Reduction::Mean);
        assert!(res.loss.is_nan() && rows == [0.0; 2] && g == [0.0; 6], "{name}");
        let (res, _, _) = ce_once(f, uniform(3, 0.1), &x, &[-100, -100], None, Reduction::Sum);
        assert_eq!(res.loss, 0.0);
        // Zero weights at every target: mean NaN, non-skipped gradient NaN, skipped 0.
        let w = [0.0, 1.0, 1.0];
        let (res, _, g) = ce_once(f, uniform(3, 0.1), &x, &[0, -100], Some(&w), Reduction::Mean);
        assert!(res.loss.is_nan() && g[..3].iter().all(|v| v.is_nan()) && g[3..] == [0.0; 3], "{name} {g:?}");
        // Empty batch.
        let (res, _, _) = ce_once(f, uniform(3, 0.1), &[], &[], None, Reduction::Mean);
        assert!(res.loss.is_nan());
        let (res, _, _) = ce_once(f, uniform(3, 0.1), &[], &[], None, Reduction::Sum);
        assert_eq!(res.loss, 0.0);
        // K = 1: loss 0, gradient 0.
        let (res, rows, g) = ce_once(f, uniform(1, 0.1), &[3.0, -2.0], &[0, 0], None, Reduction::Mean);
        assert!(res.loss == 0.0 && rows == [0.0; 2] && g.iter().all(|&v| v == 0.0), "{name} {res:?} {g:?}");
        // ±3e38: x − m overflows to −inf, +inf with ε > 0 (torch huge_logits_eps0.1_none).
        let x = [3e38, -3e38, 0.0, -3e38, -3e38, -3e38, 3.4e38, 3.4e38, 0.0];
        let (_, rows, g) = ce_once(f, uniform(3, 0.1), &x, &[0, 1, 0], None, Reduction::None);
        assert_eq!(rows[0], INF, "{name}");
        assert_all_close(&rows[1..], &[1.0986123, 1.1333334e37], name);
        assert_all_close(
            &g,
            &[
                0.06666666,
                -0.033333335,
                -0.033333335,
                0.29999998,
                -0.6,
                0.29999998,
                -0.43333334,
                0.46666667,
                -0.033333335,
            ],
            name,
        );
        // Large logits (torch large_logits_eps0.0_none).
        let x = [1e4, -1e4, 0.0, 5e3, -5e3, -1e4, 1e4, 1e4, 0.0, 1.0, 3e4, 29999.0, -3e4, 0.0, 100.0];
        let (_, rows, _) = ce_once(f, uniform(5, 0.0), &x, &[0, 2, 1], None, Reduction::None);
        assert_all_close(&rows, &[0.0, 0.6931472, 1.3132616], name);
    }
}

/// When q puts less mass on the target than elsewhere (`on < off`: fairseq or annotated with ε
/// near 1), the target's term must not be summed into Σ w·d in float32 and taken out again in
/// float64: with the target far below the max the leftover rounding, ≈ 2⁻²⁴·w_y·|d_y|, was the
/// whole loss (found by fast-check: −1.24e-5 for an exact loss of ≈ 0).
#[test]
fn cross_entropy_target_far_below_max_with_on_below_off() {
    for (name, f) in CE_IMPLS {
        for (convention, k) in [(Convention::Fairseq, 2usize), (Convention::Annotated { padding_idx: 2 }, 3)] {
            let sm = Smoothing { convention, num_classes: k, epsilon: 1.0, ignore_index: -100 };
            // Annotated: the padding logit is −∞ (as a masked vocabulary has it), so both cases
            // put all of q on class 1, whose probability is 1 − e^−5839.307.
            let mut x = vec![f32::NEG_INFINITY; k];
            (x[0], x[1]) = (-5839.307, 0.0);
            let w: Vec<f32> = [0.0608, 0.05, 0.07][..k].to_vec();
            let (res, rows, g) = ce_once(f, sm, &x, &[0], Some(&w), Reduction::None);
            let want = reference::cross_entropy(&sm, &x, &[0], Some(&w), 0.0, Reduction::None, None);
            // The exact loss is 0.05·ln(1 + e^−5839.307) = 0 in float64; only its sign and size
            // matter here: no rounding leftover of the target's term.
            assert!(rows[0] >= 0.0 && rows[0] <= 1e-30, "{name} {convention:?}: {rows:?}");
            assert!(res.loss >= 0.0 && res.loss <= 1e-30, "{name} {convention:?}: {res:?}");
            assert_all_close(&g, &want.grad, name);
            assert_close(res.nll, want.nll, name);
            assert_close(res.smooth, want.smooth, name);
        }
    }
}

#[test]
fn cross_entropy_errors() {
    let x = [0.0f32; 6];
    for (_, f) in CE_IMPLS {
        let (_, rows, _) = ce_once(f, uniform(3, 0.1), &x, &[0, 1], None, Reduction::Sum);
        assert_eq!(rows.len(), 2);
        let args = |t: &'static [i32], logits: &'static [f32]| CrossEntropyArgs {
            smoothing: uniform(3, 0.1),
            logits,
            targets: t,
            class_weights: None,
            z_loss: 0.0,
            upstream: RowScale::Uniform(1.0),
            grad_scale: 1.0,
        };
        assert_eq!(f(&args(&[0, 3], &[0.0; 6]), None, None), Err(KernelError::TargetOutOfRange { row: 1, value: 3 }));
        assert_eq!(f(&args(&[-1, 0], &[0.0; 6]), None, None), Err(KernelError::TargetOutOfRange { row: 0, value: -1 }));
        assert_eq!(
            f(&args(&[0, 0], &[0.0; 5]), None, None),
            Err(KernelError::LengthMismatch { expected: 6, received: 5 })
        );
        let mut g = [0.0f32; 5];
        assert!(matches!(f(&args(&[0, 0], &[0.0; 6]), None, Some(&mut g)), Err(KernelError::LengthMismatch { .. })));
        let mut a = args(&[0, 0], &[0.0; 6]);
        a.smoothing.epsilon = 1.5;
        assert_eq!(f(&a, None, None), Err(KernelError::InvalidSmoothing));
    }
}

/// torch_cross_entropy.json `weight_eps0.1_mean` and `base_eps0.1_none`.
#[test]
fn cross_entropy_torch_vectors() {
    let x = [1.0, 2.0, 0.5, -1.0, 0.0, 0.1, -0.2, 0.3, 2.5, -1.5, -2.0, 0.0, 1.0, 0.5, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    let t = [1, 0, 4, 2];
    let w = [0.5, 1.0, 2.0, 1.0, 0.25];
    for (name, f) in CE_IMPLS {
        let (res, rows, g) = ce_once(f, uniform(5, 0.1), &x, &t, Some(&w), Reduction::Mean);
        assert_close(res.loss, 1.4619888, name);
        assert_all_close(&rows, &[0.7115658, 1.403529, 0.317478, 3.0498848], name);
        assert_all_close(
            &g[..10],
            &[
                0.052290216,
                -0.095945045,
                0.022666361,
                0.0021042707,
                0.01888417,
                -0.11242276,
                0.0022555392,
                0.0018452693,
                0.10758706,
                0.0007348754,
            ],
            name,
        );
        let (_, rows, g) = ce_once(f, uniform(5, 0.1), &x, &t, None, Reduction::None);
        assert_all_close(&rows, &[0.72443795, 2.638347, 0.49211866, 1.6094378], name);
        assert_all_close(&g[15..], &[0.17999998, 0.17999998, -0.71999997, 0.17999998, 0.17999998], name);
        // ignore_default_weight_eps0.1_mean.
        let (res, _, _) = ce_once(f, uniform(5, 0.1), &x, &[1, -100, 4, -100], Some(&w), Reduction::Mean);
        assert_close(res.loss, 0.8232349, name);
        // fairseq (current): K=5, ε=0.1, ignore 0, sum = torch uniform ε=0.125 = 1.3165567
        // (community_impls.json); checked here as the equivalence of the two conventions.
        let fs = Smoothing { convention: Convention::Fairseq, num_classes: 5, epsilon: 0.1, ignore_index: 0 };
        let un = Smoothing { convention: Convention::Uniform, num_classes: 5, epsilon: 0.125, ignore_index: 0 };
        let (a, _, _) = ce_once(f, fs, &x, &t, None, Reduction::Sum);
        let (b, _, _) = ce_once(f, un, &x, &t, None, Reduction::Sum);
        assert_close(a.loss, b.loss, name);
    }
}

// ---------------------------------------------------------------- soft cross-entropy

type SoftFn = fn(&SoftCrossEntropyArgs, Option<&mut [f32]>, Option<&mut [f32]>) -> Result<LossSums, KernelError>;
const SOFT_IMPLS: [(&str, SoftFn); 2] =
    [("scalar", soft_cross_entropy::<Scalar>), ("lanes4", soft_cross_entropy::<Lanes4>)];

#[test]
fn soft_cross_entropy_matches_reference_every_k() {
    let mut rng = Rng(7);
    for k in 1..=67 {
        for offset in 0..=4 {
            let n = 1 + rng.below(5);
            let eps = [0.0f32, 0.1, 0.6][rng.below(3)];
            let x: Vec<f32> = (0..n * k).map(|_| rng.range(-8.0, 8.0)).collect();
            let t: Vec<f32> = (0..n * k).map(|_| rng.range(0.0, 1.0)).collect(); // unnormalised
            let w: Vec<f32> = (0..k).map(|_| rng.range(0.1, 2.0)).collect();
            let sc: Vec<f32> = (0..n).map(|_| rng.range(-1.0, 1.0)).collect();
            let use_w = rng.below(2) == 0;
            let (xb, tb, wb, sb) =
                (offset_copy(&x, offset), offset_copy(&t, offset), offset_copy(&w, offset), offset_copy(&sc, offset));
            let args = SoftCrossEntropyArgs {
                num_rows: n,
                num_classes: k,
                logits: &xb[offset..offset + n * k],
                targets: &tb[offset..offset + n * k],
                epsilon: eps as f64,
                class_weights: use_w.then(|| &wb[offset..offset + k]),
                scale: RowScale::PerRow(&sb[offset..offset + n]),
            };
            let r = reference::soft_cross_entropy(k, &x, &t, eps as f64, use_w.then_some(&w[..]), &sc);
            let (rr, rg) = (r.per_row, r.grad);
            for (name, f) in SOFT_IMPLS {
                let what = format!("{name} K={k} eps={eps} w={use_w}");
                let mut rows = vec![0.0f32; n + offset];
                let mut g = vec![0.0f32; n * k + offset];
                let sums = f(&args, Some(&mut rows[offset..]), Some(&mut g[offset..])).unwrap();
                assert_all_close(&rows[offset..], &rr, &what);
                assert_all_close(&g[offset..], &rg, &what);
                assert_close(sums.sum, rr.iter().sum(), &what);
                // The scales have both signs, so the sum can cancel: its error is bounded relative
                // to Σ|l·s|, not to the result.
                let terms = rr.iter().zip(&sc).map(|(l, s)| l * *s as f64);
                assert_close_sum(sums.scaled_sum, terms.clone().sum(), terms.map(f64::abs).sum(), &what);
                let bare = f(&args, None, None).unwrap();
                assert_eq!(bare.sum.to_bits(), sums.sum.to_bits());
            }
        }
    }
}

/// torch_cross_entropy_soft.json `soft_neg_inf_eps0.0_none` / `soft_neg_inf_eps0.1_none`.
#[test]
fn soft_cross_entropy_special_values() {
    let x = [0.0, f32::NEG_INFINITY, 1.0, 2.0, 0.0, 0.0, f32::NEG_INFINITY, 1.0, 2.0, 0.0];
    let t = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
    for (name, f) in SOFT_IMPLS {
        for (eps, want_rows, want_g) in [
            (
                0.0,
                [f32::NAN, INF],
                [
                    -0.9174054, 0.0, 0.22451523, 0.61029565, 0.08259455, 0.08259455, -1.0, 0.22451523, 0.61029565,
                    0.08259455,
                ],
            ),
            (
                0.1,
                [INF, INF],
                [
                    -0.83740544,
                    -0.02,
                    0.2045152,
                    0.59029555,
                    0.06259454,
                    0.06259454,
                    -0.91999996,
                    0.2045152,
                    0.59029555,
                    0.06259454,
                ],
            ),
        ] {
            let args = SoftCrossEntropyArgs {
                num_rows: 2,
                num_classes: 5,
                logits: &x,
                targets: &t,
                epsilon: eps,
                class_weights: None,
                scale: RowScale::Uniform(1.0),
            };
            let (mut rows, mut g) = ([0.0f32; 2], [0.0f32; 10]);
            f(&args, Some(&mut rows), Some(&mut g)).unwrap();
            for (a, b) in rows.iter().zip(want_rows) {
                assert!(close(*a as f64, b as f64), "{name} eps={eps}: {rows:?}");
            }
            assert_all_close(&g, &want_g, name);
        }
        // K = 1: loss 0. Empty batch: 0.
        let args = SoftCrossEntropyArgs {
            num_rows: 2,
            num_classes: 1,
            logits: &[3.0, -1.0],
            targets: &[1.0, 0.5],
            epsilon: 0.1,
            class_weights: None,
            scale: RowScale::Uniform(1.0),
        };
        let mut g = [9.0f32; 2];
        assert_eq!(f(&args, None, Some(&mut g)).unwrap().sum, 0.0);
        assert_all_close(&g, &[0.0, 0.0], name);
    }
}

// ---------------------------------------------------------------- sigmoid cross-entropy

type SigFn = fn(&SigmoidCrossEntropyArgs, Option<&mut [f32]>, Option<&mut [f32]>) -> Result<LossSums, KernelError>;
const SIG_IMPLS: [(&str, SigFn); 2] =
    [("scalar", sigmoid_cross_entropy::<Scalar>), ("lanes4", sigmoid_cross_entropy::<Lanes4>)];

#[test]
fn sigmoid_cross_entropy_matches_reference() {
    let mut rng = Rng(99);
    let mut worst = 0.0f64;
    for k in 1..=40 {
        for offset in 0..=4 {
            let n = 1 + rng.below(4);
            let eps = [0.0f32, 0.1, 0.2, 1e-4][rng.below(4)];
            let x: Vec<f32> =
                (0..n * k).map(|_| rng.range(-30.0, 30.0) * if rng.below(2) == 0 { 0.01 } else { 1.0 }).collect();
            let y: Vec<f32> =
                (0..n * k).map(|_| if rng.below(3) == 0 { rng.range(0.0, 1.0) } else { rng.below(2) as f32 }).collect();
            let se: Vec<f32> = (0..n * k).map(|_| rng.range(0.0, 2.0)).collect();
            let sr: Vec<f32> = (0..n).map(|_| rng.range(0.0, 2.0)).collect();
            let (xb, yb) = (offset_copy(&x, offset), offset_copy(&y, offset));
            for mode in 0..3 {
                let scale = match mode {
                    0 => ElementScale::Uniform(0.5),
                    1 => ElementScale::PerRow(&sr),
                    _ => ElementScale::PerElement(&se),
                };
                let sc = |i: usize| match mode {
                    0 => 0.5,
                    1 => sr[i / k] as f64,
                    _ => se[i] as f64,
                };
                let args = SigmoidCrossEntropyArgs {
                    num_rows: n,
                    num_classes: k,
                    logits: &xb[offset..offset + n * k],
                    labels: &yb[offset..offset + n * k],
                    epsilon: eps as f64,
                    scale,
                };
                for (name, f) in SIG_IMPLS {
                    let mut l = vec![0.0f32; n * k + offset];
                    let mut g = vec![0.0f32; n * k + offset];
                    let sums = f(&args, Some(&mut l[offset..]), Some(&mut g[offset..])).unwrap();
                    let (mut s, mut ss) = (0.0, 0.0);
                    for i in 0..n * k {
                        // q exactly, from ε (the kernel rounds 1 − ε and ε/2 to f32 once: within the bound).
                        let q = y[i] as f64 * (1.0 - eps as f64) + 0.5 * eps as f64;
                        let (rl, rg) = reference::sigmoid_cross_entropy(x[i], q);
                        let got = l[offset + i] as f64;
                        let rel = (got - rl).abs() / rl.abs().max(1e-30);
                        worst = worst.max(rel);
                        assert!(rel <= 1e-6, "{name} x={} y={} eps={eps}: {got:e} vs {rl:e} (rel {rel:e})", x[i], y[i]);
                        assert_close(g[offset + i] as f64, rg * sc(i), name);
                        s += rl;
                        ss += rl * sc(i);
                    }
                    assert_close(sums.sum, s, name);
                    assert_close(sums.scaled_sum, ss, name);
                }
            }
        }
    }
    eprintln!("sigmoid cross-entropy: worst relative loss error {worst:e}");
}

/// tfjs_sigmoid_cross_entropy.json `sig_inf_logits_eps0.1_NONE` / `sig_inf_logits_eps0_NONE`.
#[test]
fn sigmoid_cross_entropy_special_values() {
    let ninf = f32::NEG_INFINITY;
    for (name, f) in SIG_IMPLS {
        for (eps, x, y, want_l, want_g) in [
            (
                0.1f32,
                vec![INF, ninf, 0.0],
                vec![1.0f32, 1.0, 0.0],
                vec![f32::NAN, INF, 0.6931472],
                vec![0.050000012, -0.95, 0.45],
            ),
            (
                0.0,
                vec![INF, ninf, INF, ninf],
                vec![1.0, 0.0, 0.0, 1.0],
                vec![f32::NAN, f32::NAN, f32::NAN, INF],
                vec![0.0, 0.0, 1.0, -1.0],
            ),
        ] {
            let k = x.len();
            let args = SigmoidCrossEntropyArgs {
                num_rows: 1,
                num_classes: k,
                logits: &x,
                labels: &y,
                epsilon: eps as f64,
                scale: ElementScale::Uniform(1.0),
            };
            let (mut l, mut g) = (vec![0.0f32; k], vec![0.0f32; k]);
            f(&args, Some(&mut l), Some(&mut g)).unwrap();
            for (a, b) in l.iter().zip(&want_l) {
                assert!(close(*a as f64, *b as f64), "{name}: {l:?} vs {want_l:?}");
            }
            assert_all_close(&g, &want_g, name);
        }
        let mut l = [0.0f32; 1];
        let args = SigmoidCrossEntropyArgs {
            num_rows: 1,
            num_classes: 1,
            logits: &[f32::NAN],
            labels: &[1.0],
            epsilon: 0.1,
            scale: ElementScale::Uniform(1.0),
        };
        f(&args, Some(&mut l), None).unwrap();
        assert!(l[0].is_nan());
    }
}

// ---------------------------------------------------------------- KL divergence

type KlFn = fn(&KlDivArgs, Option<&mut [f32]>, Option<&mut [f32]>) -> Result<LossSums, KernelError>;
const KL_IMPLS: [(&str, KlFn); 2] = [("scalar", kl_div::<Scalar>), ("lanes4", kl_div::<Lanes4>)];

/// torch_kl_div.json `kl_neg_inf_input_none` (with the deliberate q == 0 → 0 difference) and
/// `kl_zero_targets_finite_input_none`; log_target against the f64 formula.
#[test]
fn kl_div_values() {
    let ninf = f32::NEG_INFINITY;
    let row = [ninf, -1.609438, -0.35667494, -2.3025851, ninf];
    let x: Vec<f32> = row.iter().chain(&row).chain(&row).copied().collect();
    let t = [
        0.0, 0.16666667, 0.5, 0.16666667, 0.16666667, 0.0, 0.5, 0.16666667, 0.16666667, 0.16666667, 0.0, 0.0, 0.0, 0.0,
        0.0,
    ];
    for (name, f) in KL_IMPLS {
        let args = KlDivArgs {
            num_rows: 3,
            num_classes: 5,
            input: &x,
            target: &t,
            log_target: false,
            scale: ElementScale::Uniform(2.0),
        };
        let (mut terms, mut g) = ([0.0f32; 15], [0.0f32; 15]);
        let sums = f(&args, Some(&mut terms), Some(&mut g)).unwrap();
        let want = [
            0.0,
            -0.030386925,
            -0.16823612,
            0.085137606,
            f64::INFINITY,
            0.0,
            0.45814538,
            -0.23918077,
            0.085137606,
            f64::INFINITY,
        ];
        for (a, b) in terms.iter().zip(want) {
            assert!(close(*a as f64, b), "{name}: {terms:?}");
        }
        assert_eq!(&terms[10..], &[0.0; 5]);
        assert_eq!(sums.sum, f64::INFINITY);
        assert_all_close(&g, &t.map(|v| -2.0 * v as f64), name);
        // Negative target → NaN.
        let args = KlDivArgs {
            num_rows: 1,
            num_classes: 2,
            input: &[0.0, -1.0],
            target: &[-0.1, 1.1],
            log_target: false,
            scale: ElementScale::Uniform(1.0),
        };
        let mut terms = [0.0f32; 2];
        f(&args, Some(&mut terms), None).unwrap();
        assert!(terms[0].is_nan());
        // log_target.
        let (xi, ti) = ([-1.0f32, -0.5, -2.0, -0.1], [-0.3f32, -2.0, -1.0, -0.05]);
        let args = KlDivArgs {
            num_rows: 2,
            num_classes: 2,
            input: &xi,
            target: &ti,
            log_target: true,
            scale: ElementScale::PerRow(&[1.0, 0.5]),
        };
        let (mut terms, mut g) = ([0.0f32; 4], [0.0f32; 4]);
        let sums = f(&args, Some(&mut terms), Some(&mut g)).unwrap();
        let want: Vec<f64> = (0..4).map(|i| (ti[i] as f64).exp() * (ti[i] as f64 - xi[i] as f64)).collect();
        assert_all_close(&terms, &want, name);
        assert_close(sums.scaled_sum, want[0] + want[1] + 0.5 * (want[2] + want[3]), name);
        let wg: Vec<f64> = (0..4).map(|i| -(ti[i] as f64).exp() * if i < 2 { 1.0 } else { 0.5 }).collect();
        assert_all_close(&g, &wg, name);
    }
}

/// Every K from 0 to 17 (empty rows, vector bodies, blocks of four vectors, every tail length),
/// unaligned input, target and gradient, every scale kind, both target kinds: lanes4 (the
/// SIMD128 lane model) and scalar agree bit for bit elementwise, and both are within the bound
/// derived from the f32 arithmetic of the f64 reference. With u = 2^-24 and the vector log at
/// ≤ 1 ulp (≤ 2u relative, `log_exhaustive_ulp`): `fl(ln q) − x` is off by ≤ 2u·|ln q| + u·|d|,
/// so a term `q·(ln q − x)` is off by ≤ 2u·q·|ln q| + 2u·|term| (to first order); with a log
/// target, `exp` (≤ 1 ulp), the difference and the product give ≤ 4u·|term|. The gradient
/// `−q·scale` is one rounded product (exact against the f64 value rounded once) for probability
/// targets, ≤ 3u off with `exp`. Sums: the terms' bounds plus ≤ 8 roundings of the f32 span
/// sums (see `SPAN_VECTORS` in kl_div.rs), one more for the per-element products.
#[test]
fn kl_div_every_length_and_offset() {
    let u = f64::from(f32::EPSILON) / 2.0;
    let slack = 1.0 + 1e-6; // second-order terms
    let mut rng = Rng(0x5eed_0fc1);
    for k in 0..=17usize {
        for n in [1usize, 3] {
            let area = n * k;
            for log_target in [false, true] {
                // Targets: zeros, tiny (subnormal included), ordinary probabilities; log targets
                // from -120 (exp underflows to 0) to 0.5. Inputs: log-probabilities, with -inf
                // where q == 0.
                let t: Vec<f32> = (0..area)
                    .map(|_| match (log_target, rng.below(6)) {
                        (false, 0) => 0.0,
                        (false, 1) => [1e-42, 3e-30, 1e-7][rng.below(3)],
                        (false, _) => rng.range(0.0, 1.0),
                        (true, 0) => -120.0,
                        (true, _) => rng.range(-30.0, 0.5),
                    })
                    .collect();
                let x: Vec<f32> = (0..area)
                    .map(|i| {
                        if !log_target && t[i] == 0.0 && i % 2 == 0 {
                            f32::NEG_INFINITY
                        } else {
                            rng.range(-25.0, 2.0)
                        }
                    })
                    .collect();
                let row_s: Vec<f32> = (0..n).map(|_| rng.range(-2.0, 2.0)).collect();
                let elem_s: Vec<f32> = (0..area).map(|_| rng.range(-2.0, 2.0)).collect();
                for kind in 0..3 {
                    let scale_of = |i: usize| match kind {
                        0 => 0.75f32,
                        1 => row_s[i / k.max(1)],
                        _ => elem_s[i],
                    };
                    let scale = match kind {
                        0 => ElementScale::Uniform(0.75),
                        1 => ElementScale::PerRow(&row_s),
                        _ => ElementScale::PerElement(&elem_s),
                    };
                    let offset = (k + kind) % 4;
                    let (xs, ts) = (offset_copy(&x, offset), offset_copy(&t, 3 - offset));
                    let args = KlDivArgs {
                        num_rows: n,
                        num_classes: k,
                        input: &xs[offset..offset + area],
                        target: &ts[3 - offset..3 - offset + area],
                        log_target,
                        scale,
                    };
                    let mut results = Vec::new();
                    for (name, f) in KL_IMPLS {
                        let (mut terms, mut g) = (offset_copy(&vec![0.0; area], 1), offset_copy(&vec![0.0; area], 2));
                        let sums = f(&args, Some(&mut terms[1..1 + area]), Some(&mut g[2..2 + area])).unwrap();
                        assert_eq!(
                            (terms[0], g[..2].to_vec(), terms[1 + area], g[2 + area]),
                            (123.0, vec![123.0; 2], -7.0, -7.0),
                            "{name}: guards"
                        );
                        results.push((name, sums, terms[1..1 + area].to_vec(), g[2..2 + area].to_vec()));
                    }
                    let what = format!("k={k} n={n} log_target={log_target} kind={kind}");
                    let same_bits = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits());
                    assert!(same_bits(&results[0].2, &results[1].2), "{what}: terms differ between builds");
                    assert!(same_bits(&results[0].3, &results[1].3), "{what}: gradients differ between builds");
                    for (name, sums, terms, g) in &results {
                        let (mut want, mut want_scaled, mut tol, mut tol_scaled) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
                        for i in 0..area {
                            let s = scale_of(i) as f64;
                            let (q, term) = reference::kl_div_term(x[i], t[i], log_target);
                            let bound = if log_target {
                                4.0 * u * term.abs()
                            } else if q == 0.0 {
                                0.0
                            } else {
                                // (+ one subnormal ulp: the product of a tiny q may round in the subnormal range)
                                2.0 * u * q * q.ln().abs() + 2.0 * u * term.abs() + f64::from(f32::from_bits(1))
                            };
                            let got = terms[i] as f64;
                            assert!(
                                (got - term).abs() <= bound * slack,
                                "{what} {name}: term {i}: {got:e} vs {term:e} (bound {bound:e})"
                            );
                            let gw = -q * s;
                            let gbound = if log_target { 3.0 * u * gw.abs() } else { 0.0 };
                            let gw = if log_target { gw } else { gw as f32 as f64 };
                            assert!(
                                (g[i] as f64 - gw).abs() <= gbound * slack,
                                "{what} {name}: grad {i}: {} vs {gw:e}",
                                g[i]
                            );
                            want += term;
                            want_scaled += s * term;
                            tol += bound + 8.0 * u * term.abs();
                            tol_scaled += s.abs() * bound + 9.0 * u * (s * term).abs();
                        }
                        assert!(
                            (sums.sum - want).abs() <= tol * slack,
                            "{what} {name}: sum {:e} vs {want:e} (tol {tol:e})",
                            sums.sum
                        );
                        assert!(
                            (sums.scaled_sum - want_scaled).abs() <= tol_scaled * slack,
                            "{what} {name}: scaled sum {:e} vs {want_scaled:e} (tol {tol_scaled:e})",
                            sums.scaled_sum
                        );
                    }
                }
            }
        }
    }
}

type LsKlFn = fn(&LabelSmoothingKlArgs, Option<&mut [f32]>, Option<&mut [f32]>) -> Result<f64, KernelError>;
const LSKL_IMPLS: [(&str, LsKlFn); 2] =
    [("scalar", label_smoothing_kl::<Scalar>), ("lanes4", label_smoothing_kl::<Lanes4>)];

fn annotated(k: usize, pad: usize, eps: f32) -> Smoothing {
    Smoothing {
        convention: Convention::Annotated { padding_idx: pad },
        num_classes: k,
        epsilon: eps as f64,
        ignore_index: -100,
    }
}

/// annotated_transformer.json `seed_blog_example_2018` (−3.11824) and `K3_pad0` (1.5180517).
#[test]
fn label_smoothing_kl_annotated_vectors() {
    let x: Vec<f32> = [0.0, 0.2, 0.7, 0.1, 0.0].repeat(3);
    for (name, f) in LSKL_IMPLS {
        let args = LabelSmoothingKlArgs {
            smoothing: annotated(5, 0, 0.5),
            input: &x,
            targets: &[2, 1, 0],
            scale: RowScale::Uniform(1.0),
        };
        let mut g = [9.0f32; 15];
        let loss = f(&args, None, Some(&mut g)).unwrap();
        assert_close(loss, -3.11824, name);
        let want = [
            0.0,
            -0.16666667,
            -0.5,
            -0.16666667,
            -0.16666667,
            0.0,
            -0.5,
            -0.16666667,
            -0.16666667,
            -0.16666667,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ];
        assert_all_close(&g, &want, name);
        let x3 = [-1.1512505, -0.7512505, -1.5512505, -0.40760604, -2.4076061, -1.407606];
        let args = LabelSmoothingKlArgs {
            smoothing: annotated(3, 0, 0.2),
            input: &x3,
            targets: &[1, 2],
            scale: RowScale::Uniform(1.0),
        };
        assert_close(f(&args, None, None).unwrap(), 1.5180517, name);
        // x = log(predict) with zeros: −inf where q = 0 (pad column) is fine, −inf where
        // q > 0 (row 0, column 4) gives +inf; the rows with finite x stay finite.
        let lx: Vec<f32> = [0.0f32, 0.2, 0.7, 0.1, 0.0].iter().map(|v| v.ln()).collect::<Vec<_>>().repeat(3);
        let args = LabelSmoothingKlArgs {
            smoothing: annotated(5, 0, 0.5),
            input: &lx,
            targets: &[2, 1, 0],
            scale: RowScale::Uniform(1.0),
        };
        let mut rows = [0.0f32; 3];
        assert_eq!(f(&args, Some(&mut rows), None).unwrap(), f64::INFINITY);
        assert_eq!(rows[2], 0.0);
        // ε = 0: the −inf cells all have q = 0 except via the target.
        let args = LabelSmoothingKlArgs {
            smoothing: annotated(5, 0, 0.0),
            input: &lx,
            targets: &[2, 1, 0],
            scale: RowScale::Uniform(1.0),
        };
        assert!(f(&args, None, None).unwrap().is_finite());
    }
}

/// KL form = cross-entropy form − Σ H(q) when x = log_softmax(logits), for every convention.
#[test]
fn label_smoothing_kl_equals_ce_minus_entropy() {
    let mut rng = Rng(5);
    for k in 3..=37 {
        for conv in conventions(k, &mut rng) {
            let n = 4;
            let sm = Smoothing { convention: conv, num_classes: k, epsilon: 0.3, ignore_index: -100 };
            let z: Vec<f32> = (0..n * k).map(|_| rng.range(-4.0, 4.0)).collect();
            let t: Vec<i32> = (0..n).map(|i| if i == 3 { -100 } else { rng.below(k) as i32 }).collect();
            let lx: Vec<f32> =
                z.chunks(k).flat_map(|r| reference::log_softmax(r).0.into_iter().map(|v| v as f32)).collect();
            let live = t.iter().filter(|&&y| reference::target_row(&sm, y).is_some()).count() as f64;
            for (name, f) in LSKL_IMPLS {
                let args =
                    LabelSmoothingKlArgs { smoothing: sm, input: &lx, targets: &t, scale: RowScale::Uniform(1.0) };
                let kl = f(&args, None, None).unwrap();
                let ce = reference::cross_entropy(&sm, &z, &t, None, 0.0, Reduction::Sum, None).loss;
                assert_close(kl, ce - live * target_entropy(&sm), &format!("{name} K={k} {conv:?}"));
            }
        }
    }
}
