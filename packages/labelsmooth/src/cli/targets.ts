// `labelsmooth targets`: the smoothed target matrix as a table (or CSV/JSON), and its heatmap.
import { DEFAULT_IGNORE_INDEX } from '../conventions';
import { backend, smoothTargets } from '../index';
import { backendOption, choice, integerList, integerOption, parse, requiredString, selectBackend, stringOption, UsageError } from './args';
import { fixed, float32String, plotKind, table, writePlot } from './format';
import { apiMessage, describeSmoothing, flagNames, onOff, readSmoothing, SMOOTHING_HELP, smoothingOptions } from './smoothing';

export const TARGETS_HELP = `labelsmooth targets: the smoothed target distribution of each row, and its heatmap

Usage: labelsmooth targets --size K --target LIST [options]

  --size K               the number of classes K (alias --num-classes)
  --target LIST          one class index per row, comma-separated, e.g. 2,1,0
${SMOOTHING_HELP}
  --plot FILE            also write the heatmap: FILE.svg (labelled, with values) or FILE.png
  --title TEXT           the heatmap's title (default: describes the smoothing)
  --format FORMAT        table (default), csv or json (float32 values, shortest exact digits)
  --decimals D           decimals in the table (default 4)
  --backend NAME         auto (default, or $LABELSMOOTH_BACKEND), relaxed-simd, simd128 or scalar
  -h, --help             this help

The Annotated Transformer's example (its LabelSmoothing, which it plots with plt.imshow):
  labelsmooth targets --size 5 --padding-idx 0 --smoothing 0.5 --convention annotated \\
    --target 2,1,0 --plot example.svg

Exit status: 0 ok, 1 the heatmap could not be written, 2 a bad command line.`;

const OPTIONS = {
  size: { type: 'string' },
  'num-classes': { type: 'string' },
  target: { type: 'string', short: 't' },
  ...smoothingOptions,
  plot: { type: 'string' },
  title: { type: 'string' },
  format: { type: 'string' },
  decimals: { type: 'string' },
  ...backendOption,
  help: { type: 'boolean', short: 'h' },
} as const;

export function runTargets(argv: string[], out: (s: string) => void, info: (s: string) => void): number {
  const cmd = 'targets';
  const { values } = parse(cmd, argv, OPTIONS);
  if (values.help) {
    out(TARGETS_HELP);
    return 0;
  }
  if (values.size !== undefined && values['num-classes'] !== undefined) throw new UsageError('give --size or --num-classes, not both', cmd);
  const sizeFlag = values.size !== undefined ? 'size' : 'num-classes';
  const k = integerOption(cmd, values, sizeFlag);
  if (k === undefined) throw new UsageError('--size is required (the number of classes K)', cmd);
  if (k < 1) throw new UsageError(`--${sizeFlag} must be a positive integer, received ${k}`, cmd);
  const target = integerList(cmd, 'target', requiredString(cmd, values, 'target', 'one class index per row, e.g. --target 2,1,0'));
  const format = choice(cmd, values, 'format', ['table', 'csv', 'json'] as const, 'table');
  const decimals = integerOption(cmd, values, 'decimals') ?? 4;
  if (decimals < 0 || decimals > 12) throw new UsageError(`--decimals must be in [0, 12], received ${decimals}`, cmd);
  const plot = stringOption(cmd, values, 'plot');
  const kind = plot === undefined ? undefined : plotKind(cmd, 'plot', plot);
  selectBackend(cmd, values);
  const s = readSmoothing(cmd, values, k);

  let dist: Float32Array;
  try {
    dist = smoothTargets(target, k, s);
  } catch (e) {
    throw new UsageError(flagNames(apiMessage(e)).replace(/\btarget\[/g, '--target['), cmd);
  }
  const n = target.length;
  const ignore = s.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  const rowNote = (t: number): string =>
    t === ignore ? '(target is the ignore index: row zeroed)' : s.convention === 'annotated' && t === s.paddingIdx ? '(target is the padding class: row zeroed)' : '';

  // The heatmap first: when it cannot be written, nothing is printed but the error.
  let plotted = '';
  if (plot !== undefined && kind !== undefined) {
    const title =
      stringOption(cmd, values, 'title') ??
      (s.convention === 'annotated'
        ? `LabelSmoothing(size=${k}, padding_idx=${s.paddingIdx}, smoothing=${s.labelSmoothing}): true_dist`
        : `smoothed targets: ${s.convention}, K=${k}, ε=${s.labelSmoothing}`);
    writePlot(plot, kind, dist, k, {
      title,
      min: 0,
      rowLabels: target.map((t, i) => `${i} → ${t}`),
      yLabel: 'row → target',
      xLabel: 'class',
      decimals,
    });
    plotted = `wrote the heatmap of the ${n}×${k} smoothed targets to ${plot}${kind === 'png' ? ' (PNG: cells and colour bar; the SVG has the labels)' : ''}`;
  }
  if (format === 'json') {
    const rows = Array.from({ length: n }, (_, i) => Array.from(dist.subarray(i * k, i * k + k), (v) => Number(float32String(v))));
    out(JSON.stringify({ convention: s.convention, numClasses: k, labelSmoothing: s.labelSmoothing, paddingIdx: s.paddingIdx ?? null, ignoreIndex: ignore, target, backend: backend(), targets: rows }));
  } else if (format === 'csv') {
    out(['row', 'target', ...Array.from({ length: k }, (_, c) => `class_${c}`)].join(','));
    for (let i = 0; i < n; i++) out([i, target[i], ...Array.from(dist.subarray(i * k, i * k + k), float32String)].join(','));
  } else {
    const { on, off, rule } = onOff(s, k);
    out(`labelsmooth (${backend()} build): smoothed targets`);
    out(`${describeSmoothing(s, k)}, target = [${target.join(',')}]`);
    out('');
    out(table(dist, n, k, target.map((t, i) => `row ${i} → ${t}`), target.map(rowNote), decimals));
    out('');
    out(rule(fixed(on, decimals), fixed(off, decimals)));
  }

  if (plotted) info(plotted);
  return 0;
}
