// Which rows of each kernel export's call record a chunk takes: the record of rows
// [first, first + rows) is the whole call's record with every per-row address moved by `first`
// rows and `numRows` set to `rows` (what a call over that slice of the arrays would be). The
// exports here are those a pool runs row by row (protocol.ts, SERVED_EXPORTS).
import {
  ScaleKind,
  type CrossEntropyCall,
  type KernelExportName,
  type KlDivCall,
  type LabelSmoothingKlCall,
  type SigmoidCrossEntropyCall,
  type SmoothTargetsCall,
  type SmoothingParams,
  type SoftCrossEntropyCall,
} from '../wasm-interface.generated';

export interface RowSplit<C> {
  /** N and K of a call. */
  shape(call: C): { rows: number; classes: number };
  /** The record of rows [first, first + rows). */
  chunk(call: C, first: number, rows: number): C;
  /** Class-index targets the whole call must check before any chunk writes (cross_entropy's rule). */
  targets?(call: C): { smoothing: SmoothingParams; targets: number; classWeights: number };
}

/** `address` moved by `bytes`; a null address (an absent buffer) stays null. */
const moved = (address: number, bytes: number): number => (address === 0 ? 0 : address + bytes);

/** A scale of `kind`: per-row values move by rows, per-element values by rows × K. */
const movedScale = (kind: number, address: number, first: number, k: number): number =>
  kind === ScaleKind.perRow ? moved(address, 4 * first) : kind === ScaleKind.perElement ? moved(address, 4 * first * k) : address;

/** What the class-index losses' records have in common, moved to rows from `f` on. */
type IndexRows = Pick<CrossEntropyCall, 'numRows' | 'targets' | 'perRowLosses' | 'grad'>;
const indexRows = (c: IndexRows & { smoothing: SmoothingParams }, f: number, rows: number): IndexRows => ({
  numRows: rows,
  targets: moved(c.targets, 4 * f),
  perRowLosses: moved(c.perRowLosses, 4 * f),
  grad: moved(c.grad, 4 * f * c.smoothing.numClasses),
});
const indexShape = (c: { numRows: number; smoothing: SmoothingParams }) => ({ rows: c.numRows, classes: c.smoothing.numClasses });

const crossEntropy: RowSplit<CrossEntropyCall> = {
  shape: indexShape,
  chunk: (c, f, rows) => ({
    ...c,
    ...indexRows(c, f, rows),
    logits: moved(c.logits, 4 * f * c.smoothing.numClasses),
    upstreamPerRow: moved(c.upstreamPerRow, 4 * f),
  }),
  targets: (c) => ({ smoothing: c.smoothing, targets: c.targets, classWeights: c.classWeights }),
};

const softCrossEntropy: RowSplit<SoftCrossEntropyCall> = {
  shape: (c) => ({ rows: c.numRows, classes: c.numClasses }),
  chunk: (c, f, rows) => ({
    ...c,
    numRows: rows,
    logits: moved(c.logits, 4 * f * c.numClasses),
    targets: moved(c.targets, 4 * f * c.numClasses),
    scalePerRow: moved(c.scalePerRow, 4 * f),
    perRowLosses: moved(c.perRowLosses, 4 * f),
    grad: moved(c.grad, 4 * f * c.numClasses),
  }),
};

const sigmoidCrossEntropy: RowSplit<SigmoidCrossEntropyCall> = {
  shape: (c) => ({ rows: c.numRows, classes: c.numClasses }),
  chunk: (c, f, rows) => ({
    ...c,
    numRows: rows,
    logits: moved(c.logits, 4 * f * c.numClasses),
    labels: moved(c.labels, 4 * f * c.numClasses),
    scaleValues: movedScale(c.scaleKind, c.scaleValues, f, c.numClasses),
    losses: moved(c.losses, 4 * f * c.numClasses),
    grad: moved(c.grad, 4 * f * c.numClasses),
  }),
};

const klDiv: RowSplit<KlDivCall> = {
  shape: (c) => ({ rows: c.numRows, classes: c.numClasses }),
  chunk: (c, f, rows) => ({
    ...c,
    numRows: rows,
    input: moved(c.input, 4 * f * c.numClasses),
    target: moved(c.target, 4 * f * c.numClasses),
    scaleValues: movedScale(c.scaleKind, c.scaleValues, f, c.numClasses),
    terms: moved(c.terms, 4 * f * c.numClasses),
    grad: moved(c.grad, 4 * f * c.numClasses),
  }),
};

const labelSmoothingKl: RowSplit<LabelSmoothingKlCall> = {
  shape: indexShape,
  chunk: (c, f, rows) => ({ ...c, ...indexRows(c, f, rows), input: moved(c.input, 4 * f * c.smoothing.numClasses) }),
  targets: (c) => ({ smoothing: c.smoothing, targets: c.targets, classWeights: 0 }),
};

const smoothTargets: RowSplit<SmoothTargetsCall> = {
  shape: indexShape,
  chunk: (c, f, rows) => ({
    ...c,
    numRows: rows,
    targets: moved(c.targets, 4 * f),
    out: moved(c.out, 4 * f * c.smoothing.numClasses),
  }),
  targets: (c) => ({ smoothing: c.smoothing, targets: c.targets, classWeights: 0 }),
};

export const ROW_SPLITS: Partial<Record<KernelExportName, RowSplit<never>>> = {
  cross_entropy: crossEntropy as RowSplit<never>,
  soft_cross_entropy: softCrossEntropy as RowSplit<never>,
  sigmoid_cross_entropy: sigmoidCrossEntropy as RowSplit<never>,
  kl_div: klDiv as RowSplit<never>,
  label_smoothing_kl: labelSmoothingKl as RowSplit<never>,
  smooth_targets: smoothTargets as RowSplit<never>,
};
