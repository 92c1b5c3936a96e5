//! `smooth_targets`: materialises the N×K smoothed target matrix.
//!
//! The losses never build this matrix (they fold the targets into one pass over the logits);
//! it exists for users who want to see or reuse the targets, and as the simplest kernel on which
//! the whole Rust → wasm → TypeScript path is tested.

use crate::checks::check_len;
use crate::error::KernelError;
use crate::smoothing::{RowTarget, Smoothing};
use crate::vector::{fill, F32Vector};

/// Writes the smoothed targets of `targets` into `out` (row-major, `targets.len() × K`).
pub fn smooth_targets<V: F32Vector>(
    smoothing: &Smoothing,
    targets: &[i32],
    out: &mut [f32],
) -> Result<(), KernelError> {
    smoothing.validate()?;
    let k = smoothing.num_classes;
    check_len(targets.len() * k, out.len())?;
    let (on, off) = (smoothing.on_value(), smoothing.off_value());
    for (row, (&target, dst)) in targets.iter().zip(out.chunks_exact_mut(k)).enumerate() {
        match smoothing.row_target(row, target)? {
            RowTarget::Skipped => fill::<V>(dst, 0.0),
            RowTarget::Smoothed { class } => {
                fill::<V>(dst, off);
                dst[class] = on;
                if let Some(zeroed) = smoothing.zeroed_class() {
                    dst[zeroed] = 0.0;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smoothing::Convention;
    use crate::vector::{Lanes4, Scalar};

    /// The targets straight from the definition, in f64.
    fn reference(s: &Smoothing, targets: &[i32]) -> Vec<f64> {
        let (k, eps) = (s.num_classes, s.epsilon);
        let mut out = vec![0.0; targets.len() * k];
        for (row, &t) in targets.iter().enumerate() {
            let pad = match s.convention {
                Convention::Annotated { padding_idx } => Some(padding_idx),
                _ => None,
            };
            if t == s.ignore_index || pad == Some(t as usize) {
                continue;
            }
            for c in 0..k {
                let hit = c == t as usize;
                out[row * k + c] = match s.convention {
                    Convention::Uniform => (1.0 - eps) * f64::from(u8::from(hit)) + eps / k as f64,
                    Convention::Fairseq => {
                        if hit {
                            1.0 - eps
                        } else {
                            eps / (k as f64 - 1.0)
                        }
                    }
                    Convention::Annotated { .. } if pad == Some(c) => 0.0,
                    Convention::Annotated { .. } => {
                        if hit {
                            1.0 - eps
                        } else {
                            eps / (k as f64 - 2.0)
                        }
                    }
                };
            }
        }
        out
    }

    fn conventions(k: usize) -> Vec<Convention> {
        let mut all = vec![Convention::Uniform];
        if k >= 2 {
            all.push(Convention::Fairseq);
        }
        if k >= 3 {
            all.push(Convention::Annotated { padding_idx: k / 3 });
        }
        all
    }

    #[test]
    fn every_k_and_offset_matches_the_definition_in_both_vector_widths() {
        for k in 1..=67usize {
            for convention in conventions(k) {
                let s = Smoothing { convention, num_classes: k, epsilon: 0.3, ignore_index: -100 };
                let targets = [0, (k - 1) as i32, -100, (k / 3) as i32, (k / 2) as i32];
                let want = reference(&s, &targets);
                for offset in 0..4 {
                    // Write into an unaligned window of a larger buffer; the guards must survive.
                    let mut buf = vec![7.0f32; targets.len() * k + offset + 1];
                    let end = offset + targets.len() * k;
                    smooth_targets::<Lanes4>(&s, &targets, &mut buf[offset..end]).unwrap();
                    let mut scalar = vec![0.0f32; targets.len() * k];
                    smooth_targets::<Scalar>(&s, &targets, &mut scalar).unwrap();
                    assert_eq!(&buf[offset..end], &scalar[..], "K={k} {convention:?} offset {offset}");
                    assert!(buf[..offset].iter().chain(&buf[end..]).all(|&v| v == 7.0), "wrote outside");
                    for (i, (&got, &w)) in scalar.iter().zip(&want).enumerate() {
                        assert!((got as f64 - w).abs() <= 1e-7, "K={k} {convention:?} [{i}]: {got} vs {w}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_seed_example() {
        let s = Smoothing {
            convention: Convention::Annotated { padding_idx: 0 },
            num_classes: 5,
            epsilon: 0.5,
            ignore_index: -100,
        };
        let mut out = [1.0f32; 15];
        smooth_targets::<Scalar>(&s, &[2, 1, 0], &mut out).unwrap();
        let sixth = 0.5f32 / 3.0;
        assert_eq!(out, [0.0, sixth, 0.5, sixth, sixth, 0.0, 0.5, sixth, sixth, sixth, 0.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn refuses_bad_targets_lengths_and_parameters() {
        let s = Smoothing { convention: Convention::Uniform, num_classes: 3, epsilon: 0.1, ignore_index: -100 };
        let mut out = [0.0f32; 6];
        assert_eq!(
            smooth_targets::<Scalar>(&s, &[0, 3], &mut out),
            Err(KernelError::TargetOutOfRange { row: 1, value: 3 })
        );
        assert_eq!(
            smooth_targets::<Scalar>(&s, &[-1, 0], &mut out),
            Err(KernelError::TargetOutOfRange { row: 0, value: -1 })
        );
        assert_eq!(
            smooth_targets::<Scalar>(&s, &[0], &mut out),
            Err(KernelError::LengthMismatch { expected: 3, received: 6 })
        );
        for bad in [
            Smoothing { epsilon: 1.5, ..s },
            Smoothing { epsilon: f64::NAN, ..s },
            Smoothing { num_classes: 0, ..s },
            Smoothing { convention: Convention::Annotated { padding_idx: 0 }, num_classes: 2, ..s },
            Smoothing { convention: Convention::Annotated { padding_idx: 3 }, ..s },
            Smoothing { convention: Convention::Fairseq, num_classes: 1, ..s },
        ] {
            assert_eq!(smooth_targets::<Scalar>(&bad, &[], &mut []), Err(KernelError::InvalidSmoothing), "{bad:?}");
        }
    }
}
