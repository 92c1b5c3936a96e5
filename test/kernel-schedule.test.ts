// The instruction order of the gradient exp passes in the built wasm (no timing: the speed itself
// is measured by bench/bench.mjs). V8 keeps the wasm order of loads and stores and schedules
// the arithmetic between them, so a block loop written "load four vectors, four exps, store
// four" must reach the wasm in that order: if the loads are sunk to their uses (load, exp,
// store, ×4), V8 emits the four exps one after another, and in place ran 1.16–1.3× slower than
// with a separate gradient on an AMD EPYC (the why and the fix: `blocks_loads_first` in
// crates/kernels/src/row_io.rs). Checked on the build of the vitest project.
import binaryen from 'binaryen';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const build = process.env.LABELSMOOTH_BACKEND === 'scalar' ? 'scalar' : 'simd128';
/** The value type of one kernel vector in this build, and its multiply. */
const { type, mul } = build === 'simd128' ? { type: 'v128', mul: 'f32x4.mul' } : { type: 'f32', mul: 'f32.mul' };
/** The exports whose gradient exp passes are compiled as one loop of four vectors. (The scalar
 * cross_entropy exp pass compiles to a different loop shape, with no four-store block loop.) */
const EXPORTS = build === 'simd128' ? ['cross_entropy', 'soft_cross_entropy'] : ['soft_cross_entropy'];

interface BlockLoop {
  at: number;
  loads: number;
  loadsBeforeFirstStore: number;
}

/**
 * The innermost loops that store four vectors and hold at least four exps (the exp of one vector
 * is 11 multiplies: 5 for the reduction and the scaling, 6 for the polynomial; see
 * crates/kernels/src/exp.rs), the block loops of the gradient exp passes, per export: those of
 * every function the export reaches through calls (a kernel the linear head shares with
 * cross_entropy is a function of its own that both call).
 */
function gradientBlockLoops(wasm: Uint8Array): Map<string, BlockLoop[]> {
  const module = binaryen.readBinary(wasm);
  // Stack IR text: one instruction per line, in execution order.
  const text = module.emitStackIR();
  module.dispose();
  const exportOf = new Map([...text.matchAll(/\(export "(\w+)" \(func \$(\w+)\)\)/g)].map((m) => [m[2], m[1]]));
  const loopsOf = new Map<string, BlockLoop[]>();
  const callees = new Map<string, string[]>();
  for (const func of text.split(/\n \(func /).slice(1)) {
    const id = func.match(/^\$(\w+)/)![1];
    const lines = func.split('\n').map((l) => l.trim().split(' '));
    const ops = lines.map((l) => l[0]);
    callees.set(id, lines.filter((l) => l[0] === 'call').map((l) => l[1].slice(1)));
    const found: BlockLoop[] = [];
    const open: { op: string; start: number; hasInnerLoop: boolean }[] = [];
    ops.forEach((op, i) => {
      if (op === 'block' || op === 'if' || op === 'loop') open.push({ op, start: i, hasInnerLoop: false });
      if (op !== 'end') return;
      const b = open.pop()!;
      if (b.op !== 'loop') return;
      for (const o of open) o.hasInnerLoop = true;
      if (b.hasInnerLoop) return;
      const body = ops.slice(b.start, i);
      const count = (what: string, list = body) => list.filter((o) => o === what).length;
      if (count(`${type}.store`) !== 4 || count(mul) < 4 * 11) return;
      const firstStore = body.indexOf(`${type}.store`);
      found.push({ at: b.start, loads: count(`${type}.load`), loadsBeforeFirstStore: count(`${type}.load`, body.slice(0, firstStore)) });
    });
    loopsOf.set(id, found);
  }
  const out = new Map<string, BlockLoop[]>();
  for (const [id, name] of exportOf) {
    const seen = new Set<string>([id]);
    for (const f of seen) for (const c of callees.get(f) ?? []) seen.add(c);
    out.set(name, [...seen].flatMap((f) => loopsOf.get(f) ?? []));
  }
  return out;
}

describe(`gradient exp passes of the ${build} build`, () => {
  const loops = gradientBlockLoops(readFileSync(`packages/labelsmooth/dist/labelsmooth-${build}.wasm`));

  it.each(EXPORTS)('%s: every block loop loads its four vectors before its first store', (name) => {
    const found = loops.get(name) ?? [];
    // Separate and in-place gradients, with and without weights (soft CE: per-class weights or not).
    expect(found.length).toBeGreaterThanOrEqual(4);
    for (const loop of found) {
      expect(loop.loadsBeforeFirstStore, `loop at instruction ${loop.at} of ${name}: loads before the first store`).toBeGreaterThanOrEqual(4);
    }
  });
});
