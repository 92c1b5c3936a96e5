// Float32 buffers that live in wasm memory, so that repeated large calls copy nothing: pass a
// WasmArray wherever a Float32Array is accepted (inputs, gradOut) and the kernel reads or writes
// it where it is.
import { allocate, type Block } from './memory';
import { kernels } from './runtime';
import type { WasmExports } from './wasm-interface.generated';
import { describe } from './validate';

interface State {
  k: WasmExports;
  block: Block;
  length: number;
  freed: boolean;
}

const states = new WeakMap<WasmArray, State>();
// The safety net for arrays nobody freed; `free()` unregisters, so nothing is freed twice.
const registry = new FinalizationRegistry<{ k: WasmExports; block: Block }>(({ k, block }) => k.dealloc(block.ptr, block.bytes));
/**
 * The type of `Symbol.dispose` where the compiling project's lib declares it (TypeScript's
 * esnext.disposable, @types/node, Deno), so that `using a = allocFloat32(n)` type-checks there;
 * `never` where it does not (lib es2022 alone), so that the declarations still compile.
 */
type DisposeSymbol = SymbolConstructor extends { readonly dispose: infer S extends symbol } ? S : never;
const disposeSymbol: DisposeSymbol = Symbol.dispose ?? (Symbol.for('Symbol.dispose') as DisposeSymbol);

/** A Float32 array in wasm memory. Create it with `allocFloat32(length)`. */
export class WasmArray {
  /** Use `allocFloat32(length)`. */
  private constructor(state: State) {
    states.set(this, state);
    registry.register(this, { k: state.k, block: state.block }, this);
  }

  /** @internal */
  static create(state: State): WasmArray {
    return new WasmArray(state);
  }

  /** The number of float32 values. */
  get length(): number {
    return states.get(this)!.length;
  }

  /**
   * A fresh Float32Array over the values in wasm memory: read and write through it. It is valid
   * until the next labelsmooth call (which may grow memory and detach it): take a new one after.
   */
  get view(): Float32Array {
    const s = live(this, 'WasmArray.view');
    return new Float32Array(s.k.memory.buffer, s.block.ptr, s.length);
  }

  /** Whether `free()` was called. */
  get freed(): boolean {
    return states.get(this)!.freed;
  }

  /** Returns the memory to labelsmooth. Using the array afterwards throws; freeing twice is harmless. */
  free(): void {
    const s = states.get(this)!;
    if (s.freed) return;
    s.freed = true;
    registry.unregister(this);
    s.k.dealloc(s.block.ptr, s.block.bytes);
  }

  [disposeSymbol](): void {
    this.free();
  }
}

function live(array: WasmArray, where: string): State {
  const s = states.get(array)!;
  if (s.freed) throw new TypeError(`${where}: the WasmArray was freed`);
  return s;
}

/** Allocates a zero-filled Float32 array of `length` values in wasm memory. */
export function allocFloat32(length: number): WasmArray {
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    const message = `allocFloat32: length must be a non-negative integer, received ${describe(length)}`;
    throw typeof length === 'number' ? new RangeError(message) : new TypeError(message);
  }
  const k = kernels();
  const block = allocate(k, length * 4, 'allocFloat32');
  new Float32Array(k.memory.buffer, block.ptr, length).fill(0);
  return WasmArray.create({ k, block, length, freed: false });
}

/**
 * Where a WasmArray argument lives, checked for use with the active build: `where`/`what` name
 * the argument in errors.
 */
export function wasmArrayBlock(array: WasmArray, k: WasmExports, where: string, what: string): { ptr: number; length: number } {
  const s = states.get(array);
  if (!s) throw new TypeError(`${where}: ${what} is not a WasmArray made by allocFloat32`);
  if (s.freed) throw new TypeError(`${where}: ${what} is a WasmArray that was freed`);
  if (s.k !== k) {
    throw new TypeError(`${where}: ${what} is a WasmArray of another wasm build (allocate it after choosing the backend)`);
  }
  return { ptr: s.block.ptr, length: s.length };
}
