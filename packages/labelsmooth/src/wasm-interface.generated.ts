// @generated from crates/abi/src/interface.rs by `npm run generate:wasm-interface`: do not edit.
// crates/abi's tests fail when this file is not what the Rust description renders, and the
// loader refuses a module whose `interface_fingerprint()` is not INTERFACE_FINGERPRINT.

/** A hash of every code, record layout and kernel export below. */
export const INTERFACE_FINGERPRINT = 0x07479cbe;

/** What a kernel export returns. */
export const Status = {
  ok: 0,
  targetOutOfRange: 1,
  lengthMismatch: 2,
  invalidSmoothing: 3,
  invalidCode: 4,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

/** Which build a module is (the `backend` export). */
export const BackendCode = {
  scalar: 0,
  simd128: 1,
  'relaxed-simd': 2,
} as const;
export type BackendCode = (typeof BackendCode)[keyof typeof BackendCode];

/** How ε is spread over the classes (docs/semantics.md §1). */
export const ConventionCode = {
  uniform: 0,
  fairseq: 1,
  annotated: 2,
} as const;
export type ConventionCode = (typeof ConventionCode)[keyof typeof ConventionCode];

/** What an element scale holds. */
export const ScaleKind = {
  uniform: 0,
  perRow: 1,
  perElement: 2,
} as const;
export type ScaleKind = (typeof ScaleKind)[keyof typeof ScaleKind];

/** What the target of `kl_div` holds. */
export const TargetForm = {
  probabilities: 0,
  logProbabilities: 1,
} as const;
export type TargetForm = (typeof TargetForm)[keyof typeof TargetForm];

/** A smoothing convention applied to K classes. */
export interface SmoothingParams {
  numClasses: number;
  convention: ConventionCode;
  /** The padding class of the annotated convention (unused by the others). */
  paddingIdx: number;
  /** Rows whose target equals this contribute nothing. */
  ignoreIndex: number;
  /** ε in [0, 1]. */
  epsilon: number;
}

/** `smooth_targets`: the N×K smoothed targets of N class indices. */
export interface SmoothTargetsCall {
  smoothing: SmoothingParams;
  /** An address in wasm memory. */
  targets: number;
  numRows: number;
  /** An address in wasm memory. */
  out: number;
}

/** No result beyond the status. */
export type NoResult = Record<string, never>;

/** `cross_entropy`: class-index cross-entropy with its gradient in the same pass. */
export interface CrossEntropyCall {
  smoothing: SmoothingParams;
  /** An address in wasm memory. */
  logits: number;
  /** An address in wasm memory. */
  targets: number;
  numRows: number;
  /** K values, or 0 for none. */
  classWeights: number;
  zLoss: number;
  /** N upstream gradients, one per row (an unreduced loss), or 0 for none. */
  upstreamPerRow: number;
  /**
   * Multiplies every row's gradient (with its upstream value): the reduction's factor
   * (packages/labelsmooth/src/losses/reduction.ts), e.g. upstream / D for a mean.
   */
  gradScale: number;
  /** N per-row losses, or 0. */
  perRowLosses: number;
  /** N·K gradient values, or 0 for none; equal to `logits`: the logits are overwritten. */
  grad: number;
}

/** The sums a `cross_entropy` call produced. */
export interface CrossEntropyResult {
  /** Σ of the per-row losses over the rows that count. */
  sum: number;
  /** Σ −w_y·log p_y. */
  nll: number;
  /** Σ −Σ_k w_k·log p_k over the smoothed classes. */
  smooth: number;
  /** Σ logsumexp² over the rows that count (the z-loss's sum before its factor). */
  lseSquared: number;
  /** D, the mean's divisor. */
  denominator: number;
}

/**
 * `cross_entropy_denominator`: validates N targets and sums the mean's divisor D without
 * reading logits (for callers that run `cross_entropy` a block of rows at a time).
 */
export interface DenominatorCall {
  smoothing: SmoothingParams;
  /** An address in wasm memory. */
  targets: number;
  numRows: number;
  /** An address in wasm memory. */
  classWeights: number;
}

export interface DenominatorResult {
  denominator: number;
}

/** `soft_cross_entropy`: cross-entropy against N×K probability targets. */
export interface SoftCrossEntropyCall {
  /** An address in wasm memory. */
  logits: number;
  /** An address in wasm memory. */
  targets: number;
  numRows: number;
  numClasses: number;
  /** ε applied to the targets, in [0, 1]. */
  epsilon: number;
  /** An address in wasm memory. */
  classWeights: number;
  /** N row factors, or 0: `scale` for every row. */
  scalePerRow: number;
  scale: number;
  /** An address in wasm memory. */
  perRowLosses: number;
  /** An address in wasm memory. */
  grad: number;
}

/** What the elementwise and soft-target kernels return. */
export interface LossSumsResult {
  /** Σ of the loss values. */
  sum: number;
  /** Σ of the loss values, each times its scale. */
  scaledSum: number;
}

/** `sigmoid_cross_entropy`: elementwise sigmoid cross-entropy over N×K labels. */
export interface SigmoidCrossEntropyCall {
  /** An address in wasm memory. */
  logits: number;
  /** An address in wasm memory. */
  labels: number;
  numRows: number;
  numClasses: number;
  epsilon: number;
  scaleKind: ScaleKind;
  /** An address in wasm memory. */
  scaleValues: number;
  scale: number;
  /** N·K losses, or 0. */
  losses: number;
  /** An address in wasm memory. */
  grad: number;
}

/** `kl_div`: elementwise KL divergence of log-probabilities `input` from `target`. */
export interface KlDivCall {
  /** An address in wasm memory. */
  input: number;
  /** An address in wasm memory. */
  target: number;
  numRows: number;
  numClasses: number;
  targetForm: TargetForm;
  scaleKind: ScaleKind;
  /** An address in wasm memory. */
  scaleValues: number;
  scale: number;
  /** N·K terms, or 0. */
  terms: number;
  /** An address in wasm memory. */
  grad: number;
}

/** `label_smoothing_kl`: the Annotated Transformer criterion, KL summed. */
export interface LabelSmoothingKlCall {
  smoothing: SmoothingParams;
  /** An address in wasm memory. */
  input: number;
  /** An address in wasm memory. */
  targets: number;
  numRows: number;
  /** An address in wasm memory. */
  perRowLosses: number;
  /** An address in wasm memory. */
  grad: number;
}

export interface LossResult {
  loss: number;
}

/** `target_entropy`: H(q) of one counted row's smoothed target. */
export interface TargetEntropyCall {
  smoothing: SmoothingParams;
}

export interface EntropyResult {
  entropy: number;
}

/** `exp_map`: `out[i] = exp(x[i])` with the kernels' exp (`out` may equal `x`). */
export interface ExpMapCall {
  /** An address in wasm memory. */
  x: number;
  len: number;
  /** An address in wasm memory. */
  out: number;
}

/** `exp_sum`: `Σ exp(x[i] − shift)` with the exp of the softmax passes (`shift` ≥ every x[i]). */
export interface ExpSumCall {
  /** An address in wasm memory. */
  x: number;
  len: number;
  shift: number;
}

/** A sum over a slice. */
export interface SumResult {
  sum: number;
}

/** A slice of `len` f32 at `x`. */
export interface SliceCall {
  /** An address in wasm memory. */
  x: number;
  len: number;
}

/**
 * `linear_cross_entropy`: the loss of a linear head `z = h·Wᵀ + b` (softcapped when
 * `softcap` > 0) and its gradients w.r.t. h, W and b, a chunk of rows at a time, without
 * the N×V logits (crates/kernels/src/linear_head.rs). V is `smoothing.num_classes`.
 */
export interface LinearCrossEntropyCall {
  smoothing: SmoothingParams;
  /** D. */
  hiddenSize: number;
  /** N×D. */
  hidden: number;
  /** V×D. */
  weight: number;
  /** V values, or 0 for none. */
  bias: number;
  /** An address in wasm memory. */
  targets: number;
  numRows: number;
  /** V values, or 0. */
  classWeights: number;
  /** N per-token weights, or 0. */
  tokenWeights: number;
  zLoss: number;
  /** c > 0 caps the logits as c·tanh(z/c); 0: no cap. */
  softcap: number;
  /** N upstream gradients (an unreduced loss), or 0. */
  upstreamPerRow: number;
  /** The reduction's factor (packages/labelsmooth/src/losses/reduction.ts). */
  gradScale: number;
  /** Rows per chunk. */
  chunkRows: number;
  /** The chunk buffer and the GEMM's packing buffers: `scratch_len` floats. */
  scratch: number;
  scratchLen: number;
  /** N per-row losses, or 0. */
  perRowLosses: number;
  /** N×D, or 0 for no gradients (then `grad_weight` is 0 too). */
  gradHidden: number;
  /** V×D, or 0. */
  gradWeight: number;
  /** V, or 0. */
  gradBias: number;
  /** 1: add the gradients to the values already there; 0: overwrite them. */
  accumulate: number;
}

/** The sums a `linear_cross_entropy` call produced. */
export interface LinearCrossEntropyResult {
  /** Σ t_i·L_i over the rows that count. */
  sum: number;
  /** Σ t_i·w_{y_i} over the rows that count. */
  denominator: number;
}

/** `weighted_denominator`: `cross_entropy_denominator` with N per-row (per-token) weights. */
export interface WeightedDenominatorCall {
  smoothing: SmoothingParams;
  /** An address in wasm memory. */
  targets: number;
  numRows: number;
  /** An address in wasm memory. */
  classWeights: number;
  /** N values, or 0 for none. */
  tokenWeights: number;
}

/** `linear_scratch_len`: the floats a `linear_cross_entropy` call's scratch must hold. */
export interface LinearScratchCall {
  chunkRows: number;
  numClasses: number;
  /** 1 with a softcap (a second chunk buffer), else 0. */
  softcap: number;
}

export interface LinearScratchResult {
  /** The length in floats (a f64: it may pass 2³²; the call then cannot be made). */
  floats: number;
}

/**
 * `gemm_bench`: `C (+)= A·B` with A m×k, B k×n, each row-major or transposed (the
 * benchmark's GEMM throughput, bench/bench.mjs).
 */
export interface GemmCall {
  /** An address in wasm memory. */
  a: number;
  /** An address in wasm memory. */
  b: number;
  /** An address in wasm memory. */
  c: number;
  m: number;
  n: number;
  k: number;
  /** 1: A is stored k×m (read transposed). */
  aTransposed: number;
  /** 1: B is stored n×k (read transposed). */
  bTransposed: number;
  accumulate: number;
  /** `gemm_workspace_len` floats. */
  workspace: number;
}

/** Why a kernel export refused its call (see `Status`). */
export interface Refusal {
  first: number;
  second: number;
}

function writeSmoothingParams(view: DataView, at: number, record: SmoothingParams): void {
  view.setUint32(at + 0, record.numClasses, true);
  view.setUint32(at + 4, record.convention, true);
  view.setUint32(at + 8, record.paddingIdx, true);
  view.setInt32(at + 12, record.ignoreIndex, true);
  view.setFloat64(at + 16, record.epsilon, true);
}

function writeSmoothTargetsCall(view: DataView, at: number, record: SmoothTargetsCall): void {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.targets, true);
  view.setUint32(at + 28, record.numRows, true);
  view.setUint32(at + 32, record.out, true);
}

