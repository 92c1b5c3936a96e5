// The typed errors of the core functions, under the name of the tfjs function the user called.
// The core checks labelSmoothing, reduction and the sparse options (one rule per kind of input,
// in validate.ts and conventions.ts); this only renames the function, and for the tfjs-style
// functions, whose labelSmoothing and reduction are positional arguments, drops `options.`.

/**
 * Runs `fn`, a call of the core function `core`, so that a TypeError or RangeError it throws
 * names `where` instead; with `positional`, an `options.x` at the start of the message is `x`.
 */
export function asCaller<T>(where: string, core: string, fn: () => T, positional: boolean): T {
  try {
    return fn();
  } catch (e) {
    const prefix = `${core}: `;
    if (!(e instanceof TypeError || e instanceof RangeError) || !e.message.startsWith(prefix)) throw e;
    let rest = e.message.slice(prefix.length);
    if (positional) rest = rest.replace(/^options\./, '');
    throw e instanceof RangeError ? new RangeError(`${where}: ${rest}`) : new TypeError(`${where}: ${rest}`);
  }
}
