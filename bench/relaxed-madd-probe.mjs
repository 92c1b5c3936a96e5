// f32x4.relaxed_madd against f32x4.mul + f32x4.add in the engine running this file, on two
// hand-assembled loops with nothing else in them (no kernel, no glue), to tell whether an
// engine's relaxed-simd build is slower because of how it compiles relaxed_madd:
// - "stream": a degree-5 Horner polynomial over 32 KB of floats (load, 5 multiply-adds, store),
//   the shape of the kernels' exp; throughput-bound.
// - "chain": one accumulator through 8 dependent multiply-adds per iteration; latency-bound.
// Each loop is built twice, with relaxed_madd and with mul + add, and the two alternate round by
// round; the median of R rounds is printed, and the relaxed speed-up (mul+add time ÷ madd time).
//   node --experimental-wasm-relaxed-simd bench/relaxed-madd-probe.mjs [--rounds R]   (Node 20)
//   deno run bench/relaxed-madd-probe.mjs [--rounds R]
//   bun bench/relaxed-madd-probe.mjs [--rounds R]
//   jsc --useWasmRelaxedSIMD=true -m bench/relaxed-madd-probe.mjs   (a JavaScriptCore shell, e.g.
//   Debian's libjavascriptcoregtk-4.0-bin; 15 rounds; the shell has print, not console)
// bench/README.md ("Relaxed SIMD per engine") has the figures and what they show.

const args = (globalThis.Deno?.args ?? globalThis.process?.argv.slice(2)) || [];
const log = globalThis.console?.log ?? globalThis.print;
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 15);

// --- a minimal wasm encoder: just what the two loops need ---
const uleb = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const sleb = (n) => {
  const out = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const name = (s) => vec([...s].map((c) => [c.charCodeAt(0)])); // ASCII names
const f32 = (v) => [...new Uint8Array(new Float32Array([v]).buffer)];

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  get: (i) => [0x20, ...uleb(i)],
  set: (i) => [0x21, ...uleb(i)],
  i32: (v) => [0x41, ...sleb(v)],
  add: [0x6a],
  sub: [0x6b],
  ltU: [0x49],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth) => [0x0d, ...uleb(depth)],
  splat: (v) => [0x43, ...f32(v), 0xfd, ...uleb(0x13)],
  load: (offset) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  store: (offset) => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)],
  fadd: [0xfd, ...uleb(0xe4)],
  fmul: [0xfd, ...uleb(0xe6)],
  madd: [0xfd, ...uleb(0x105)],
};
// a·b + c: relaxed_madd takes the three operands at once; mul + add pushes c after the product.
const maddOf = (form, a, b, c) => (form === 'madd' ? [...a, ...b, ...c, ...op.madd] : [...a, ...b, ...op.fmul, ...c, ...op.fadd]);

const BYTES = 32768; // input floats; the output follows them: both stay in L1/L2
const COEFFS = [1, 1, 0.5, 1 / 6, 1 / 24, 1 / 120]; // exp's Taylor terms, c0 … c5

// stream(bytes, iters): params 0, 1; locals 2 = i, 3…8 = c0…c5, 9 = x, 10 = p.
function stream(form) {
  const body = [];
  COEFFS.forEach((c, k) => body.push(...op.splat(c), ...op.set(3 + k)));
  body.push(...op.loop, ...op.i32(0), ...op.set(2), ...op.loop);
  body.push(...op.get(2), ...op.load(0), ...op.set(9), ...op.get(8), ...op.set(10));
  for (let k = 4; k >= 0; k--) body.push(...maddOf(form, op.get(10), op.get(9), op.get(3 + k)), ...op.set(10));
  body.push(...op.get(2), ...op.get(10), ...op.store(BYTES));
  body.push(...op.get(2), ...op.i32(16), ...op.add, ...op.set(2), ...op.get(2), ...op.get(0), ...op.ltU, ...op.brIf(0), ...op.end);
  body.push(...op.get(1), ...op.i32(1), ...op.sub, ...op.set(1), ...op.get(1), ...op.brIf(0), ...op.end, ...op.end);
  return [[1, I32], [8, V128]].map(([n, t]) => [...uleb(n), t]).concat([body]);
}

