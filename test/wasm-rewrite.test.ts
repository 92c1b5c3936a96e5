// scripts/lib/wasm-rewrite.mjs: the relaxed-simd build's compare-and-select max and min written as
// f32x4.pmax/pmin (scripts/build.sh) must give the same bits for every pair of lanes, NaN and ±0
// included, and must leave alone every select it cannot prove to be one.
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { count, moduleBytes, moduleText, pmaxFromSelects } from '../scripts/lib/wasm-rewrite.mjs';

// max(x, y) and min(x, y) of two vectors in memory as the relaxed build computes them: a compare and
// a select; `swapped` evaluates a local write in the first operand that the second reads.
const source = `(module
  (memory (export "memory") 1)
  (func (export "max") (param $a i32) (param $b i32) (param $o i32) (local $x v128) (local $y v128)
    (local.set $y (v128.load (local.get $b)))
    (v128.store (local.get $o) (v128.bitselect (local.tee $x (v128.load (local.get $a))) (local.get $y) (f32x4.lt (local.get $y) (local.get $x)))))
  (func (export "min") (param $a i32) (param $b i32) (param $o i32) (local $x v128) (local $y v128)
    (local.set $y (v128.load (local.get $b)))
    (v128.store (local.get $o) (v128.bitselect (local.tee $x (v128.load (local.get $a))) (local.get $y) (f32x4.lt (local.get $x) (local.get $y)))))
  (func (export "swapped") (param $a i32) (param $b i32) (param $o i32) (local $x v128) (local $y v128)
    (local.set $y (v128.load (local.get $b)))
    (v128.store (local.get $o) (v128.bitselect (local.tee $y (v128.load (local.get $a))) (local.get $y) (f32x4.lt (local.get $y) (local.get $y)))))
  (func (export "other") (param $a i32) (param $b i32) (param $o i32) (local $x v128) (local $y v128)
    (local.set $y (v128.load (local.get $b)))
    (v128.store (local.get $o) (v128.bitselect (local.tee $x (v128.load (local.get $a))) (local.get $y) (f32x4.le (local.get $y) (local.get $x))))))`;

function compiled(): Uint8Array {
  const module = binaryen.parseText(source);
  module.setFeatures(binaryen.Features.All);
  const bytes = module.emitBinary();
  module.dispose();
  return bytes;
}

const lanes = [NaN, -NaN, 0, -0, 1, -1, 2.5, Infinity, -Infinity, 1e-45, -3.4e38];

function run(bytes: Uint8Array, name: string, a: number[], b: number[]): Uint32Array {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource)) as unknown as {
    exports: Record<string, (a: number, b: number, o: number) => void> & { memory: WebAssembly.Memory };
  };
  const f32 = new Float32Array(exports.memory.buffer);
  f32.set(a, 0);
  f32.set(b, 4);
  exports[name](0, 16, 32);
  return new Uint32Array(exports.memory.buffer, 32, 4).slice();
}

describe('the relaxed-simd build\'s max and min as pmax/pmin (scripts/lib/wasm-rewrite.mjs)', () => {
  const original = compiled();
  const text = pmaxFromSelects(moduleText(original));
  const rewritten = moduleBytes(text, 'test');

  it('takes the max and the min, and leaves a select whose operands it cannot reorder and a select on another compare', () => {
    expect(count(text, 'f32x4.pmax')).toBe(1);
    expect(count(text, 'f32x4.pmin')).toBe(1);
    expect(count(text, 'v128.bitselect')).toBe(2);
    expect(count(moduleText(original), 'f32x4.pmax')).toBe(0);
  });

  it('gives the same bits as the compare and select for every pair of lanes, NaN and ±0 included', () => {
    let pairs = 0;
    for (const name of ['max', 'min', 'swapped', 'other']) {
      for (let i = 0; i < lanes.length; i += 4) {
        for (const y of lanes) {
          const a = [0, 1, 2, 3].map((k) => lanes[(i + k) % lanes.length]);
          const b = [y, y, y, y];
          expect(run(rewritten, name, a, b), `${name}(${a}, ${y})`).toEqual(run(original, name, a, b));
          expect(run(rewritten, name, b, a), `${name}(${y}, ${a})`).toEqual(run(original, name, b, a));
          pairs += 8;
        }
      }
    }
    expect(pairs).toBe(4 * 3 * lanes.length * 8);
  });
});
