// The wasm interface is defined once (crates/abi/src/interface.rs) and its TypeScript side is
// generated (packages/labelsmooth/src/wasm-interface.generated.ts). crates/abi's own test checks the
// committed file against the Rust description; these check the other half: that each built module
// is what the generated file describes (fingerprint, exports, codes), and that the loader refuses
// a module built from another interface.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { initSync, backend as activeBackend } from 'labelsmooth';
import {
  BackendCode,
  crossEntropyKernel,
  frameBytes,
  INTERFACE_FINGERPRINT,
  invokeKernel,
  klDivKernel,
  sigmoidCrossEntropyKernel,
  Status,
  type KernelExportName,
  type KernelExportSpec,
  type WasmExports,
} from '../packages/labelsmooth/src/wasm-interface.generated';

const root = path.resolve(__dirname, '..');
const KERNEL_EXPORTS: Record<KernelExportName, true> = {
  smooth_targets: true,
  cross_entropy: true,
  cross_entropy_denominator: true,
  soft_cross_entropy: true,
  sigmoid_cross_entropy: true,
  kl_div: true,
  label_smoothing_kl: true,
  target_entropy: true,
  exp_map: true,
  exp_sum: true,
  log_sum: true,
  softplus_sum: true,
  linear_cross_entropy: true,
  weighted_denominator: true,
  linear_scratch_len: true,
  gemm: true,
};

async function load(backend: 'simd128' | 'scalar'): Promise<WasmExports> {
  const dir = path.join(root, 'packages/labelsmooth/wasm', backend);
  const glue = await import(path.join(dir, 'labelsmooth_wasm.js'));
  return glue.initSync({ module: readFileSync(path.join(dir, 'labelsmooth_wasm_bg.wasm')) }) as WasmExports;
}

describe.each(['simd128', 'scalar'] as const)('the %s build', (backend) => {
  it('carries the fingerprint of the generated interface and names its own build', async () => {
    const w = await load(backend);
    expect((w.interface_fingerprint() >>> 0).toString(16)).toBe(INTERFACE_FINGERPRINT.toString(16));
    expect(w.backend()).toBe(BackendCode[backend]);
  });

  it('exports every kernel of the interface as name(call, outcome)', async () => {
    const w = (await load(backend)) as unknown as Record<string, unknown>;
    for (const name of Object.keys(KERNEL_EXPORTS)) {
      expect(typeof w[name], name).toBe('function');
      expect((w[name] as (...args: number[]) => number).length, name).toBe(2);
    }
  });

  it('refuses every unknown code with invalidCode, naming the value, before it writes anything', async () => {
    const w = await load(backend);
    const [n, k] = [2, 3];
    const [x, y, t, out, grad] = [n * k, n * k, n, n * k, n * k].map((len) => w.alloc(4 * len));
    const f32 = (ptr: number) => new Float32Array(w.memory.buffer, ptr, n * k);
    f32(x).set([0.5, -1, 2, 1, 0, -0.5]);
    f32(y).set([0.2, 0.3, 0.5, 0.1, 0.6, 0.3]);
    new Int32Array(w.memory.buffer, t, n).set([2, 0]);
    const smoothing = { numClasses: k, convention: 0, paddingIdx: 0, ignoreIndex: -100, epsilon: 0.1 };
    const ce = (convention: number) => ({
      smoothing: { ...smoothing, convention },
      logits: x,
      targets: t,
      numRows: n,
      classWeights: 0,
      zLoss: 0,
      upstreamPerRow: 0,
      gradScale: 1,
      perRowLosses: out,
      grad,
    });
    const sig = (scaleKind: number) => ({ logits: x, labels: y, numRows: n, numClasses: k, epsilon: 0.1, scaleKind, scaleValues: 0, scale: 1, losses: out, grad });
    const kl = (targetForm: number, scaleKind: number) => ({ input: x, target: y, numRows: n, numClasses: k, targetForm, scaleKind, scaleValues: 0, scale: 1, terms: out, grad });
    const frame = w.alloc(256);
    const run = <C, R>(spec: KernelExportSpec<C, R>, call: C) => {
      expect(frameBytes(spec)).toBeLessThanOrEqual(256);
      f32(out).fill(7);
      f32(grad).fill(7);
      const outcome = invokeKernel(w, spec, frame, call as never);
      const untouched = f32(out).every((v) => v === 7) && f32(grad).every((v) => v === 7);
      return { outcome, untouched };
    };
    const refused: Array<[() => ReturnType<typeof run>, number]> = [
      [() => run(crossEntropyKernel, ce(3)), 3],
      [() => run(crossEntropyKernel, ce(0xffffffff)), 0xffffffff],
      [() => run(sigmoidCrossEntropyKernel, sig(3)), 3],
      [() => run(klDivKernel, kl(0, 3)), 3],
      [() => run(klDivKernel, kl(2, 0)), 2],
    ];
    for (const [call, value] of refused) {
      const { outcome, untouched } = call();
      expect(outcome.status).toBe(Status.invalidCode);
      expect(outcome.status !== Status.ok && outcome.refusal.first).toBe(value);
      expect(untouched).toBe(true);
    }
    // The known codes run and write.
    const known = [
      () => run(crossEntropyKernel, ce(0)),
      () => run(crossEntropyKernel, ce(1)),
      () => run(crossEntropyKernel, ce(2)),
      () => run(sigmoidCrossEntropyKernel, sig(0)),
      () => run(klDivKernel, kl(1, 0)),
    ];
    for (const call of known) {
      const { outcome, untouched } = call();
      expect(outcome.status).toBe(Status.ok);
      expect(untouched).toBe(false);
    }
  });
});

describe('the loader', () => {
  it('refuses a module built from another interface, and keeps serving calls with the build it had', () => {
    const before = activeBackend();
    // A wasm-bindgen module (its glue calls __wbindgen_start) with the exports the loader reads
    // first, and the fingerprint of another interface.
    const forged = binaryen.parseText(`(module
      (memory (export "memory") 1)
      (func (export "__wbindgen_start"))
      (func (export "interface_fingerprint") (result i32) (i32.const ${(INTERFACE_FINGERPRINT ^ 1) | 0}))
      (func (export "backend") (result i32) (i32.const ${BackendCode.scalar})))`);
    const bytes = forged.emitBinary();
    forged.dispose();
    expect(() => initSync({ backend: 'scalar', module: bytes })).toThrow(/built from another interface/);
    expect(activeBackend()).toBe(before);
  });
});
