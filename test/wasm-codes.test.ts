// The codes the TypeScript layer passes to the wasm exports (convention, reduction, scale kind):
// an unknown code is refused with a status of its own and nothing written, never read as a
// default (crates/wasm/src/lib.rs INVALID_CONVENTION, INVALID_CODE). Both raw builds.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const INVALID_CONVENTION = 4;
const INVALID_CODE = 5;

interface Raw {
  memory: { buffer: ArrayBuffer };
  alloc(bytes: number): number;
  cross_entropy(...args: number[]): number;
  sigmoid_cross_entropy(...args: number[]): number;
  kl_div(x: number, t: number, n: number, k: number, logTarget: boolean, ...rest: number[]): number;
}

async function load(flavour: 'simd128' | 'scalar'): Promise<Raw> {
  const dir = path.join(root, 'packages/labelsmooth/wasm', flavour);
  const glue = await import(path.join(dir, 'labelsmooth_wasm.js'));
  return glue.initSync({ module: readFileSync(path.join(dir, 'labelsmooth_wasm_bg.wasm')) }) as Raw;
}

describe.each(['simd128', 'scalar'] as const)('the %s build', (flavour) => {
  it('refuses unknown convention, reduction and scale-kind codes before writing anything', async () => {
    const w = await load(flavour);
    const [n, k] = [2, 3];
    const [x, y, t, out, grad] = [n * k, n * k, n, n * k, n * k].map((len) => w.alloc(4 * len));
    const f32 = (ptr: number, len: number) => new Float32Array(w.memory.buffer, ptr, len);
    f32(x, n * k).set([0.5, -1, 2, 1, 0, -0.5]);
    f32(y, n * k).set([0.2, 0.3, 0.5, 0.1, 0.6, 0.3]);
    new Int32Array(w.memory.buffer, t, n).set([2, 0]);
    const untouched = () => {
      f32(out, n * k).fill(7);
      f32(grad, n * k).fill(7);
    };
    const stillUntouched = () => f32(out, n * k).every((v) => v === 7) && f32(grad, n * k).every((v) => v === 7);
    // cross_entropy(logits, targets, n, k, convention, padding, ε, ignore, weights, zLoss, reduction, upstreamPtr, upstream, perRow, grad)
    const ce = (convention: number, reduction: number) => w.cross_entropy(x, t, n, k, convention, 0, 0.1, -100, 0, 0, reduction, 0, 1, out, grad);
    // sigmoid_cross_entropy(logits, labels, n, k, ε, kind, scalePtr, scale, losses, grad); kl_div(input, target, n, k, logTarget, kind, scalePtr, scale, terms, grad)
    const sig = (kind: number) => w.sigmoid_cross_entropy(x, y, n, k, 0.1, kind, 0, 1, out, grad);
    const kl = (kind: number) => w.kl_div(x, y, n, k, false, kind, 0, 1, out, grad);
    for (const [call, status] of [
      [() => ce(3, 2), INVALID_CONVENTION],
      [() => ce(0, 3), INVALID_CODE],
      [() => ce(0, 0xffffffff), INVALID_CODE],
      [() => sig(3), INVALID_CODE],
      [() => kl(3), INVALID_CODE],
    ] as const) {
      untouched();
      expect(call()).toBe(status);
      expect(stillUntouched()).toBe(true);
    }
    // The known codes still run.
    for (const call of [() => ce(0, 0), () => ce(1, 1), () => ce(0, 2), () => sig(0), () => kl(0)]) {
      untouched();
      expect(call()).toBe(0);
      expect(stillUntouched()).toBe(false);
    }
  });
});
