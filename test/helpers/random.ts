// A small deterministic generator for the tests' random inputs, seeded per case so a failure
// reproduces.

/** xorshift32: uniform values in [0, 1). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
