//! The in-place kernels give the out-of-place results bit for bit (loss, sums, per-row outputs and
//! gradient), for every loss, convention and option, on unaligned subslices, for each vector type.

use crate::scale::{ElementScale, RowScale};
use crate::vector::{Lanes4, Scalar};
use crate::{
    cross_entropy, cross_entropy_in_place, kl_div, kl_div_in_place, sigmoid_cross_entropy,
    sigmoid_cross_entropy_in_place, soft_cross_entropy, soft_cross_entropy_in_place, Convention, CrossEntropyArgs,
    KlDivArgs, SigmoidCrossEntropyArgs, Smoothing, SoftCrossEntropyArgs,
};
use labelsmooth_reference::Rng;

fn same(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: length");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "{what}[{i}]: {x:e} vs {y:e}");
    }
}

fn same64(a: f64, b: f64, what: &str) {
    assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "{what}: {a:e} vs {b:e}");
}

/// `data` placed at `offset` in a larger buffer (an unaligned subslice for offsets 1..3).
fn at_offset(data: &[f32], offset: usize) -> Vec<f32> {
    let mut v = vec![5.0; offset];
    v.extend_from_slice(data);
    v.push(-3.0);
    v
}

fn logits(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len)
        .map(|_| match rng.below(40) {
            0 => f32::NEG_INFINITY,
            1 => -1e4,
            _ => rng.range(-9.0, 9.0),
        })
        .collect()
}

macro_rules! for_each_impl {
    ($body:ident) => {
        $body!(Scalar);
        $body!(Lanes4);
    };
}

#[test]
fn cross_entropy_in_place_matches_out_of_place() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    for k in [1usize, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 64, 67, 130] {
        for conv in 0..3 {
            if (conv == 1 && k < 2) || (conv == 2 && k < 3) {
                continue;
            }
            let convention = match conv {
                0 => Convention::Uniform,
                1 => Convention::Fairseq,
                _ => Convention::Annotated { padding_idx: rng.below(k) },
            };
            let offset = 1 + rng.below(3);
            let n = 1 + rng.below(5);
            let x = logits(&mut rng, n * k);
            let targets: Vec<i32> =
                (0..n).map(|_| if rng.below(5) == 0 { -100 } else { rng.below(k) as i32 }).collect();
            let weights: Vec<f32> = (0..k).map(|_| rng.range(0.1, 2.0)).collect();
            let upstream: Vec<f32> = (0..n).map(|_| rng.range(-2.0, 2.0)).collect();
            let sm =
                Smoothing { convention, num_classes: k, epsilon: [0.0, 0.1, 1.0][rng.below(3)], ignore_index: -100 };
            let use_w = rng.below(2) == 0;
            let args = CrossEntropyArgs {
                smoothing: sm,
                logits: &x,
                targets: &targets,
                class_weights: use_w.then_some(&weights[..]),
                z_loss: if rng.below(2) == 0 { 1e-3 } else { 0.0 },
                upstream: if rng.below(2) == 0 { RowScale::PerRow(&upstream) } else { RowScale::Uniform(0.5) },
                // A sum's scale, or a mean's 1/D for some D.
                grad_scale: [1.0, 1.0 / 7.0][rng.below(2)],
            };
            macro_rules! check {
                ($isa:ty) => {{
                    let what = format!("{} K={k} {convention:?} w={use_w}", stringify!($isa));
                    let (mut rows_a, mut grad) = (vec![0.0; n], vec![0.0; n * k]);
                    let a = cross_entropy::<$isa>(&args, Some(&mut rows_a), Some(&mut grad)).unwrap();
                    let mut buf = at_offset(&x, offset);
                    let mut rows_b = vec![0.0; n];
                    let in_place = CrossEntropyArgs { logits: &[], ..args };
                    let b =
                        cross_entropy_in_place::<$isa>(&in_place, Some(&mut rows_b), &mut buf[offset..offset + n * k])
                            .unwrap();
                    same64(a.sum, b.sum, &format!("{what} sum"));
                    same64(a.nll, b.nll, &format!("{what} nll"));
                    same64(a.smooth, b.smooth, &format!("{what} smooth"));
                    same64(a.lse_squared, b.lse_squared, &format!("{what} lse²"));
                    same(&rows_a, &rows_b, &format!("{what} per_row"));
                    same(&grad, &buf[offset..offset + n * k], &format!("{what} grad"));
                    assert_eq!((buf[offset - 1], buf[offset + n * k]), (5.0, -3.0), "{what}: wrote outside");
                }};
            }
            for_each_impl!(check);
        }
    }
}

#[test]
fn cross_entropy_in_place_refusal_writes_nothing() {
    let x = vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let sm = Smoothing { convention: Convention::Uniform, num_classes: 3, epsilon: 0.1, ignore_index: -100 };
    let targets = [0, 3];
    let args = CrossEntropyArgs {
        smoothing: sm,
        logits: &[],
        targets: &targets,
        class_weights: None,
        z_loss: 0.0,
        upstream: RowScale::Uniform(1.0),
        grad_scale: 1.0,
    };
    let mut buf = x.clone();
    assert!(cross_entropy_in_place::<Scalar>(&args, None, &mut buf).is_err());
    assert_eq!(buf, x);
    let mut short = x[..5].to_vec();
    assert!(cross_entropy_in_place::<Lanes4>(&args, None, &mut short).is_err());
}

