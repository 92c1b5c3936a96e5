// Type-checked, never run: uses the public API the way a consumer's code would, so that the
// package's declarations are compiled under the consumer's own lib and module settings
// (tsconfig.node.json, tsconfig.dom.json, and `deno check`). See test/runtimes/types.test.ts.
import {
  allocFloat32,
  backend,
  crossEntropy,
  crossEntropyWithGrad,
  init,
  initSync,
  klDiv,
  LabelSmoothing,
  renderHeatmap,
  smoothTargets,
  type AsyncInitOptions,
  type Backend,
  type InitOptions,
  type WasmArray,
} from 'labelsmooth';

const bytes = new Uint8Array(8);
const sync: InitOptions = { backend: 'scalar', module: bytes };
const fromUrl: AsyncInitOptions = { module: new URL('https://example.invalid/labelsmooth-simd128.wasm') };
const fromBuffer: AsyncInitOptions = { module: Promise.resolve(bytes.buffer) };
export const options = [sync, fromUrl, fromBuffer, { module: 'labelsmooth-scalar.wasm' } satisfies AsyncInitOptions];
// @ts-expect-error a number is neither a module, its bytes nor where to fetch them
export const notAModule: InitOptions = { module: 42 };
// @ts-expect-error a build that does not exist
export const notABackend: InitOptions = { backend: 'gpu' };

export async function use(): Promise<number> {
  const chosen: Backend = await init();
  const again: Backend = initSync({ backend: chosen });
  const logits = allocFloat32(6);
  logits.view.set([0, 1, 2, 2, 1, 0]);
  const grad: WasmArray = allocFloat32(6);
  const { loss } = crossEntropyWithGrad(logits, [2, 0], { labelSmoothing: 0.1, numClasses: 3, gradOut: grad });
  const perRow: Float32Array = crossEntropy(Float32Array.from([0, 1, 2]), [1], { numClasses: 3, reduction: 'none' });
  const targets: Float32Array = smoothTargets([1, 2], 3, { labelSmoothing: 0.1 });
  const kl: number = klDiv(Float32Array.from([-1, -1]), targets.subarray(0, 2), { numClasses: 2 });
  const criterion = new LabelSmoothing({ size: 3, paddingIdx: 0, smoothing: 0.1 });
  const svg: string = renderHeatmap(targets, { numClasses: 3 });
  logits.free();
  grad.free();
  return loss + perRow[0] + kl + criterion.forward(Float32Array.from([-1, -1, -1]), [1]) + svg.length + (backend() === again ? 1 : 0);
}
