import { withCall } from './call';
import { resolveSmoothing, smoothingParams, type SmoothingOptions } from './conventions';
import { kernels } from './runtime';
import { smoothTargetsKernel } from './wasm-interface.generated';
import { int32Targets, options } from './validate';

export type SmoothTargetsOptions = SmoothingOptions;

/**
 * The smoothed target distribution of each row, row-major (N·K values for N targets).
 *
 * `'uniform'` gives `1-ε+ε/K` at the target and `ε/K` elsewhere; `'fairseq'` `1-ε` and
 * `ε/(K-1)`; `'annotated'` `1-ε` and `ε/(K-2)` with the `paddingIdx` column zero and rows whose
 * target is `paddingIdx` zero. In every convention a row whose target is `ignoreIndex` is zero.
 */
export function smoothTargets(target: Int32Array | number[], numClasses: number, opts?: SmoothTargetsOptions): Float32Array {
  const where = 'smoothTargets';
  const targets = int32Targets(where, 'target', target);
  const s = resolveSmoothing(where, numClasses, options<SmoothTargetsOptions>(where, opts));
  const n = targets.length;
  const outLength = n * s.numClasses;
  return withCall(kernels(), where, (call) => {
    // The N·K output first: one too large for wasm memory is refused before anything is allocated.
    const outPtr = call.output(outLength, 'the smoothed targets');
    const targetPtr = call.ints(targets, 'target');
    call.run(smoothTargetsKernel, { smoothing: smoothingParams(s), targets: targetPtr, numRows: n, out: outPtr }, { what: 'target', numClasses: s.numClasses, ignoreIndex: s.ignoreIndex });
    return call.read(outPtr, outLength);
  });
}
