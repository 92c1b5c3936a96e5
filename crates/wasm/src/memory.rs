//! Allocation of buffers in wasm memory on behalf of JavaScript.
//!
//! Every buffer is 16-byte aligned (a v128 load never straddles more than it must) and its
//! layout is recomputed from the byte length on free, so JavaScript only keeps (pointer, bytes).
//! Failure returns 0 instead of aborting, so JavaScript can throw a clear out-of-memory error.

use std::alloc::{alloc as raw_alloc, dealloc as raw_dealloc, Layout};
use wasm_bindgen::prelude::*;

const ALIGN: usize = 16;

fn layout(bytes: usize) -> Option<Layout> {
    Layout::from_size_align(bytes.max(1), ALIGN).ok()
}

/// Allocates `bytes` bytes; returns the address, or 0 when memory cannot grow that far.
#[wasm_bindgen]
pub fn alloc(bytes: usize) -> usize {
    match layout(bytes) {
        // SAFETY: the layout has a non-zero size.
        Some(layout) => unsafe { raw_alloc(layout) as usize },
        None => 0,
    }
}

/// Frees a buffer returned by [`alloc`] for the same `bytes`.
#[wasm_bindgen]
pub fn dealloc(ptr: usize, bytes: usize) {
    if let (true, Some(layout)) = (ptr != 0, layout(bytes)) {
        // SAFETY: `ptr` came from `alloc(bytes)`, which used this layout.
        unsafe { raw_dealloc(ptr as *mut u8, layout) }
    }
}

/// A shared view of `len` values at `ptr` (any pointer when `len` is 0).
///
/// # Safety
/// For `len > 0`, `ptr` must address `len` initialised, aligned values that nothing mutates
/// while the slice lives.
pub unsafe fn slice<'a, T>(ptr: usize, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        core::slice::from_raw_parts(ptr as *const T, len)
    }
}

/// A mutable view of `len` values at `ptr` (any pointer when `len` is 0).
///
/// # Safety
/// As [`slice`], and nothing else may read or write the values while the slice lives.
pub unsafe fn slice_mut<'a, T>(ptr: usize, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        core::slice::from_raw_parts_mut(ptr as *mut T, len)
    }
}