// chain(_, iters): locals 2 = acc, 3 = a, 4 = b; acc = acc·a + b eight times an iteration.
function chain(form) {
  const body = [...op.splat(1), ...op.set(2), ...op.splat(0.999), ...op.set(3), ...op.splat(0.001), ...op.set(4), ...op.loop];
  for (let k = 0; k < 8; k++) body.push(...maddOf(form, op.get(2), op.get(3), op.get(4)), ...op.set(2));
  body.push(...op.get(1), ...op.i32(1), ...op.sub, ...op.set(1), ...op.get(1), ...op.brIf(0), ...op.end);
  body.push(...op.i32(0), ...op.get(2), ...op.store(0), ...op.end);
  return [[3, V128]].map(([n, t]) => [...uleb(n), t]).concat([body]);
}

const FUNCS = [
  ['stream_madd', stream('madd')],
  ['stream_muladd', stream('mul+add')],
  ['chain_madd', chain('madd')],
  ['chain_muladd', chain('mul+add')],
];
const bytes = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, vec([[0x60, ...vec([[I32], [I32]]), ...vec([])]])),
  ...section(3, vec(FUNCS.map(() => [0]))),
  ...section(5, vec([[0x00, 1]])),
  ...section(7, vec([[...name('memory'), 0x02, 0], ...FUNCS.map(([n], i) => [...name(n), 0x00, i])])),
  ...section(
    10,
    vec(
      FUNCS.map(([, [...parts]]) => {
        const code = parts.pop();
        const fn = [...vec(parts), ...code];
        return [...uleb(fn.length), ...fn];
      }),
    ),
  ),
]);
if (WebAssembly.validate(bytes)) measure();
else log('relaxed-madd-probe: this engine has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd, a jsc shell --useWasmRelaxedSIMD=true)');

function measure() {
  const { exports: w } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const input = new Float32Array(w.memory.buffer, 0, BYTES / 4);
  for (let i = 0; i < input.length; i++) input[i] = Math.sin(i * 0.37) * 0.35;

  // The two forms must compute the same thing (up to rounding): a check that the probe is right.
  w.stream_madd(BYTES, 1);
  const fused = new Float32Array(w.memory.buffer, BYTES, BYTES / 4).slice();
  w.stream_muladd(BYTES, 1);
  const separate = new Float32Array(w.memory.buffer, BYTES, BYTES / 4);
  const worst = fused.reduce((m, v, i) => Math.max(m, Math.abs(v - separate[i]) / Math.abs(separate[i])), 0);
  if (!(worst < 1e-6)) throw new Error(`relaxed-madd-probe: the two forms differ by ${worst} relative`);

  const engine = globalThis.Bun
    ? `Bun ${Bun.version}`
    : globalThis.Deno
      ? `Deno ${Deno.version.deno}`
      : globalThis.process
        ? `Node ${process.versions.node}`
        : 'this engine';
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const CASES = [
    // [label, export A (madd), export B (mul+add), first argument, iterations, multiply-adds per iteration]
    ['stream (Horner over 32 KB)', 'stream_madd', 'stream_muladd', BYTES, 2000, (BYTES / 16) * 5],
    ['chain (8 dependent)', 'chain_madd', 'chain_muladd', 0, 400000, 8],
  ];
  log(`relaxed-madd-probe in ${engine}: median of ${rounds} alternating rounds (G vector multiply-adds/s; relaxed_madd ÷ mul+add speed)`);
  for (const [label, a, b, arg, iters, perIter] of CASES) {
    // Warm-up: 20 calls of each (a few tenths of a second), so that every engine times its optimising tier.
    for (let i = 0; i < 20; i++) (w[a](arg, iters), w[b](arg, iters));
    const times = { [a]: [], [b]: [] };
    for (let r = 0; r < rounds; r++) {
      for (const f of r % 2 ? [b, a] : [a, b]) {
        const t0 = performance.now();
        w[f](arg, iters);
        times[f].push(performance.now() - t0);
      }
    }
    const [ta, tb] = [median(times[a]), median(times[b])];
    const rate = (t) => ((perIter * iters) / t / 1e6).toFixed(2);
    log(`${label.padEnd(28)} relaxed_madd ${rate(ta)}   mul+add ${rate(tb)}   relaxed ${(tb / ta).toFixed(2)}×`);
  }
}
