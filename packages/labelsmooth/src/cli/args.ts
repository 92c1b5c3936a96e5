// Command-line parsing shared by the subcommands: node:util parseArgs in strict mode, typed value
// checks, and the two kinds of failure (usage: exit 2; runtime: exit 1).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { initSync, type BackendChoice } from '../index';

/** The command line is wrong: exit status 2, with a pointer to `--help`. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Something failed while running a valid command (unreadable input, rejected data, I/O): exit 1. */
export class RuntimeFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeFailure';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type Options = ParseArgsConfig['options'];
export type Values = Record<string, string | boolean | undefined>;

/** Parses `argv` against `options`; unknown options and missing values are usage errors. */
export function parse(command: string, argv: string[], options: NonNullable<Options>, allowPositionals = false): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals });
    return { values: values as Values, positionals };
  } catch (e) {
    const message = (e as Error).message
      // node's wording for a value starting with '-' ("argument is ambiguous…") is long; keep its advice.
      .replace(/^Unexpected argument '(.*)'\. This command does not take positional arguments$/, "unexpected argument '$1'");
    throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1), command);
  }
}

function raw(command: string, values: Values, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a value`, command);
  return v;
}

export function stringOption(command: string, values: Values, name: string): string | undefined {
  return raw(command, values, name);
}

export function requiredString(command: string, values: Values, name: string, what: string): string {
  const v = raw(command, values, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required (${what})`, command);
  return v;
}

/** A finite number option. */
export function numberOption(command: string, values: Values, name: string): number | undefined {
  const v = raw(command, values, name);
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, received '${v}'`, command);
  return n;
}

/** An integer option (any sign). */
export function integerOption(command: string, values: Values, name: string): number | undefined {
  const v = raw(command, values, name);
  if (v === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new UsageError(`--${name} must be an integer, received '${v}'`, command);
  return Number(v);
}

/** A comma- (or space-) separated list of integers. */
export function integerList(command: string, name: string, text: string): number[] {
  const parts = text.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0) throw new UsageError(`--${name} must be a comma-separated list of integers, received '${text}'`, command);
  return parts.map((s) => {
    if (!/^[+-]?\d+$/.test(s)) throw new UsageError(`--${name} must be a comma-separated list of integers; '${s}' is not an integer`, command);
    return Number(s);
  });
}

/** A comma-separated list of numbers. */
export function numberList(command: string, name: string, text: string): number[] {
  const parts = text.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0) throw new UsageError(`--${name} must be a comma-separated list of numbers, received '${text}'`, command);
  return parts.map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a comma-separated list of numbers; '${s}' is not a number`, command);
    return n;
  });
}

export function choice<T extends string>(command: string, values: Values, name: string, allowed: readonly T[], fallback: T): T {
  const v = raw(command, values, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; received '${v}'`, command);
  return v as T;
}

/** The --backend option (default: $LABELSMOOTH_BACKEND, else 'auto'), loaded before any computation. */
export const backendOption = { backend: { type: 'string' } } as const;

/** What --backend takes: initSync's `backend` choices. Where the engine lacks the one asked for
 * (relaxed-simd in Node 20 without V8's flag), initSync's error is the message (exit 1). */
const BACKEND_CHOICES = ['auto', 'relaxed-simd', 'simd128', 'scalar'];

export function selectBackend(command: string, values: Values): void {
  const fromEnv = process.env.LABELSMOOTH_BACKEND;
  const wanted = raw(command, values, 'backend') ?? (fromEnv === undefined || fromEnv === '' ? 'auto' : fromEnv);
  if (!BACKEND_CHOICES.includes(wanted)) {
    const source = values.backend === undefined ? `$LABELSMOOTH_BACKEND` : '--backend';
    throw new UsageError(`${source} must be one of ${BACKEND_CHOICES.join(', ')}; received '${wanted}'`, command);
  }
  try {
    initSync({ backend: wanted as BackendChoice });
  } catch (e) {
    throw new RuntimeFailure(`could not load the ${wanted} build: ${(e as Error).message}`);
  }
}
