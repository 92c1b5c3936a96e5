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
};

/** Which build a module is (the `backend` export). */
export const BackendCode = {
  scalar: 0,
  simd128: 1,
  'relaxed-simd': 2,
};

/** How ε is spread over the classes (docs/semantics.md §1). */
export const ConventionCode = {
  uniform: 0,
  fairseq: 1,
  annotated: 2,
};

/** What an element scale holds. */
export const ScaleKind = {
  uniform: 0,
  perRow: 1,
  perElement: 2,
};

/** What the target of `kl_div` holds. */
export const TargetForm = {
  probabilities: 0,
  logProbabilities: 1,
};

function writeSmoothingParams(view, at, record) {
  view.setUint32(at + 0, record.numClasses, true);
  view.setUint32(at + 4, record.convention, true);
  view.setUint32(at + 8, record.paddingIdx, true);
  view.setInt32(at + 12, record.ignoreIndex, true);
  view.setFloat64(at + 16, record.epsilon, true);
}

function writeSmoothTargetsCall(view, at, record) {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.targets, true);
  view.setUint32(at + 28, record.numRows, true);
  view.setUint32(at + 32, record.out, true);
}

function writeCrossEntropyCall(view, at, record) {
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

function writeDenominatorCall(view, at, record) {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.targets, true);
  view.setUint32(at + 28, record.numRows, true);
  view.setUint32(at + 32, record.classWeights, true);
}

