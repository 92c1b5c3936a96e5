// Type-checked, never run: the CommonJS side of uses-api.mts (`require` resolves to
// dist/index.d.cts). Only the Node-only project checks it, whose @types/node declares
// Symbol.dispose: there a WasmArray is Disposable (`using`).
import { allocFloat32, crossEntropyWithGrad, initSync, type InitOptions } from 'labelsmooth';

const options: InitOptions = { backend: 'simd128', module: new Uint8Array(8).buffer };

export function use(): number {
  initSync(options);
  const logits = allocFloat32(3);
  const { loss, grad } = crossEntropyWithGrad(logits, [1], { numClasses: 3 });
  logits.free();
  using scratch = allocFloat32(3);
  scratch.view.fill(1);
  return loss + grad.length + scratch.length;
}