function writeCrossEntropyCall(view: DataView, at: number, record: CrossEntropyCall): void {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.logits, true);
  view.setUint32(at + 28, record.targets, true);
  view.setUint32(at + 32, record.numRows, true);
  view.setUint32(at + 36, record.classWeights, true);
  view.setFloat32(at + 40, record.zLoss, true);
  view.setUint32(at + 44, record.upstreamPerRow, true);
  view.setFloat64(at + 48, record.gradScale, true);
  view.setUint32(at + 56, record.perRowLosses, true);
  view.setUint32(at + 60, record.grad, true);
}

function writeDenominatorCall(view: DataView, at: number, record: DenominatorCall): void {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.targets, true);
  view.setUint32(at + 28, record.numRows, true);
  view.setUint32(at + 32, record.classWeights, true);
}

function writeSoftCrossEntropyCall(view: DataView, at: number, record: SoftCrossEntropyCall): void {
  view.setUint32(at + 0, record.logits, true);
  view.setUint32(at + 4, record.targets, true);
  view.setUint32(at + 8, record.numRows, true);
  view.setUint32(at + 12, record.numClasses, true);
  view.setFloat64(at + 16, record.epsilon, true);
  view.setUint32(at + 24, record.classWeights, true);
  view.setUint32(at + 28, record.scalePerRow, true);
  view.setFloat32(at + 32, record.scale, true);
  view.setUint32(at + 36, record.perRowLosses, true);
  view.setUint32(at + 40, record.grad, true);
}

