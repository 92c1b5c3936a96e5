// Every option of every public function that takes an options object, with a call that is valid
// as given: the table behind validation row V45 (docs/validation.md), which checks that `null`
// for any option is a TypeError naming it, and that a function reads no option missing here.
// The `satisfies` clauses make `tsc` fail when an options type gains a property the table lacks.
import {
  LabelSmoothing,
  Reduction,
  backend,
  crossEntropy,
  crossEntropyParts,
  crossEntropyWithGrad,
  init,
  initSync,
  klDiv,
  klDivWithGrad,
  linearCrossEntropy,
  linearCrossEntropyWithGrad,
  renderHeatmap,
  renderHeatmapPng,
  renderHeatmapWithLayout,
  sigmoidCrossEntropy,
  sigmoidCrossEntropyWithGrad,
  smoothTargets,
  softCrossEntropy,
  softCrossEntropyWithGrad,
  softmaxCrossEntropy,
  softmaxCrossEntropyWithGrad,
  type AsyncInitOptions,
  type CrossEntropyGradOptions,
  type HeatmapOptions,
  type HeatmapPngOptions,
  type InitOptions,
  type KlDivGradOptions,
  type LabelSmoothingOptions,
  type LinearCrossEntropyGradOptions,
  type SmoothTargetsOptions,
  type SoftCrossEntropyGradOptions,
  type TfjsLossGradOptions,
} from 'labelsmooth';

type Options = Record<string, unknown>;

export interface OptionRow {
  /** The function's name as its errors give it. */
  name: string;
  /** Every option the function takes. */
  options: readonly string[];
  /** Options that make `call(base())` valid (and change nothing, for `init`/`initSync`). */
  base: () => Options;
  call: (opts: Options) => unknown;
}

const F = (values: number[]) => new Float32Array(values);
const X6 = () => F([1, 2, 3, 0.5, -1, 2]); // N = 2, K = 3

/** The keys of an options type, each listed once (a missing or unknown key fails `tsc`). */
function keys<T>(all: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(all);
}

const SMOOTHING = keys<SmoothTargetsOptions>({ labelSmoothing: true, convention: true, paddingIdx: true, ignoreIndex: true });
const GRADIENT = ['upstream', 'gradOut', 'inPlace'] as const;
const CE = keys<CrossEntropyGradOptions>({ numClasses: true, labelSmoothing: true, convention: true, paddingIdx: true, ignoreIndex: true, weight: true, reduction: true, zLoss: true, upstream: true, gradOut: true, inPlace: true });
const SOFT = keys<SoftCrossEntropyGradOptions>({ numClasses: true, labelSmoothing: true, weight: true, reduction: true, upstream: true, gradOut: true, inPlace: true });
const TFJS = keys<TfjsLossGradOptions>({ numClasses: true, weights: true, weightsPer: true, labelSmoothing: true, reduction: true, upstream: true, gradOut: true, inPlace: true });
const KL = keys<KlDivGradOptions>({ numClasses: true, reduction: true, logTarget: true, upstream: true, gradOut: true, inPlace: true });
const LINEAR = keys<LinearCrossEntropyGradOptions>({
  hiddenSize: true,
  bias: true,
  weight: true,
  tokenWeights: true,
  labelSmoothing: true,
  convention: true,
  paddingIdx: true,
  ignoreIndex: true,
  reduction: true,
  zLoss: true,
  softcap: true,
  memoryBudget: true,
  chunkRows: true,
  upstream: true,
  gradHiddenOut: true,
  gradWeightOut: true,
  gradBiasOut: true,
  accumulate: true,
});
const LINEAR_GRADIENT = ['upstream', 'gradHiddenOut', 'gradWeightOut', 'gradBiasOut', 'accumulate'] as const;
const CLASS = keys<LabelSmoothingOptions>({ size: true, paddingIdx: true, smoothing: true, fromLogits: true });
const HEATMAP = keys<HeatmapOptions>({
  numClasses: true,
  title: true,
  xLabel: true,
  yLabel: true,
  rowLabels: true,
  colLabels: true,
  min: true,
  max: true,
  values: true,
  decimals: true,
  cellSize: true,
  maxWidth: true,
  maxHeight: true,
  colorBar: true,
  ticks: true,
  fontFamily: true,
});
const PNG = keys<HeatmapPngOptions>({ numClasses: true, min: true, max: true, cellSize: true, colorBar: true, deflate: true });
const INIT = keys<InitOptions>({ backend: true, module: true });
const ASYNC_INIT = keys<AsyncInitOptions>({ backend: true, module: true, threads: true });

