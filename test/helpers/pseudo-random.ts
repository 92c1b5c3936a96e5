// Deterministic test inputs (xorshift32): the same values on every run and in every build.

/** `length` values in [lo, hi) from `seed`. */
export function pseudoRandom(length: number, seed: number, lo = -6, hi = 6): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + ((s >>> 0) / 2 ** 32) * (hi - lo);
  }
  return out;
}
