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
  builds: Partial<Record<'relaxed-simd' | 'simd128' | 'scalar', Build>>;
}

/**
 * The build the engine gets automatically: relaxed-simd where relaxed SIMD is on by default
 * (Chromium, Deno, Bun, Node ≥ 21), simd128 in Node 20 (which refuses relaxed modules without
 * V8's flag).
 */
export type AutoBackend = 'relaxed-simd' | 'simd128';

/** The automatic choice of the Node running this file. */
export const nodeAuto: AutoBackend = Number(process.versions.node.split('.')[0]) >= 21 ? 'relaxed-simd' : 'simd128';

export function expectSmoke(raw: string | SmokeResults, auto: AutoBackend = 'relaxed-simd'): SmokeResults {
  const r = (typeof raw === 'string' ? JSON.parse(raw) : raw) as SmokeResults;
  expect(r.failed, 'the page or script failed').toBeUndefined();
  expect(r.simd128Supported).toBe(true);
  expect(r.relaxedSimdSupported).toBe(auto === 'relaxed-simd');
  expect(r.defaultBackend).toBe(auto);
  const backends = auto === 'relaxed-simd' ? (['relaxed-simd', 'simd128', 'scalar'] as const) : (['simd128', 'scalar'] as const);
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