function writeSigmoidCrossEntropyCall(view: DataView, at: number, record: SigmoidCrossEntropyCall): void {
  view.setUint32(at + 0, record.logits, true);
  view.setUint32(at + 4, record.labels, true);
  view.setUint32(at + 8, record.numRows, true);
  view.setUint32(at + 12, record.numClasses, true);
  view.setFloat64(at + 16, record.epsilon, true);
  view.setUint32(at + 24, record.scaleKind, true);
  view.setUint32(at + 28, record.scaleValues, true);
  view.setFloat32(at + 32, record.scale, true);
  view.setUint32(at + 36, record.losses, true);
  view.setUint32(at + 40, record.grad, true);
}

function writeKlDivCall(view: DataView, at: number, record: KlDivCall): void {
  view.setUint32(at + 0, record.input, true);
  view.setUint32(at + 4, record.target, true);
  view.setUint32(at + 8, record.numRows, true);
  view.setUint32(at + 12, record.numClasses, true);
  view.setUint32(at + 16, record.targetForm, true);
  view.setUint32(at + 20, record.scaleKind, true);
  view.setUint32(at + 24, record.scaleValues, true);
  view.setFloat32(at + 28, record.scale, true);
  view.setUint32(at + 32, record.terms, true);
  view.setUint32(at + 36, record.grad, true);
}