#[test]
fn soft_cross_entropy_in_place_matches_out_of_place() {
    let mut rng = Rng(0xDEAD_BEEF_0BAD_F00D);
    for k in [1usize, 3, 4, 5, 8, 9, 17, 64, 101] {
        let offset = 1 + rng.below(3);
        let n = 1 + rng.below(5);
        let x = logits(&mut rng, n * k);
        let t: Vec<f32> = (0..n * k).map(|_| rng.range(0.0, 1.0)).collect();
        let weights: Vec<f32> = (0..k).map(|_| rng.range(0.1, 2.0)).collect();
        let scale: Vec<f32> = (0..n).map(|_| rng.range(-1.0, 1.0)).collect();
        for use_w in [false, true] {
            let args = SoftCrossEntropyArgs {
                num_rows: n,
                num_classes: k,
                logits: &x,
                targets: &t,
                epsilon: 0.1,
                class_weights: use_w.then_some(&weights[..]),
                scale: RowScale::PerRow(&scale),
            };
            macro_rules! check {
                ($isa:ty) => {{
                    let what = format!("{} K={k} w={use_w}", stringify!($isa));
                    let (mut rows_a, mut grad) = (vec![0.0; n], vec![0.0; n * k]);
                    let a = soft_cross_entropy::<$isa>(&args, Some(&mut rows_a), Some(&mut grad)).unwrap();
                    let mut buf = at_offset(&x, offset);
                    let mut rows_b = vec![0.0; n];
                    let b = soft_cross_entropy_in_place::<$isa>(
                        &SoftCrossEntropyArgs { logits: &[], ..args },
                        Some(&mut rows_b),
                        &mut buf[offset..offset + n * k],
                    )
                    .unwrap();
                    same64(a.sum, b.sum, &format!("{what} sum"));
                    same64(a.scaled_sum, b.scaled_sum, &format!("{what} scaled"));
                    same(&rows_a, &rows_b, &format!("{what} per_row"));
                    same(&grad, &buf[offset..offset + n * k], &format!("{what} grad"));
                }};
            }
            for_each_impl!(check);
        }
    }
}

#[test]
fn elementwise_in_place_matches_out_of_place() {
    let mut rng = Rng(0x0F0F_1234_AAAA_5555);
    for k in [1usize, 3, 4, 7, 16, 33] {
        let offset = 1 + rng.below(3);
        let n = 1 + rng.below(4);
        let x = logits(&mut rng, n * k);
        let y: Vec<f32> = (0..n * k).map(|_| rng.below(2) as f32).collect();
        let q: Vec<f32> = (0..n * k).map(|_| rng.range(0.0, 1.0)).collect();
        let per_el: Vec<f32> = (0..n * k).map(|_| rng.range(0.0, 2.0)).collect();
        let sig = SigmoidCrossEntropyArgs {
            num_rows: n,
            num_classes: k,
            logits: &x,
            labels: &y,
            epsilon: 0.2,
            scale: ElementScale::PerElement(&per_el),
        };
        let kl = KlDivArgs {
            num_rows: n,
            num_classes: k,
            input: &x,
            target: &q,
            log_target: false,
            scale: ElementScale::Uniform(0.25),
        };
        macro_rules! check {
            ($isa:ty) => {{
                let what = format!("{} K={k}", stringify!($isa));
                let (mut la, mut ga) = (vec![0.0; n * k], vec![0.0; n * k]);
                let a = sigmoid_cross_entropy::<$isa>(&sig, Some(&mut la), Some(&mut ga)).unwrap();
                let mut buf = at_offset(&x, offset);
                let mut lb = vec![0.0; n * k];
                let b = sigmoid_cross_entropy_in_place::<$isa>(
                    &SigmoidCrossEntropyArgs { logits: &[], ..sig },
                    Some(&mut lb),
                    &mut buf[offset..offset + n * k],
                )
                .unwrap();
                same64(a.scaled_sum, b.scaled_sum, &format!("{what} sigmoid"));
                same(&la, &lb, &format!("{what} sigmoid losses"));
                same(&ga, &buf[offset..offset + n * k], &format!("{what} sigmoid grad"));

                let (mut ta, mut ga) = (vec![0.0; n * k], vec![0.0; n * k]);
                let a = kl_div::<$isa>(&kl, Some(&mut ta), Some(&mut ga)).unwrap();
                let mut buf = at_offset(&x, offset);
                let mut tb = vec![0.0; n * k];
                let b = kl_div_in_place::<$isa>(
                    &KlDivArgs { input: &[], ..kl },
                    Some(&mut tb),
                    &mut buf[offset..offset + n * k],
                )
                .unwrap();
                same64(a.scaled_sum, b.scaled_sum, &format!("{what} kl"));
                same(&ta, &tb, &format!("{what} kl terms"));
                same(&ga, &buf[offset..offset + n * k], &format!("{what} kl grad"));
            }};
        }
        for_each_impl!(check);
    }
}
