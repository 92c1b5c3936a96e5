//! Argument checks shared by the kernels: slice lengths against the shape a call describes.

use crate::error::KernelError;

/// Checks a slice length.
#[inline]
pub(crate) fn check_len(expected: usize, received: usize) -> Result<(), KernelError> {
    if expected == received {
        Ok(())
    } else {
        Err(KernelError::LengthMismatch { expected, received })
    }
}

/// `n·k`, or a LengthMismatch naming usize::MAX when it overflows.
#[inline]
pub(crate) fn checked_area(n: usize, k: usize, received: usize) -> Result<usize, KernelError> {
    n.checked_mul(k).ok_or(KernelError::LengthMismatch { expected: usize::MAX, received })
}
