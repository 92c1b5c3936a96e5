// labelsmooth/tfjs: labelsmooth's losses as differentiable TensorFlow.js ops and model.compile
// losses. @tensorflow/tfjs-core is an optional peer dependency of the package: only this entry
// imports it, and it is never bundled.
export { softmaxCrossEntropy, sigmoidCrossEntropy, sparseSoftmaxCrossEntropy } from './losses';
export type { SparseSoftmaxCrossEntropyOptions } from './losses';
export { categoricalCrossentropy, sparseCategoricalCrossentropy } from './keras';
export type { CategoricalCrossentropyOptions, SparseCategoricalCrossentropyOptions, KerasLoss } from './keras';
export { releaseBuffers } from './staging';
export { linearSoftmaxCrossEntropy } from './linear';
export type { LinearSoftmaxCrossEntropyOptions } from './linear';
