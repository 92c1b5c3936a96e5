// labelsmooth: label smoothing and its losses, computed by a Rust kernel in WebAssembly.
export { init, initSync, backend, simd128Supported } from './runtime';
export type { Backend, BackendChoice, InitOptions, AsyncInitOptions } from './runtime';
export { smoothTargets } from './smooth-targets';
export type { SmoothTargetsOptions } from './smooth-targets';
export type { Convention, SmoothingOptions } from './conventions';
export { crossEntropy, crossEntropyWithGrad, crossEntropyParts } from './losses/cross-entropy';
export type { CrossEntropyOptions, CrossEntropyGradOptions, CrossEntropyReduction, CrossEntropyParts, LossAndGradient } from './losses/cross-entropy';
export { softCrossEntropy, softCrossEntropyWithGrad } from './losses/soft-cross-entropy';
export type { SoftCrossEntropyOptions, SoftCrossEntropyGradOptions } from './losses/soft-cross-entropy';
export { Reduction, softmaxCrossEntropy, softmaxCrossEntropyWithGrad, sigmoidCrossEntropy, sigmoidCrossEntropyWithGrad } from './losses/tfjs';
export type { TfjsLossOptions, TfjsLossGradOptions } from './losses/tfjs';
export { klDiv, klDivWithGrad } from './losses/kl-div';
export type { KlDivOptions, KlDivGradOptions, KlDivReduction } from './losses/kl-div';
export { LabelSmoothing } from './losses/label-smoothing';
export type { LabelSmoothingOptions } from './losses/label-smoothing';
export type { GradientOptions } from './losses/shape';
export { allocFloat32, WasmArray } from './wasm-array';
export type { FloatArray } from './call';
