//! The fixed summation order (crates/kernels/src/chunks.rs): a call over N rows returns the same
//! totals, bit for bit, as one call per chunk of `rows_per_chunk(K)` rows with the chunks'
//! totals added in chunk order from 0 — what the package's worker pool does
//! (packages/labelsmooth/src/threads/). Shapes whose chunks hold several rows and end short.

use labelsmooth_kernels::vector::{F32Vector, Lanes4, Scalar};
use labelsmooth_kernels::{
    cross_entropy, cross_entropy_denominator, kl_div, label_smoothing_kl, rows_per_chunk, sigmoid_cross_entropy,
    soft_cross_entropy, Convention, CrossEntropyArgs, ElementScale, KlDivArgs, LabelSmoothingKlArgs, RowScale,
    SigmoidCrossEntropyArgs, Smoothing, SoftCrossEntropyArgs,
};
use labelsmooth_reference::Rng;

/// K = 2^14 + 3: three rows per chunk, so N = 11 has chunks of 3, 3, 3 and 2 rows.
const K: usize = (1 << 14) + 3;
const N: usize = 11;

fn chunks() -> Vec<(usize, usize)> {
    let c = rows_per_chunk(K);
    assert_eq!(c, 3);
    (0..N).step_by(c).map(|a| (a, (a + c).min(N))).collect()
}

fn problem(seed: u64) -> (Vec<f32>, Vec<i32>, Vec<f32>, Vec<f32>) {
    let mut rng = Rng(seed);
    // Wide logits so that row losses differ in magnitude (and their order of addition matters).
    let logits: Vec<f32> = (0..N * K).map(|i| rng.range(-30.0, 30.0) * (1 + i / K) as f32).collect();
    let targets: Vec<i32> = (0..N).map(|i| if i == 5 { -100 } else { rng.below(K) as i32 }).collect();
    let weights: Vec<f32> = (0..K).map(|_| rng.range(0.1, 3.0)).collect();
    let upstream: Vec<f32> = (0..N).map(|_| rng.range(0.5, 2.0)).collect();
    (logits, targets, weights, upstream)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// `f(first, rows)` for the whole call and for each chunk; the chunk totals added in order.
fn check(what: &str, f: impl Fn(usize, usize) -> Vec<f64>) {
    let whole = f(0, N);
    let mut added = vec![0.0f64; whole.len()];
    for (a, b) in chunks() {
        for (t, v) in added.iter_mut().zip(f(a, b - a)) {
            *t += v;
        }
    }
    assert_eq!(bits(&whole), bits(&added), "{what}: whole {whole:?}, chunk by chunk {added:?}");
}

fn all_kernels<V: F32Vector>() {
    let (x, t, w, up) = problem(11);
    for convention in [Convention::Uniform, Convention::Fairseq, Convention::Annotated { padding_idx: 2 }] {
        let smoothing = Smoothing { convention, num_classes: K, epsilon: 0.1, ignore_index: -100 };
        check("cross_entropy", |a, n| {
            let args = CrossEntropyArgs {
                smoothing,
                logits: &x[a * K..(a + n) * K],
                targets: &t[a..a + n],
                class_weights: Some(&w),
                z_loss: 1e-3,
                upstream: RowScale::PerRow(&up[a..a + n]),
                grad_scale: 0.25,
            };
            let mut g = vec![0.0; n * K];
            let r = cross_entropy::<V>(&args, None, Some(&mut g)).unwrap();
            vec![r.sum, r.nll, r.smooth, r.lse_squared, r.denominator]
        });
        check("cross_entropy_denominator", |a, n| {
            vec![cross_entropy_denominator(&smoothing, &t[a..a + n], Some(&w)).unwrap()]
        });
        check("label_smoothing_kl", |a, n| {
            let lp: Vec<f32> = x[a * K..(a + n) * K].iter().map(|v| v * 0.01 - 20.0).collect();
            let args =
                LabelSmoothingKlArgs { smoothing, input: &lp, targets: &t[a..a + n], scale: RowScale::Uniform(1.0) };
            vec![label_smoothing_kl::<V>(&args, None, None).unwrap()]
        });
    }
    let probs: Vec<f32> = x.iter().map(|v| (v.abs() * 0.01).min(1.0)).collect();
    check("soft_cross_entropy", |a, n| {
        let args = SoftCrossEntropyArgs {
            num_rows: n,
            num_classes: K,
            logits: &x[a * K..(a + n) * K],
            targets: &probs[a * K..(a + n) * K],
            epsilon: 0.1,
            class_weights: Some(&w),
            scale: RowScale::PerRow(&up[a..a + n]),
        };
        let r = soft_cross_entropy::<V>(&args, None, None).unwrap();
        vec![r.sum, r.scaled_sum]
    });
    check("sigmoid_cross_entropy", |a, n| {
        let args = SigmoidCrossEntropyArgs {
            num_rows: n,
            num_classes: K,
            logits: &x[a * K..(a + n) * K],
            labels: &probs[a * K..(a + n) * K],
            epsilon: 0.1,
            scale: ElementScale::PerRow(&up[a..a + n]),
        };
        let r = sigmoid_cross_entropy::<V>(&args, None, None).unwrap();
        vec![r.sum, r.scaled_sum]
    });
    check("kl_div", |a, n| {
        let lp: Vec<f32> = x[a * K..(a + n) * K].iter().map(|v| v * 0.01 - 20.0).collect();
        let args = KlDivArgs {
            num_rows: n,
            num_classes: K,
            input: &lp,
            target: &probs[a * K..(a + n) * K],
            log_target: false,
            scale: ElementScale::PerRow(&up[a..a + n]),
        };
        let r = kl_div::<V>(&args, None, None).unwrap();
        vec![r.sum, r.scaled_sum]
    });
}

#[test]
fn chunk_by_chunk_equals_whole_scalar() {
    all_kernels::<Scalar>();
}

#[test]
fn chunk_by_chunk_equals_whole_lanes4() {
    all_kernels::<Lanes4>();
}
