//! The fixed order of every float64 total a kernel returns: rows are grouped into chunks of
//! [`rows_per_chunk`]`(K)` rows (the last one shorter), each chunk's rows are summed from 0 in
//! row order, and the chunk sums are added to the total in chunk order.
//!
//! Why: the package's worker pool (packages/labelsmooth/src/threads/) runs a call as one kernel
//! call per chunk, on whichever thread is free, and adds the chunks' totals in chunk order. A
//! kernel call over one chunk returns exactly that chunk's sum (0 + s = s), so a call over all
//! the rows on one thread and the same call spread over any number of threads give the same
//! totals bit for bit. The chunk size depends only on K, never on the number of threads.

/// How many values one chunk holds at least (one row when a row holds more): large enough that
/// a chunk's kernel call costs far more than the call itself, small enough that 16 threads
/// share the benchmark's shapes (8192×1000: 125 chunks; 1024×32000: 512; 128×256000: 128).
pub const CHUNK_VALUES: usize = 1 << 16;

/// The number of rows in every chunk (but the last) of a call with `num_classes` values per row.
pub fn rows_per_chunk(num_classes: usize) -> usize {
    (CHUNK_VALUES / num_classes.max(1)).max(1)
}

/// `M` float64 totals accumulated in the fixed order above. Rows are added by index, in
/// increasing order; a row that adds nothing (a skipped row) needs no call.
pub(crate) struct ChunkedSums<const M: usize> {
    rows_per_chunk: usize,
    chunk: usize,
    partial: [f64; M],
    total: [f64; M],
}

impl<const M: usize> ChunkedSums<M> {
    pub(crate) fn new(num_classes: usize) -> Self {
        ChunkedSums { rows_per_chunk: rows_per_chunk(num_classes), chunk: 0, partial: [0.0; M], total: [0.0; M] }
    }

    /// Adds row `row`'s terms (rows in increasing order).
    #[inline(always)]
    pub(crate) fn add(&mut self, row: usize, terms: [f64; M]) {
        let chunk = row / self.rows_per_chunk;
        if chunk != self.chunk {
            self.close_chunk();
            self.chunk = chunk;
        }
        for (p, t) in self.partial.iter_mut().zip(terms) {
            *p += t;
        }
    }

    fn close_chunk(&mut self) {
        for (t, p) in self.total.iter_mut().zip(&mut self.partial) {
            *t += *p;
            *p = 0.0;
        }
    }

    /// The totals.
    pub(crate) fn finish(mut self) -> [f64; M] {
        self.close_chunk();
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_per_chunk_depends_on_k_only() {
        assert_eq!(rows_per_chunk(1000), 65);
        assert_eq!(rows_per_chunk(32000), 2);
        assert_eq!(rows_per_chunk(256000), 1);
        assert_eq!(rows_per_chunk(0), CHUNK_VALUES);
    }

    #[test]
    fn totals_are_chunk_sums_added_in_order() {
        // K = 2^15 gives two rows per chunk: rows 0–1, 2–3, 4.
        let values = [1.0, 1e16, -1e16, 1.0, 3.0];
        let mut sums = ChunkedSums::<1>::new(1 << 15);
        for (row, v) in values.iter().enumerate() {
            sums.add(row, [*v]);
        }
        let chunk = |a: f64, b: f64| 0.0 + a + b;
        let expected = 0.0 + chunk(1.0, 1e16) + chunk(-1e16, 1.0) + (0.0 + 3.0);
        assert_eq!(sums.finish()[0].to_bits(), expected.to_bits());
        // Row by row the same values sum to another number: the order is the chunks'.
        assert_ne!(values.iter().fold(0.0, |t, v| t + v), expected);
    }
}