const without = (list: readonly string[], drop: readonly string[]) => list.filter((o) => !drop.includes(o));
const tfWeights = { numClasses: 3, weights: F([1, 2]), weightsPer: 'row' };

export const OPTION_TABLE: readonly OptionRow[] = [
  { name: 'smoothTargets', options: SMOOTHING, base: () => ({}), call: (o) => smoothTargets([0, 1], 3, o) },
  { name: 'crossEntropy', options: without(CE, GRADIENT), base: () => ({ numClasses: 3 }), call: (o) => crossEntropy(X6(), [0, 1], o as never) },
  { name: 'crossEntropyParts', options: without(CE, GRADIENT), base: () => ({ numClasses: 3 }), call: (o) => crossEntropyParts(X6(), [0, 1], o as never) },
  { name: 'crossEntropyWithGrad', options: CE, base: () => ({ numClasses: 3 }), call: (o) => crossEntropyWithGrad(X6(), [0, 1], o as never) },
  { name: 'softCrossEntropy', options: without(SOFT, GRADIENT), base: () => ({ numClasses: 3 }), call: (o) => softCrossEntropy(X6(), X6(), o as never) },
  { name: 'softCrossEntropyWithGrad', options: SOFT, base: () => ({ numClasses: 3 }), call: (o) => softCrossEntropyWithGrad(X6(), X6(), o as never) },
  { name: 'softmaxCrossEntropy', options: without(TFJS, GRADIENT), base: () => ({ ...tfWeights }), call: (o) => softmaxCrossEntropy(X6(), X6(), o as never) },
  { name: 'softmaxCrossEntropyWithGrad', options: TFJS, base: () => ({ ...tfWeights }), call: (o) => softmaxCrossEntropyWithGrad(X6(), X6(), o as never) },
  { name: 'sigmoidCrossEntropy', options: without(TFJS, GRADIENT), base: () => ({ ...tfWeights }), call: (o) => sigmoidCrossEntropy(X6(), X6(), o as never) },
  { name: 'sigmoidCrossEntropyWithGrad', options: TFJS, base: () => ({ ...tfWeights, reduction: Reduction.SUM }), call: (o) => sigmoidCrossEntropyWithGrad(X6(), X6(), o as never) },
  { name: 'klDiv', options: without(KL, GRADIENT), base: () => ({ numClasses: 3 }), call: (o) => klDiv(X6(), X6(), o as never) },
  { name: 'klDivWithGrad', options: KL, base: () => ({ numClasses: 3 }), call: (o) => klDivWithGrad(X6(), X6(), o as never) },
  { name: 'linearCrossEntropy', options: without(LINEAR, LINEAR_GRADIENT), base: () => ({ hiddenSize: 3 }), call: (o) => linearCrossEntropy(X6(), X6(), [0, 1], o as never) },
  { name: 'linearCrossEntropyWithGrad', options: LINEAR, base: () => ({ hiddenSize: 3 }), call: (o) => linearCrossEntropyWithGrad(X6(), X6(), [0, 1], o as never) },
  { name: 'LabelSmoothing', options: CLASS, base: () => ({ size: 3, paddingIdx: 0, smoothing: 0.1 }), call: (o) => new LabelSmoothing(o as never) },
  { name: 'renderHeatmap', options: HEATMAP, base: () => ({}), call: (o) => renderHeatmap([[0.1, 0.9]], o) },
  { name: 'renderHeatmap', options: HEATMAP, base: () => ({}), call: (o) => renderHeatmapWithLayout([[0.1, 0.9]], o) },
  { name: 'renderHeatmapPng', options: PNG, base: () => ({}), call: (o) => renderHeatmapPng([[0.1, 0.9]], o as never) },
  { name: 'initSync', options: INIT, base: () => ({ backend: backend() }), call: (o) => initSync(o) },
  { name: 'init', options: ASYNC_INIT, base: () => ({ backend: backend() }), call: (o) => init(o) },
];

/** `opts` behind a proxy that records every property the function reads. */
export function recordingReads(opts: Options): { proxy: Options; read: Set<string> } {
  const read = new Set<string>();
  const proxy = new Proxy(opts, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
  return { proxy, read };
}
