// Timing helpers shared by the thread benchmarks (threads.mjs, split-threshold.mjs, chunk-cost.mjs,
// thread-bound.mjs).

/** The median of the samples `a` (the mean of the middle two for an even count). */
export const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Calls `run` for at least 20 ms (and twice) before a sample: after `setThreads` or a change of
 * build, the first calls of a configuration find cold caches, a new worker's first chunks run in
 * its interpreter, and the other configurations' garbage is still being collected.
 */
export const warmUp = (run) => {
  const t0 = performance.now();
  for (let i = 0; i < 2 || performance.now() - t0 < 20; i++) run();
};
