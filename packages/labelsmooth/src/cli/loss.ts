// `labelsmooth loss`: label-smoothed cross-entropy of logits read from JSON/CSV, its two parts,
// and optionally the gradient (written to a file, and/or drawn as a heatmap).
import { readFileSync } from 'node:fs';
import { backend, crossEntropyParts, crossEntropyWithGrad, type CrossEntropyReduction } from '../index';
import { backendOption, choice, integerList, integerOption, numberList, numberOption, parse, RuntimeFailure, selectBackend, stringOption, UsageError } from './args';
import { fixed, float32String, jsonNumber, plotKind, writeFile, writePlot } from './format';
import { INPUT_HELP, parseInput, type LossInput } from './input';
import { apiMessage, describeSmoothing, flagNames, onOff, readSmoothing, SMOOTHING_HELP, smoothingOptions } from './smoothing';

export const LOSS_HELP = `labelsmooth loss: label-smoothed cross-entropy of logits, its parts, and its gradient

Usage: labelsmooth loss [FILE] [options]
       cat input.json | labelsmooth loss --smoothing 0.1

${INPUT_HELP}

Options:
  -i, --input FILE       the input (same as the FILE argument; - for stdin)
  --format FORMAT        json or csv, when neither the file name nor the content tells
  --target LIST          the targets, comma-separated, when the input has none
  --num-classes K        check that the logits have K columns
${SMOOTHING_HELP}
  --reduction R          mean (default: ÷ the rows that count), sum or none (one loss per row)
  --weight LIST          per-class weights (K numbers), PyTorch's weight
  --z-loss Z             adds Z·logsumexp(row)² per row (default 0)
  --grad FILE            write ∂loss/∂logits: FILE.json ({"grad": rows}) or FILE.csv
  --plot FILE            write the gradient's heatmap: FILE.svg or FILE.png
  --title TEXT           the heatmap's title
  --json                 print the result as one JSON object
  --decimals D           decimals printed (default 6)
  --backend NAME         auto (default, or $LABELSMOOTH_BACKEND), relaxed-simd, simd128 or scalar
  -h, --help             this help

The loss splits into its parts: with NLL = Σ −w_y·log p_y and S = Σ −Σ_k w_k·log p_k (over the
smoothed classes), loss = (on − off)·NLL + off·S (+ z-loss), ÷ the rows counted for mean.

Exit status: 0 ok, 1 unreadable or invalid input or an unwritable output, 2 a bad command line.`;

const OPTIONS = {
  input: { type: 'string', short: 'i' },
  format: { type: 'string' },
  target: { type: 'string', short: 't' },
  'num-classes': { type: 'string' },
  ...smoothingOptions,
  reduction: { type: 'string' },
  weight: { type: 'string' },
  'z-loss': { type: 'string' },
  grad: { type: 'string' },
  plot: { type: 'string' },
  title: { type: 'string' },
  json: { type: 'boolean' },
  decimals: { type: 'string' },
  ...backendOption,
  help: { type: 'boolean', short: 'h' },
} as const;

function readSource(cmd: string, file: string | undefined): { source: string; text: string } {
  if (file === undefined || file === '-') {
    if (file === undefined && process.stdin.isTTY) {
      throw new UsageError('no input: give a JSON or CSV FILE, or pipe it on stdin', cmd);
    }
    try {
      return { source: 'stdin', text: readFileSync(0, 'utf8') };
    } catch (e) {
      throw new RuntimeFailure(`could not read stdin: ${(e as Error).message}`);
    }
  }
  try {
    return { source: file, text: readFileSync(file, 'utf8') };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new RuntimeFailure(`could not read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message}`);
  }
}

