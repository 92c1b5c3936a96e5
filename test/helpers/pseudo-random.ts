// Deterministic test inputs (xorshift32): the same values on every run and in every build.

/** xorshift32, seeded per case so that a failure reproduces: uniform values in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** `length` values in [lo, hi) from `seed`. */
export function pseudoRandom(length: number, seed: number, lo = -6, hi = 6): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + next() * (hi - lo);
  return out;
}
