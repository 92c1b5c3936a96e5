// Turns a kernel export's refusal into the error the caller should see. The codes and the Refusal
// record come from crates/abi/src/interface.rs through wasm-interface.generated.ts.
import { Status, type Refusal } from './wasm-interface.generated';

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

/**
 * The error for a status other than `ok`. Only a bad target is the caller's input: the package
 * checks shapes, ε and every code before it calls, so the other refusals mean a labelsmooth bug
 * (or a module from another version), said as such.
 */
export function kernelError(status: Status, refusal: Refusal, ctx: TargetContext): Error {
  const bug = 'this is a labelsmooth bug';
  switch (status) {
    case Status.ok:
      return new Error(`${ctx.where}: a kernel reported success as an error; ${bug}`);
    case Status.targetOutOfRange:
      return targetOutOfRange(ctx, refusal.first, refusal.second);
    case Status.lengthMismatch:
      return new RangeError(`${ctx.where}: internal length mismatch (expected ${refusal.first}, received ${refusal.second}); ${bug}`);
    case Status.invalidSmoothing:
      return new RangeError(`${ctx.where}: the kernel refused the smoothing parameters; ${bug}`);
    case Status.invalidCode:
      return new Error(`${ctx.where}: the kernel does not know code ${refusal.first}; ${bug}`);
    default: {
      const unknown: never = status;
      return new Error(`${ctx.where}: the kernel returned status ${String(unknown)}, which this package does not know; ${bug}`);
    }
  }
}
