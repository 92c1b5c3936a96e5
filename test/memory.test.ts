// Wasm memory stays flat over many calls: every call frees what it allocated, results are copies,
// and WasmArrays return their memory on free().
import { describe, expect, it } from 'vitest';
import { allocFloat32, crossEntropy, crossEntropyWithGrad, smoothTargets, softmaxCrossEntropy } from 'labelsmooth';

/** The current size of the active build's wasm memory (a view's buffer is the memory's). */
function wasmMemoryBytes(): number {
  const probe = allocFloat32(0);
  const bytes = probe.view.buffer.byteLength;
  probe.free();
  return bytes;
}

describe('memory', () => {
  it('stays flat over 50,000 calls (plain arrays, WasmArrays, refused calls)', () => {
    const k = 33;
    const n = 16;
    const logits = new Float32Array(n * k).map((_, i) => Math.sin(i));
    const targets = Int32Array.from({ length: n }, (_, i) => (i * 7) % k);
    const onehot = smoothTargets(targets, k);
    const gradOut = new Float32Array(n * k);
    const wasmLogits = allocFloat32(n * k);
    wasmLogits.view.set(logits);
    const expected = crossEntropy(logits, targets, { numClasses: k, labelSmoothing: 0.1 });

    // The refused call is counted with a plain try/catch: an expect() per call would be most of
    // the test's time.
    let refused = 0;
    const warm = () => {
      crossEntropyWithGrad(logits, targets, { numClasses: k, labelSmoothing: 0.1, gradOut });
      crossEntropy(wasmLogits, targets, { numClasses: k, labelSmoothing: 0.1 });
      softmaxCrossEntropy(onehot, logits, { numClasses: k, labelSmoothing: 0.1 });
      allocFloat32(n * k).free();
      try {
        crossEntropy(logits, [k], { numClasses: k });
      } catch (e) {
        if (e instanceof RangeError) refused++;
      }
    };
    for (let i = 0; i < 100; i++) warm();
    const before = wasmMemoryBytes();
    let last = 0;
    for (let i = 0; i < 10_000; i++) {
      warm(); // 5 calls each: 50,000 in all (scripts/soak.mjs runs 100,000 mixed calls)
      if (i % 1000 === 0) last = crossEntropy(wasmLogits, targets, { numClasses: k, labelSmoothing: 0.1 });
    }
    expect(wasmMemoryBytes()).toBe(before);
    expect(last).toBe(expected);
    expect(refused).toBe(10_100);
    wasmLogits.free();
    // 50,000 wasm calls and 10,100 thrown errors: 1.5–3.5 s on a loaded 2-core machine (test/README.md).
  }, 20_000);
});