function writeLabelSmoothingKlCall(view: DataView, at: number, record: LabelSmoothingKlCall): void {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.input, true);
  view.setUint32(at + 28, record.targets, true);
  view.setUint32(at + 32, record.numRows, true);
  view.setUint32(at + 36, record.perRowLosses, true);
  view.setUint32(at + 40, record.grad, true);
}

function writeTargetEntropyCall(view: DataView, at: number, record: TargetEntropyCall): void {
  writeSmoothingParams(view, at + 0, record.smoothing);
}

function writeExpMapCall(view: DataView, at: number, record: ExpMapCall): void {
  view.setUint32(at + 0, record.x, true);
  view.setUint32(at + 4, record.len, true);
  view.setUint32(at + 8, record.out, true);
}

function writeExpSumCall(view: DataView, at: number, record: ExpSumCall): void {
  view.setUint32(at + 0, record.x, true);
  view.setUint32(at + 4, record.len, true);
  view.setFloat32(at + 8, record.shift, true);
}

function writeSliceCall(view: DataView, at: number, record: SliceCall): void {
  view.setUint32(at + 0, record.x, true);
  view.setUint32(at + 4, record.len, true);
}

function writeLinearCrossEntropyCall(view: DataView, at: number, record: LinearCrossEntropyCall): void {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.hiddenSize, true);
  view.setUint32(at + 28, record.hidden, true);
  view.setUint32(at + 32, record.weight, true);
  view.setUint32(at + 36, record.bias, true);
  view.setUint32(at + 40, record.targets, true);
  view.setUint32(at + 44, record.numRows, true);
  view.setUint32(at + 48, record.classWeights, true);
  view.setUint32(at + 52, record.tokenWeights, true);
  view.setFloat32(at + 56, record.zLoss, true);
  view.setFloat32(at + 60, record.softcap, true);
  view.setUint32(at + 64, record.upstreamPerRow, true);
  view.setFloat64(at + 72, record.gradScale, true);
  view.setUint32(at + 80, record.chunkRows, true);
  view.setUint32(at + 84, record.scratch, true);
  view.setUint32(at + 88, record.scratchLen, true);
  view.setUint32(at + 92, record.perRowLosses, true);
  view.setUint32(at + 96, record.gradHidden, true);
  view.setUint32(at + 100, record.gradWeight, true);
  view.setUint32(at + 104, record.gradBias, true);
  view.setUint32(at + 108, record.accumulate, true);
}

