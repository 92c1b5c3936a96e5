// The smoothing options that `targets` and `loss` share, read from the command line and checked
// by the library itself (so the CLI refuses exactly what the API refuses, with its message).
import { smoothTargets, type Convention, type SmoothingOptions } from '../index';
import { choice, integerOption, numberOption, UsageError, type Values } from './args';

export const smoothingOptions = {
  smoothing: { type: 'string' },
  'label-smoothing': { type: 'string' },
  convention: { type: 'string' },
  'padding-idx': { type: 'string' },
  'ignore-index': { type: 'string' },
} as const;

export const SMOOTHING_HELP = `  --smoothing ε          label smoothing ε in [0, 1] (default 0); alias --label-smoothing
  --convention NAME      uniform (default: PyTorch/TF/tfjs/Keras, 1-ε+ε/K and ε/K),
                         fairseq (1-ε and ε/(K-1)) or annotated (Annotated Transformer /
                         pyitcast LabelSmoothing: 1-ε and ε/(K-2), padding column and rows zero)
  --padding-idx P        the padding class; required by, and only allowed with, annotated
  --ignore-index I       rows whose target is I are all zero / skipped (default -100);
                         write a negative value as --ignore-index=-1`;

export interface Smoothing extends SmoothingOptions {
  convention: Convention;
  labelSmoothing: number;
}

/** Reads the smoothing flags and checks them (with K) through the library: refusals are usage errors. */
export function readSmoothing(command: string, values: Values, numClasses: number): Smoothing {
  if (values.smoothing !== undefined && values['label-smoothing'] !== undefined) {
    throw new UsageError('give --smoothing or --label-smoothing, not both', command);
  }
  const epsilon = numberOption(command, values, values.smoothing !== undefined ? 'smoothing' : 'label-smoothing') ?? 0;
  const convention = choice(command, values, 'convention', ['uniform', 'fairseq', 'annotated'] as const, 'uniform');
  const paddingIdx = integerOption(command, values, 'padding-idx');
  const ignoreIndex = integerOption(command, values, 'ignore-index');
  const s: Smoothing = { labelSmoothing: epsilon, convention };
  if (paddingIdx !== undefined) s.paddingIdx = paddingIdx;
  if (ignoreIndex !== undefined) s.ignoreIndex = ignoreIndex;
  try {
    smoothTargets([], numClasses, s); // validates K, ε, the convention and the indices, computes nothing
  } catch (e) {
    throw new UsageError(flagNames(apiMessage(e)), command);
  }
  return s;
}

/** The API's message without its function prefix ("smoothTargets: "). */
export function apiMessage(e: unknown): string {
  return (e as Error).message.replace(/^[A-Za-z.]+: /, '');
}

/** Names the command-line flags in an API message (options.paddingIdx → --padding-idx). */
export function flagNames(message: string): string {
  return message
    .replace(/options\.labelSmoothing/g, '--smoothing')
    .replace(/options\.paddingIdx/g, '--padding-idx')
    .replace(/options\.ignoreIndex/g, '--ignore-index')
    .replace(/options\.convention/g, '--convention')
    .replace(/options\.weight/g, '--weight')
    .replace(/\bignoreIndex\b/g, '--ignore-index')
    .replace(/options\.zLoss/g, '--z-loss')
    .replace(/\bnumClasses\b/g, 'K');
}

/** What the convention puts on the target (`on`) and on the other smoothed classes (`off`). */
export function onOff(s: Smoothing, k: number): { on: number; off: number; rule: (on: string, off: string) => string } {
  const e = s.labelSmoothing;
  switch (s.convention) {
    case 'uniform':
      return { on: 1 - e + e / k, off: e / k, rule: (on, off) => `1-ε+ε/K = ${on} on the target, ε/K = ${off} on every other class.` };
    case 'fairseq':
      return { on: 1 - e, off: k > 1 ? e / (k - 1) : 0, rule: (on, off) => `1-ε = ${on} on the target, ε/(K-1) = ${off} on every other class.` };
    default:
      return { on: 1 - e, off: e / (k - 2), rule: (on, off) => `1-ε = ${on} on the target, ε/(K-2) = ${off} on the other non-padding classes, 0 in the padding column.` };
  }
}

export function describeSmoothing(s: Smoothing, k: number): string {
  const parts = [`convention '${s.convention}'`, `K = ${k}`, `ε = ${s.labelSmoothing}`];
  if (s.convention === 'annotated') parts.push(`padding class ${s.paddingIdx}`);
  if (s.ignoreIndex !== undefined) parts.push(`ignore index ${s.ignoreIndex}`);
  return parts.join(', ');
}