export function runLoss(argv: string[], out: (s: string) => void, info: (s: string) => void): number {
  const cmd = 'loss';
  const { values, positionals } = parse(cmd, argv, OPTIONS, true);
  if (values.help) {
    out(LOSS_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`one input FILE at most, received ${positionals.length}: ${positionals.join(' ')}`, cmd);
  if (positionals.length === 1 && values.input !== undefined) throw new UsageError('give the input as FILE or --input, not both', cmd);
  const file = positionals[0] ?? stringOption(cmd, values, 'input');
  const format = values.format === undefined ? undefined : choice(cmd, values, 'format', ['json', 'csv'] as const, 'json');
  const flagTargets = values.target === undefined ? undefined : integerList(cmd, 'target', stringOption(cmd, values, 'target')!);
  const declaredK = integerOption(cmd, values, 'num-classes');
  if (declaredK !== undefined && declaredK < 1) throw new UsageError(`--num-classes must be a positive integer, received ${declaredK}`, cmd);
  const reduction = choice(cmd, values, 'reduction', ['mean', 'sum', 'none'] as const, 'mean') as CrossEntropyReduction;
  const weight = values.weight === undefined ? undefined : numberList(cmd, 'weight', stringOption(cmd, values, 'weight')!);
  const zLoss = numberOption(cmd, values, 'z-loss') ?? 0;
  if (zLoss < 0) throw new UsageError(`--z-loss must be >= 0, received ${zLoss}`, cmd);
  const decimals = integerOption(cmd, values, 'decimals') ?? 6;
  if (decimals < 0 || decimals > 12) throw new UsageError(`--decimals must be in [0, 12], received ${decimals}`, cmd);
  const gradFile = stringOption(cmd, values, 'grad');
  if (gradFile !== undefined && !/\.(json|csv)$/i.test(gradFile)) throw new UsageError(`--grad ${gradFile}: the file name must end in .json or .csv`, cmd);
  const plot = stringOption(cmd, values, 'plot');
  const kind = plot === undefined ? undefined : plotKind(cmd, 'plot', plot);
  selectBackend(cmd, values);

  const { source, text } = readSource(cmd, file);
  const input: LossInput = parseInput(source, text, format, flagTargets !== undefined);
  const k = input.numClasses;
  if (flagTargets !== undefined && input.target !== undefined) throw new UsageError(`${source} has targets and --target was given: give them once`, cmd);
  const target = flagTargets ?? input.target;
  if (target === undefined) throw new UsageError(`${source} has no targets: add them to the input or pass --target`, cmd);
  if (target.length !== input.rows) {
    const failure = `${input.rows} row${input.rows === 1 ? '' : 's'} of logits but ${target.length} target${target.length === 1 ? '' : 's'}`;
    if (flagTargets !== undefined) throw new UsageError(`--target: ${failure}`, cmd);
    throw new RuntimeFailure(`${source}: ${failure}`);
  }
  if (declaredK !== undefined && declaredK !== k) throw new RuntimeFailure(`${source}: the logits have ${k} columns, --num-classes says ${declaredK}`);
  if (weight !== undefined && weight.length !== k) throw new UsageError(`--weight needs K = ${k} numbers (one per class), received ${weight.length}`, cmd);
  const s = readSmoothing(cmd, values, k);

  const opts = { ...s, numClasses: k, reduction, zLoss, ...(weight ? { weight: Float32Array.from(weight) } : {}) };
  let loss: number | Float32Array;
  let grad: Float32Array;
  let parts: { nll: number; smooth: number; denominator: number };
  try {
    const r = crossEntropyWithGrad(input.logits, target, opts);
    loss = r.loss;
    grad = r.grad as Float32Array;
    parts = crossEntropyParts(input.logits, target, opts);
  } catch (e) {
    // The options were checked already: what the library refuses now is the data (e.g. a target outside [0, K)).
    const message = flagNames(apiMessage(e));
    if (flagTargets !== undefined && /\btarget\b/.test(message)) throw new UsageError(message.replace(/\btarget\[/g, '--target['), cmd);
    throw new RuntimeFailure(`${source}: ${message}`);
  }
  const { on, off } = onOff(s, k);

  if (values.json) {
    out(
      JSON.stringify({
        loss: typeof loss === 'number' ? jsonNumber(loss) : Array.from(loss as Float32Array, jsonNumber),
        reduction,
        nll: jsonNumber(parts.nll),
        smooth: jsonNumber(parts.smooth),
        denominator: parts.denominator,
        on,
        off,
        rows: input.rows,
        numClasses: k,
        convention: s.convention,
        labelSmoothing: s.labelSmoothing,
        backend: backend(),
      }),
    );
  } else {
    out(`labelsmooth (${backend()} build): cross-entropy of ${input.rows}×${k} logits from ${source}`);
    out(`${describeSmoothing(s, k)}, reduction '${reduction}'${weight ? ', class weights' : ''}${zLoss ? `, z-loss ${zLoss}` : ''}`);
    out('');
    if (typeof loss === 'number') out(`loss: ${fixed(loss, decimals)}`);
    else out(`loss per row: ${Array.from(loss as Float32Array, (v: number) => fixed(v, decimals)).join(', ')}`);
    out(`  NLL (Σ −log p_target):              ${fixed(parts.nll, decimals)}`);
    out(`  smoothing term (Σ −Σ_k log p_k):    ${fixed(parts.smooth, decimals)}`);
    out(`  rows counted:                       ${parts.denominator}`);
    if (zLoss === 0) {
      const sum = (on - off) * parts.nll + (off === 0 ? 0 : off * parts.smooth);
      const total = reduction === 'mean' ? ` ÷ ${parts.denominator} = ${fixed(sum / parts.denominator, decimals)}` : '';
      out(`  = (${fixed(on, 4)} − ${fixed(off, 4)})·NLL + ${fixed(off, 4)}·smoothing term = ${fixed(sum, decimals)}${total}`);
    }
  }

  if (gradFile !== undefined) {
    const rows = Array.from({ length: input.rows }, (_, i) => Array.from(grad.subarray(i * k, i * k + k)));
    const content = /\.json$/i.test(gradFile)
      ? `${JSON.stringify({ grad: rows.map((r) => r.map((v) => (Number.isFinite(v) ? Number(float32String(v)) : null))) })}\n`
      : `${rows.map((r) => r.map(float32String).join(',')).join('\n')}\n`;
    writeFile(gradFile, content);
    info(`wrote the ${input.rows}×${k} gradient ∂loss/∂logits to ${gradFile}`);
  }
  if (plot !== undefined && kind !== undefined) {
    writePlot(plot, kind, grad, k, { title: stringOption(cmd, values, 'title') ?? `∂loss/∂logits (${s.convention}, ε=${s.labelSmoothing})`, rowLabels: target.map((t, i) => `${i} → ${t}`), yLabel: 'row → target' });
    info(`wrote the heatmap of the gradient to ${plot}`);
  }
  return 0;
}