function writeWeightedDenominatorCall(view: DataView, at: number, record: WeightedDenominatorCall): void {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.targets, true);
  view.setUint32(at + 28, record.numRows, true);
  view.setUint32(at + 32, record.classWeights, true);
  view.setUint32(at + 36, record.tokenWeights, true);
}

function writeLinearScratchCall(view: DataView, at: number, record: LinearScratchCall): void {
  view.setUint32(at + 0, record.chunkRows, true);
  view.setUint32(at + 4, record.numClasses, true);
  view.setUint32(at + 8, record.softcap, true);
}

function writeGemmCall(view: DataView, at: number, record: GemmCall): void {
  view.setUint32(at + 0, record.a, true);
  view.setUint32(at + 4, record.b, true);
  view.setUint32(at + 8, record.c, true);
  view.setUint32(at + 12, record.m, true);
  view.setUint32(at + 16, record.n, true);
  view.setUint32(at + 20, record.k, true);
  view.setUint32(at + 24, record.aTransposed, true);
  view.setUint32(at + 28, record.bTransposed, true);
  view.setUint32(at + 32, record.accumulate, true);
  view.setUint32(at + 36, record.workspace, true);
}

function readNoResult(_view: DataView, _at: number): NoResult {
  return {};
}

function readCrossEntropyResult(view: DataView, at: number): CrossEntropyResult {
  return {
    sum: view.getFloat64(at + 0, true),
    nll: view.getFloat64(at + 8, true),
    smooth: view.getFloat64(at + 16, true),
    lseSquared: view.getFloat64(at + 24, true),
    denominator: view.getFloat64(at + 32, true),
  };
}

function readDenominatorResult(view: DataView, at: number): DenominatorResult {
  return {
    denominator: view.getFloat64(at + 0, true),
  };
}

function readLossSumsResult(view: DataView, at: number): LossSumsResult {
  return {
    sum: view.getFloat64(at + 0, true),
    scaledSum: view.getFloat64(at + 8, true),
  };
}

function readLossResult(view: DataView, at: number): LossResult {
  return {
    loss: view.getFloat64(at + 0, true),
  };
}

function readEntropyResult(view: DataView, at: number): EntropyResult {
  return {
    entropy: view.getFloat64(at + 0, true),
  };
}

function readSumResult(view: DataView, at: number): SumResult {
  return {
    sum: view.getFloat64(at + 0, true),
  };
}

function readLinearCrossEntropyResult(view: DataView, at: number): LinearCrossEntropyResult {
  return {
    sum: view.getFloat64(at + 0, true),
    denominator: view.getFloat64(at + 8, true),
  };
}

function readLinearScratchResult(view: DataView, at: number): LinearScratchResult {
  return {
    floats: view.getFloat64(at + 0, true),
  };
}

export function readRefusal(view: DataView, at: number): Refusal {
  return {
    first: view.getFloat64(at + 0, true),
    second: view.getFloat64(at + 8, true),
  };
}

/**
 * A kernel export `name(call, outcome) -> Status`: it reads a call record at `call` and writes
 * at `outcome` the Refusal (status ≠ ok) or, at `resultOffset`, the result record.
 */
