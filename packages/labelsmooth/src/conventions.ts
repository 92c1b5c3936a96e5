// What the losses share beyond argument types: the label-smoothing conventions and their checks
// (docs/semantics.md §1) and the smoothing ε. Reductions are in losses/reduction.ts.
import { ConventionCode, type SmoothingParams } from './wasm-interface.generated';
import { classIndex, int32, oneOfThese, optional, positiveInteger, smoothingEpsilon } from './validate';

/** `'uniform'`: PyTorch/TF/tfjs `(1-ε)·onehot + ε/K`; `'fairseq'`: `ε/(K-1)` off-target;
 * `'annotated'`: Annotated Transformer / pyitcast, `ε/(K-2)` with a zeroed padding column and
 * padding rows. */
export type Convention = 'uniform' | 'fairseq' | 'annotated';

export const CONVENTIONS = ['uniform', 'fairseq', 'annotated'] as const;

export interface SmoothingOptions {
  /** ε in [0, 1]; default 0. */
  labelSmoothing?: number;
  /** Default `'uniform'`. */
  convention?: Convention;
  /** The padding class; required by (and only used with) `'annotated'`. */
  paddingIdx?: number;
  /** Rows whose target equals this contribute nothing; default -100 (PyTorch). */
  ignoreIndex?: number;
}

/** The ignore index when none is given: PyTorch's `ignore_index` default. */
export const DEFAULT_IGNORE_INDEX = -100;

/** Validated smoothing parameters, ready for a kernel call. */
export interface ResolvedSmoothing {
  numClasses: number;
  epsilon: number;
  convention: Convention;
  paddingIdx: number;
  ignoreIndex: number;
}

/** `s` as the record a kernel call carries. */
export function smoothingParams(s: ResolvedSmoothing): SmoothingParams {
  return { numClasses: s.numClasses, convention: ConventionCode[s.convention], paddingIdx: s.paddingIdx, ignoreIndex: s.ignoreIndex, epsilon: s.epsilon };
}

/** What the caller calls K and ε in its error messages. */
export interface SmoothingNames {
  numClasses: string;
  labelSmoothing: string;
}
const FUNCTIONAL_NAMES: SmoothingNames = { numClasses: 'numClasses', labelSmoothing: 'options.labelSmoothing' };

/** The smoothing ε of any loss: a number in [0, 1], default 0. `what` names the option. */
export function labelSmoothingOption(where: string, value: unknown, what = FUNCTIONAL_NAMES.labelSmoothing): number {
  return optional(where, what, value, 0, smoothingEpsilon);
}

export function resolveSmoothing(where: string, numClasses: unknown, opts: SmoothingOptions, names: SmoothingNames = FUNCTIONAL_NAMES): ResolvedSmoothing {
  const k = positiveInteger(where, names.numClasses, numClasses);
  const epsilon = labelSmoothingOption(where, opts.labelSmoothing, names.labelSmoothing);
  const convention = optional(where, 'options.convention', opts.convention, 'uniform', oneOfThese(CONVENTIONS));
  const ignoreIndex = optional(where, 'options.ignoreIndex', opts.ignoreIndex, DEFAULT_IGNORE_INDEX, int32);
  let paddingIdx = 0;
  if (convention === 'annotated') {
    if (k < 3) {
      throw new RangeError(`${where}: convention 'annotated' needs ${names.numClasses} >= 3 (it spreads ε over K-2 classes), received ${k}`);
    }
    if (opts.paddingIdx === undefined) {
      throw new TypeError(`${where}: convention 'annotated' needs options.paddingIdx (an integer in [0, ${k})), received undefined`);
    }
    paddingIdx = classIndex(where, 'options.paddingIdx', opts.paddingIdx, k);
  } else {
    if (opts.paddingIdx !== undefined) {
      throw new TypeError(
        `${where}: options.paddingIdx only applies to convention 'annotated' (use options.ignoreIndex to skip padding rows), received ${opts.paddingIdx} with convention '${convention}'`,
      );
    }
    if (convention === 'fairseq' && k < 2) {
      throw new RangeError(`${where}: convention 'fairseq' needs ${names.numClasses} >= 2 (it spreads ε over K-1 classes), received ${k}`);
    }
  }
  return { numClasses: k, epsilon, convention, paddingIdx, ignoreIndex };
}
