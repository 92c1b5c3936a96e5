// The typed errors of the core functions, under the names the user called them by. The core
// checks labelSmoothing, reduction, the targets and the sparse options (one rule per kind of
// input, in validate.ts and conventions.ts); this renames the function, and the argument where
// the tfjs function calls it otherwise: the tfjs-style functions take labelSmoothing and reduction
// as positional arguments (`options.x` is `x`), the sparse ones their targets as `labels` or
// `yTrue` (the core's `target`).

/** How an argument the core names at the start of its message is named here. */
export type ArgumentName = [core: RegExp, here: string];

export const POSITIONAL: ArgumentName = [/^options\./, ''];

/**
 * Runs `fn`, a call of the core function `core`, so that a TypeError or RangeError it throws
 * names `where` instead, and the argument as `argument` says.
 */
export function asCaller<T>(where: string, core: string, fn: () => T, argument: ArgumentName): T {
  try {
    return fn();
  } catch (e) {
    const prefix = `${core}: `;
    if (!(e instanceof TypeError || e instanceof RangeError) || !e.message.startsWith(prefix)) throw e;
    let rest = e.message.slice(prefix.length);
    rest = rest.replace(argument[0], argument[1]);
    throw e instanceof RangeError ? new RangeError(`${where}: ${rest}`) : new TypeError(`${where}: ${rest}`);
  }
}
