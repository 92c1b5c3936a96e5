// Dev probe: raw exports of a wasm build in target/perf-out (or packages/labelsmooth/wasm) — kernel-only timings.
import { readFileSync } from 'node:fs';
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
  const r = {};
  r.expStore = M / time(() => w.exp_slice(xp, area, gp, 0));
  r.expSum = M / time(() => w.exp_slice(xp, area, 0, 4));
  r.fg = M / time(() => w.cross_entropy(xp, tp, n, k, 0, 0, 0.1, -100, 0, 0, 2, 0, 1, 0, gp));
  r.f = M / time(() => w.cross_entropy(xp, tp, n, k, 0, 0, 0.1, -100, 0, 0, 2, 0, 1, 0, 0));
  r.fgW = M / time(() => w.cross_entropy(xp, tp, n, k, 0, 0, 0.1, -100, wp, 0, 2, 0, 1, 0, gp));
  r.fgAnn = M / time(() => w.cross_entropy(xp, tp, n, k, 2, 0, 0.1, -100, 0, 0, 2, 0, 1, 0, gp));
  r.soft = M / time(() => w.soft_cross_entropy(xp, gp, n, k, 0.1, 0, 0, 1 / n, 0, 0));
  r.inplace = M / time(() => w.cross_entropy(xp, tp, n, k, 0, 0, 0.1, -100, 0, 0, 2, 0, 1, 0, xp));
  console.log(`${flavour} ${n}x${k}: ` + Object.entries(r).map(([a, b]) => `${a} ${b.toFixed(0)}`).join('  '));
  w.dealloc(xp, area * 4); w.dealloc(gp, area * 4); w.dealloc(tp, n * 4); w.dealloc(wp, k * 4);
}
