// Dev probe: raw exports of a wasm build in target/perf-out (or packages/labelsmooth/wasm) — kernel-only timings.
import { readFileSync } from 'node:fs';
import { crossEntropyKernel, expMapKernel, expSumKernel, invokeKernel, softCrossEntropyKernel } from './wasm-interface.generated.mjs';
const flavour = process.argv[2] ?? 'simd128';
const dir = process.argv[3] ?? 'target/perf-out';
const glue = await import(`../${dir}/${flavour}/labelsmooth_wasm.js`);
const w = glue.initSync({ module: readFileSync(`${dir}/${flavour}/labelsmooth_wasm_bg.wasm`) });
const shapes = [[8192, 1000], [1024, 32000], [128, 256000]];
const time = (f, runs = 7) => { f(); const ts = []; for (let r = 0; r < runs; r++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return ts[runs >> 1]; };
for (const [n, k] of shapes) {
  const area = n * k;
  const xp = w.alloc(area * 4), gp = w.alloc(area * 4), tp = w.alloc(n * 4), wp = w.alloc(k * 4);
  const x = new Float32Array(w.memory.buffer, xp, area); for (let i = 0; i < area; i++) x[i] = Math.sin(i * 0.37) * 4;
  const t = new Int32Array(w.memory.buffer, tp, n); for (let i = 0; i < n; i++) t[i] = (i * 7919) % k;
  const wt = new Float32Array(w.memory.buffer, wp, k); for (let i = 0; i < k; i++) wt[i] = 0.5 + (i % 3) * 0.25;
  const M = area / 1e3;
  const frame = w.alloc(256);
  const run = (spec, call) => invokeKernel(w, spec, frame, call);
  const smoothing = (convention) => ({ numClasses: k, convention, paddingIdx: 0, ignoreIndex: -100, epsilon: 0.1 });
  // ε = 0.1, mean (no ignored targets: D = n), upstream 1: the benchmark's cross-entropy call.
  const ce = (grad, { classWeights = 0, convention = 0 } = {}) =>
    run(crossEntropyKernel, { smoothing: smoothing(convention), logits: xp, targets: tp, numRows: n, classWeights, zLoss: 0, upstreamPerRow: 0, gradScale: 1 / n, perRowLosses: 0, grad });
  const soft = { logits: xp, targets: gp, numRows: n, numClasses: k, epsilon: 0.1, classWeights: 0, scalePerRow: 0, scale: 1 / n, perRowLosses: 0, grad: 0 };
  const r = {};
  r.expStore = M / time(() => run(expMapKernel, { x: xp, len: area, out: gp }));
  r.expSum = M / time(() => run(expSumKernel, { x: xp, len: area, shift: 4 }));
  r.fg = M / time(() => ce(gp));
  r.f = M / time(() => ce(0));
  r.fgW = M / time(() => ce(gp, { classWeights: wp }));
  r.fgAnn = M / time(() => ce(gp, { convention: 2 }));
  r.soft = M / time(() => run(softCrossEntropyKernel, soft));
  r.inplace = M / time(() => ce(xp));
  console.log(`${flavour} ${n}x${k}: ` + Object.entries(r).map(([a, b]) => `${a} ${b.toFixed(0)}`).join('  '));
  w.dealloc(xp, area * 4); w.dealloc(gp, area * 4); w.dealloc(tp, n * 4); w.dealloc(wp, k * 4); w.dealloc(frame, 256);
}
