// Turns a kernel's status code into the error the caller should see (crates/wasm/src/lib.rs).
import type { KernelExports } from './runtime-types';

export interface TargetContext {
  where: string;
  what: string;
  numClasses: number;
  /** The ignore index, when the function has one (`LabelSmoothing` has none). */
  ignoreIndex?: number;
}

/** The error for a target that is neither a class nor the ignore index. */
export function targetOutOfRange(ctx: TargetContext, row: number, value: number): RangeError {
  const orIgnored = ctx.ignoreIndex === undefined ? '' : ` or ignoreIndex (${ctx.ignoreIndex})`;
  return new RangeError(`${ctx.where}: ${ctx.what}[${row}] must be a class index in [0, ${ctx.numClasses})${orIgnored}, received ${value}`);
}

export function checkStatus(k: KernelExports, status: number, ctx: TargetContext): void {
  if (status === 0) return;
  if (status === 1) throw targetOutOfRange(ctx, k.last_error(0), k.last_error(1));
  if (status === 2) {
    throw new RangeError(`${ctx.where}: internal length mismatch (expected ${k.last_error(0)}, received ${k.last_error(1)})`);
  }
  throw new Error(`${ctx.where}: the kernel refused its parameters (status ${status}); this is a labelsmooth bug`);
}
