// Checks what fixtures/smoke-core.mjs reports, in any runtime, against the framework vectors.
import { expect } from 'vitest';
import { expectClose, loadVectors } from '../helpers/vectors';

const seed = loadVectors('annotated_transformer').cases.find((c) => c.id === 'seed_blog_example_2018')!;
const ce = loadVectors('torch_cross_entropy').cases.find((c) => c.id === 'base_eps0.1_mean')!;

interface Build {
  active: string;
  seedTargets: number[];
  seedLoss: number;
  ceLoss: number;
  ceGrad: number[];
  fromWasmArray: number;
  error: { name: string; message: string } | null;
}

export interface SmokeResults {
  failed?: string;
  defaultBackend: string;
  simd128Supported: boolean;
  relaxedSimdSupported: boolean;
  automatic: { backend: string; fallback: string | null } | null;
  builds: Partial<Record<'relaxed-simd' | 'simd128' | 'scalar', Build>>;
}

/** What an engine runs and which build it gets automatically (packages/labelsmooth/src/automatic-backend.ts). */
export interface Engine {
  auto: 'relaxed-simd' | 'simd128';
  /** Whether it runs the relaxed-simd build (relaxedSimdSupported()). */
  relaxedSimd: boolean;
  /** automaticBackend().fallback: why the automatic choice is not relaxed-simd. */
  fallback: RegExp | null;
}

/** Relaxed SIMD on by default, not JavaScriptCore: Chromium, Deno, Node ≥ 21 (and Node 20 with V8's flag). */
export const relaxedEngine: Engine = { auto: 'relaxed-simd', relaxedSimd: true, fallback: null };
/** Bun: runs relaxed-simd, but slower than simd128, so gets simd128 automatically. */
export const javaScriptCore: Engine = { auto: 'simd128', relaxedSimd: true, fallback: /^relaxed-simd runs in JavaScriptCore \(Bun, Safari\), but slower there than simd128/ };
/** Node 20, which refuses relaxed modules without V8's flag. */
export const noRelaxedSimd: Engine = { auto: 'simd128', relaxedSimd: false, fallback: /^this engine does not run WebAssembly relaxed SIMD/ };

/** The Node running this file. */
export const nodeEngine: Engine = Number(process.versions.node.split('.')[0]) >= 21 ? relaxedEngine : noRelaxedSimd;

export function expectSmoke(raw: string | SmokeResults, engine: Engine = relaxedEngine): SmokeResults {
  const r = (typeof raw === 'string' ? JSON.parse(raw) : raw) as SmokeResults;
  expect(r.failed, 'the page or script failed').toBeUndefined();
  expect(r.simd128Supported).toBe(true);
  expect(r.relaxedSimdSupported).toBe(engine.relaxedSimd);
  expect(r.defaultBackend).toBe(engine.auto);
  expect(r.automatic).toEqual({ backend: engine.auto, fallback: engine.fallback ? expect.stringMatching(engine.fallback) : null });
  const backends = engine.relaxedSimd ? (['relaxed-simd', 'simd128', 'scalar'] as const) : (['simd128', 'scalar'] as const);
  expect(Object.keys(r.builds)).toEqual([...backends]);
  for (const backend of backends) {
    const b = r.builds[backend]!;
    expect(b.active).toBe(backend);
    expectClose(b.seedTargets, seed.outputs!.true_dist, undefined, `${backend} seed true_dist`);
    expectClose(b.seedLoss, seed.outputs!.loss as number, undefined, `${backend} seed loss`);
    expectClose(b.ceLoss, ce.outputs!.loss as number, undefined, `${backend} cross-entropy`);
    expectClose(b.ceGrad, ce.outputs!.grad_logits, undefined, `${backend} gradient`);
    expectClose(b.fromWasmArray, ce.outputs!.loss as number, undefined, `${backend} WasmArray input`);
    expect(b.error?.name).toBe('RangeError');
    expect(b.error?.message).toMatch(/target\[0\] must be a class index in \[0, 5\)/);
  }
  return r;
}