export interface KernelExportSpec<Call, Result> {
  readonly name: KernelExportName;
  readonly callBytes: number;
  readonly outcomeBytes: number;
  readonly resultOffset: number;
  write(view: DataView, at: number, call: Call): void;
  read(view: DataView, at: number): Result;
}

export type KernelExportName =
  | 'smooth_targets'
  | 'cross_entropy'
  | 'cross_entropy_denominator'
  | 'soft_cross_entropy'
  | 'sigmoid_cross_entropy'
  | 'kl_div'
  | 'label_smoothing_kl'
  | 'target_entropy'
  | 'exp_map'
  | 'exp_sum'
  | 'log_sum'
  | 'softplus_sum'
  | 'linear_cross_entropy'
  | 'weighted_denominator'
  | 'linear_scratch_len'
  | 'gemm';

/** What one kernel call returned: the result, or the status and the refusal. */
export type KernelOutcome<Result> = { status: 0; result: Result } | { status: Exclude<Status, 0>; refusal: Refusal };

/** The call record at `frame`, the outcome after it, 16-byte aligned. */
function outcomeOffset(callBytes: number): number {
  return Math.ceil(callBytes / 16) * 16;
}

/** The bytes of wasm memory (16-byte aligned) a call of `spec` needs at its frame. */
export function frameBytes<C, R>(spec: KernelExportSpec<C, R>): number {
  return outcomeOffset(spec.callBytes) + spec.outcomeBytes;
}

/**
 * Calls kernel export `spec` of `exports` with the call record `call`, using the `frameBytes(spec)`
 * bytes at `frame`. Views of the memory are taken after the call as well as before: nothing
 * here keeps one across a call.
 */
export function invokeKernel<C, R>(exports: WasmExports, spec: KernelExportSpec<C, R>, frame: number, call: C): KernelOutcome<R> {
  spec.write(new DataView(exports.memory.buffer), frame, call);
  const outcome = frame + outcomeOffset(spec.callBytes);
  const status = exports[spec.name](frame, outcome);
  const view = new DataView(exports.memory.buffer);
  if (status === Status.ok) return { status, result: spec.read(view, outcome + spec.resultOffset) };
  return { status, refusal: readRefusal(view, outcome) };
}

export const smoothTargetsKernel: KernelExportSpec<SmoothTargetsCall, NoResult> = {
  name: 'smooth_targets',
  callBytes: 40,
  outcomeBytes: 16,
  resultOffset: 16,
  write: writeSmoothTargetsCall,
  read: readNoResult,
};

export const crossEntropyKernel: KernelExportSpec<CrossEntropyCall, CrossEntropyResult> = {
  name: 'cross_entropy',
  callBytes: 64,
  outcomeBytes: 56,
  resultOffset: 16,
  write: writeCrossEntropyCall,
  read: readCrossEntropyResult,
};

export const crossEntropyDenominatorKernel: KernelExportSpec<DenominatorCall, DenominatorResult> = {
  name: 'cross_entropy_denominator',
  callBytes: 40,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeDenominatorCall,
  read: readDenominatorResult,
};

export const softCrossEntropyKernel: KernelExportSpec<SoftCrossEntropyCall, LossSumsResult> = {
  name: 'soft_cross_entropy',
  callBytes: 48,
  outcomeBytes: 32,
  resultOffset: 16,
  write: writeSoftCrossEntropyCall,
  read: readLossSumsResult,
};

export const sigmoidCrossEntropyKernel: KernelExportSpec<SigmoidCrossEntropyCall, LossSumsResult> = {
  name: 'sigmoid_cross_entropy',
  callBytes: 48,
  outcomeBytes: 32,
  resultOffset: 16,
  write: writeSigmoidCrossEntropyCall,
  read: readLossSumsResult,
};

export const klDivKernel: KernelExportSpec<KlDivCall, LossSumsResult> = {
  name: 'kl_div',
  callBytes: 40,
  outcomeBytes: 32,
  resultOffset: 16,
  write: writeKlDivCall,
  read: readLossSumsResult,
};

