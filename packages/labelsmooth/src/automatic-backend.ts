// Which build `backend: 'auto'` (or no backend) loads in this engine, and why it is not
// relaxed-simd when it is not. The one place of that rule: runtime.ts loads what it says, and
// automaticBackend() tells the user.
import { engineSupportsRelaxedSimd } from './relaxed-simd-probe';
import { engineSupportsSimd128 } from './simd-probe';
import type { Backend } from './host-types';

/** What the automatic choice depends on. */
export interface EngineFacts {
  /** The engine validates the SIMD128 probe (simd-probe.ts). */
  readonly simd128: boolean;
  /** The engine validates the relaxed-SIMD probe (relaxed-simd-probe.ts): it can run relaxed-simd. */
  readonly relaxedSimd: boolean;
  /** The engine is JavaScriptCore (Bun; Safari and every iOS browser). */
  readonly javaScriptCore: boolean;
}

/** The build `'auto'` loads in this engine, and why it is not relaxed-simd. */
export interface AutomaticBackend {
  readonly backend: Backend;
  /** Why `'auto'` passes over relaxed-simd here; `null` when it takes it. */
  readonly fallback: string | null;
}

// JavaScriptCore runs the relaxed-simd build slower than the simd128 one (bench/README.md, "Relaxed
// SIMD per engine": fwd+grad 0.82-0.84x in Bun on x86-64): it compiles `relaxed_madd` as a multiply
// and an add, and the build's NaN-keeping max and min as a compare and a three-instruction select.
const JAVASCRIPTCORE =
  "relaxed-simd runs in JavaScriptCore (Bun, Safari), but slower there than simd128 (it has no fused multiply-add for it); backend: 'relaxed-simd' still loads it";
const NO_RELAXED_SIMD = 'this engine does not run WebAssembly relaxed SIMD (Node 20 runs it with --experimental-wasm-relaxed-simd)';
const NO_SIMD = 'this engine does not run WebAssembly SIMD';

/** The rule: relaxed-simd where the engine runs it and is not JavaScriptCore, else simd128, else scalar. */
export function chooseBackend(facts: EngineFacts): AutomaticBackend {
  if (facts.relaxedSimd && !facts.javaScriptCore) return { backend: 'relaxed-simd', fallback: null };
  if (facts.simd128 || facts.relaxedSimd) return { backend: 'simd128', fallback: facts.relaxedSimd ? JAVASCRIPTCORE : NO_RELAXED_SIMD };
  return { backend: 'scalar', fallback: NO_SIMD };
}

/**
 * Whether this engine is JavaScriptCore. Its errors carry their own `line`, `column` and
 * `sourceURL` (V8's and SpiderMonkey's do not: SpiderMonkey names them `lineNumber`,
 * `columnNumber`, `fileName`): checked in Bun and in WebKitGTK's jsc shell (bench/README.md,
 * "Relaxed SIMD per engine"); `globalThis.Bun` names Bun directly. No user agent string is read:
 * every iOS browser is JavaScriptCore whatever it calls itself.
 */
export function engineIsJavaScriptCore(): boolean {
  return (globalThis as { Bun?: unknown }).Bun !== undefined || Object.prototype.hasOwnProperty.call(new Error(), 'sourceURL');
}

/** The facts of the engine running this code. */
export function engineFacts(): EngineFacts {
  return { simd128: engineSupportsSimd128(), relaxedSimd: engineSupportsRelaxedSimd(), javaScriptCore: engineIsJavaScriptCore() };
}