function writeSoftCrossEntropyCall(view, at, record) {
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

function writeSigmoidCrossEntropyCall(view, at, record) {
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

function writeKlDivCall(view, at, record) {
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

function writeLabelSmoothingKlCall(view, at, record) {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.input, true);
  view.setUint32(at + 28, record.targets, true);
  view.setUint32(at + 32, record.numRows, true);
  view.setUint32(at + 36, record.perRowLosses, true);
  view.setUint32(at + 40, record.grad, true);
}

function writeTargetEntropyCall(view, at, record) {
  writeSmoothingParams(view, at + 0, record.smoothing);
}

function writeExpMapCall(view, at, record) {
  view.setUint32(at + 0, record.x, true);
  view.setUint32(at + 4, record.len, true);
  view.setUint32(at + 8, record.out, true);
}

function writeExpSumCall(view, at, record) {
  view.setUint32(at + 0, record.x, true);
  view.setUint32(at + 4, record.len, true);
  view.setFloat32(at + 8, record.shift, true);
}

function writeSliceCall(view, at, record) {
  view.setUint32(at + 0, record.x, true);
  view.setUint32(at + 4, record.len, true);
}

function writeLinearCrossEntropyCall(view, at, record) {
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

function writeWeightedDenominatorCall(view, at, record) {
  writeSmoothingParams(view, at + 0, record.smoothing);
  view.setUint32(at + 24, record.targets, true);
  view.setUint32(at + 28, record.numRows, true);
  view.setUint32(at + 32, record.classWeights, true);
  view.setUint32(at + 36, record.tokenWeights, true);
}

function writeLinearScratchCall(view, at, record) {
  view.setUint32(at + 0, record.chunkRows, true);
  view.setUint32(at + 4, record.numClasses, true);
  view.setUint32(at + 8, record.softcap, true);
}

function writeGemmCall(view, at, record) {
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

function readNoResult(_view, _at) {
  return {};
}

function readCrossEntropyResult(view, at) {
  return {
    sum: view.getFloat64(at + 0, true),
    nll: view.getFloat64(at + 8, true),
    smooth: view.getFloat64(at + 16, true),
    lseSquared: view.getFloat64(at + 24, true),
    denominator: view.getFloat64(at + 32, true),
  };
}

function readDenominatorResult(view, at) {
  return {
    denominator: view.getFloat64(at + 0, true),
  };
}

function readLossSumsResult(view, at) {
  return {
    sum: view.getFloat64(at + 0, true),
    scaledSum: view.getFloat64(at + 8, true),
  };
}

function readLossResult(view, at) {
  return {
    loss: view.getFloat64(at + 0, true),
  };
}

function readEntropyResult(view, at) {
  return {
    entropy: view.getFloat64(at + 0, true),
  };
}

function readSumResult(view, at) {
  return {
    sum: view.getFloat64(at + 0, true),
  };
}

function readLinearCrossEntropyResult(view, at) {
  return {
    sum: view.getFloat64(at + 0, true),
    denominator: view.getFloat64(at + 8, true),
  };
}

function readLinearScratchResult(view, at) {
  return {
    floats: view.getFloat64(at + 0, true),
  };
}

export function readRefusal(view, at) {
  return {
    first: view.getFloat64(at + 0, true),
    second: view.getFloat64(at + 8, true),
  };
}

/** The call record at `frame`, the outcome after it, 16-byte aligned. */
function outcomeOffset(callBytes) {
  return Math.ceil(callBytes / 16) * 16;
}

/** The bytes of wasm memory (16-byte aligned) a call of `spec` needs at its frame. */
export function frameBytes(spec) {
  return outcomeOffset(spec.callBytes) + spec.outcomeBytes;
}

/**
 * Calls kernel export `spec` of `exports` with the call record `call`, using the `frameBytes(spec)`
 * bytes at `frame`. Views of the memory are taken after the call as well as before: nothing
 * here keeps one across a call.
 */
export function invokeKernel(exports, spec, frame, call) {
  spec.write(new DataView(exports.memory.buffer), frame, call);
  const outcome = frame + outcomeOffset(spec.callBytes);
  const status = exports[spec.name](frame, outcome);
  const view = new DataView(exports.memory.buffer);
  if (status === Status.ok) return { status, result: spec.read(view, outcome + spec.resultOffset) };
  return { status, refusal: readRefusal(view, outcome) };
}

export const smoothTargetsKernel = {
  name: 'smooth_targets',
  callBytes: 40,
  outcomeBytes: 16,
  resultOffset: 16,
  write: writeSmoothTargetsCall,
  read: readNoResult,
};

export const crossEntropyKernel = {
  name: 'cross_entropy',
  callBytes: 64,
  outcomeBytes: 56,
  resultOffset: 16,
  write: writeCrossEntropyCall,
  read: readCrossEntropyResult,
};

export const crossEntropyDenominatorKernel = {
  name: 'cross_entropy_denominator',
  callBytes: 40,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeDenominatorCall,
  read: readDenominatorResult,
};

export const softCrossEntropyKernel = {
  name: 'soft_cross_entropy',
  callBytes: 48,
  outcomeBytes: 32,
  resultOffset: 16,
  write: writeSoftCrossEntropyCall,
  read: readLossSumsResult,
};

export const sigmoidCrossEntropyKernel = {
  name: 'sigmoid_cross_entropy',
  callBytes: 48,
  outcomeBytes: 32,
  resultOffset: 16,
  write: writeSigmoidCrossEntropyCall,
  read: readLossSumsResult,
};

export const klDivKernel = {
  name: 'kl_div',
  callBytes: 40,
  outcomeBytes: 32,
  resultOffset: 16,
  write: writeKlDivCall,
  read: readLossSumsResult,
};

export const labelSmoothingKlKernel = {
  name: 'label_smoothing_kl',
  callBytes: 48,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeLabelSmoothingKlCall,
  read: readLossResult,
};

export const targetEntropyKernel = {
  name: 'target_entropy',
  callBytes: 24,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeTargetEntropyCall,
  read: readEntropyResult,
};

/** The benchmark's exp bound. */
export const expMapKernel = {
  name: 'exp_map',
  callBytes: 12,
  outcomeBytes: 16,
  resultOffset: 16,
  write: writeExpMapCall,
  read: readNoResult,
};

/** The benchmark's forward-only exp bound. */
export const expSumKernel = {
  name: 'exp_sum',
  callBytes: 12,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeExpSumCall,
  read: readSumResult,
};

/** The benchmark's log bound (`Σ ln x[i]`, the transcendental work of `kl_div`). */
export const logSumKernel = {
  name: 'log_sum',
  callBytes: 8,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeSliceCall,
  read: readSumResult,
};

/** The benchmark's softplus bound (`Σ log1p(exp(−|x[i]|))`, the work of `sigmoid_cross_entropy`). */
export const softplusSumKernel = {
  name: 'softplus_sum',
  callBytes: 8,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeSliceCall,
  read: readSumResult,
};

export const linearCrossEntropyKernel = {
  name: 'linear_cross_entropy',
  callBytes: 112,
  outcomeBytes: 32,
  resultOffset: 16,
  write: writeLinearCrossEntropyCall,
  read: readLinearCrossEntropyResult,
};

export const weightedDenominatorKernel = {
  name: 'weighted_denominator',
  callBytes: 40,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeWeightedDenominatorCall,
  read: readDenominatorResult,
};

export const linearScratchLenKernel = {
  name: 'linear_scratch_len',
  callBytes: 12,
  outcomeBytes: 24,
  resultOffset: 16,
  write: writeLinearScratchCall,
  read: readLinearScratchResult,
};

/** The benchmark's GEMM (the linear head's matrix products alone). */
export const gemmKernel = {
  name: 'gemm',
  callBytes: 40,
  outcomeBytes: 16,
  resultOffset: 16,
  write: writeGemmCall,
  read: readNoResult,
};