export const labelSmoothingKlKernel: KernelExportSpec<LabelSmoothingKlCall, LossResult> = {
  name: 'label_smoothing_kl',
  callBytes: 48,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeLabelSmoothingKlCall,
  read: readLossResult,
};

export const targetEntropyKernel: KernelExportSpec<TargetEntropyCall, EntropyResult> = {
  name: 'target_entropy',
  callBytes: 24,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeTargetEntropyCall,
  read: readEntropyResult,
};

/** The benchmark's exp bound. */
export const expMapKernel: KernelExportSpec<ExpMapCall, NoResult> = {
  name: 'exp_map',
  callBytes: 12,
  outcomeBytes: 16,
  resultOffset: 16,
  write: writeExpMapCall,
  read: readNoResult,
};

/** The benchmark's forward-only exp bound. */
export const expSumKernel: KernelExportSpec<ExpSumCall, SumResult> = {
  name: 'exp_sum',
  callBytes: 12,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeExpSumCall,
  read: readSumResult,
};

/** The benchmark's log bound (`Σ ln x[i]`, the transcendental work of `kl_div`). */
export const logSumKernel: KernelExportSpec<SliceCall, SumResult> = {
  name: 'log_sum',
  callBytes: 8,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeSliceCall,
  read: readSumResult,
};

/** The benchmark's softplus bound (`Σ log1p(exp(−|x[i]|))`, the work of `sigmoid_cross_entropy`). */
export const softplusSumKernel: KernelExportSpec<SliceCall, SumResult> = {
  name: 'softplus_sum',
  callBytes: 8,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeSliceCall,
  read: readSumResult,
};

export const linearCrossEntropyKernel: KernelExportSpec<LinearCrossEntropyCall, LinearCrossEntropyResult> = {
  name: 'linear_cross_entropy',
  callBytes: 112,
  outcomeBytes: 32,
  resultOffset: 16,
  write: writeLinearCrossEntropyCall,
  read: readLinearCrossEntropyResult,
};

export const weightedDenominatorKernel: KernelExportSpec<WeightedDenominatorCall, DenominatorResult> = {
  name: 'weighted_denominator',
  callBytes: 40,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeWeightedDenominatorCall,
  read: readDenominatorResult,
};

export const linearScratchLenKernel: KernelExportSpec<LinearScratchCall, LinearScratchResult> = {
  name: 'linear_scratch_len',
  callBytes: 12,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeLinearScratchCall,
  read: readLinearScratchResult,
};

/** The benchmark's GEMM (the linear head's matrix products alone). */
export const gemmKernel: KernelExportSpec<GemmCall, NoResult> = {
  name: 'gemm',
  callBytes: 40,
  outcomeBytes: 16,
  resultOffset: 16,
  write: writeGemmCall,
  read: readNoResult,
};

/** The exports of every build of the module (crates/wasm). */
export interface WasmExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  alloc(bytes: number): number;
  dealloc(address: number, bytes: number): void;
  backend(): number;
  interface_fingerprint(): number;
  rows_per_chunk(numClasses: number): number;
  smooth_targets(call: number, outcome: number): Status;
  cross_entropy(call: number, outcome: number): Status;
  cross_entropy_denominator(call: number, outcome: number): Status;
  soft_cross_entropy(call: number, outcome: number): Status;
  sigmoid_cross_entropy(call: number, outcome: number): Status;
  kl_div(call: number, outcome: number): Status;
  label_smoothing_kl(call: number, outcome: number): Status;
  target_entropy(call: number, outcome: number): Status;
  exp_map(call: number, outcome: number): Status;
  exp_sum(call: number, outcome: number): Status;
  log_sum(call: number, outcome: number): Status;
  softplus_sum(call: number, outcome: number): Status;
  linear_cross_entropy(call: number, outcome: number): Status;
  weighted_denominator(call: number, outcome: number): Status;
  linear_scratch_len(call: number, outcome: number): Status;
  gemm(call: number, outcome: number): Status;
}
