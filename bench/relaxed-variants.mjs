// Variants of the relaxed-simd build, rewritten instruction by instruction, to tell what makes it
// slower than the simd128 build in an engine (bench/README.md, "Relaxed SIMD per engine"):
//   unfused       every f32x4.relaxed_madd(a, b, c) written as f32x4.add(f32x4.mul(a, b), c)
//   pmax          the build's NaN-keeping max and min (a compare and a v128.bitselect, see
//                 crates/kernels/src/vector/relaxed_simd.rs) written as the f32x4.pmax / f32x4.pmin
//                 they compute, the instructions the simd128 build has
//   unfused-pmax  both
// Each variant computes what the relaxed-simd build computes (unfused: the unfused reading of
// relaxed_madd, which the relaxed build's tests cover; pmax: the same bits). Compare them with
// bench/compare-raw.mjs:
//   node bench/relaxed-variants.mjs OUT_DIR
//   bun bench/compare-raw.mjs packages/labelsmooth/wasm/relaxed-simd OUT_DIR/unfused --rounds 9 --median
// Reads packages/labelsmooth/wasm/relaxed-simd (after scripts/build.sh); writes OUT_DIR/<variant>/
// with the build's glue beside each rewritten .wasm. Experiments only: nothing ships from here.
import binaryen from 'binaryen';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const out = process.argv[2];
if (!out) throw new Error('usage: node bench/relaxed-variants.mjs OUT_DIR');
const build = 'packages/labelsmooth/wasm/relaxed-simd';

/** The end (exclusive) of the parenthesised group opening at `start`. */
function groupEnd(text, start) {
  let depth = 0;
  for (let i = start; ; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
}

/** The operand groups of the instruction whose name ends at `from`, and where its group ends. */
function operands(text, from) {
  const groups = [];
  let i = from;
  for (;;) {
    while (/\s/.test(text[i])) i++;
    if (text[i] === ')') return { groups, end: i + 1 };
    const end = groupEnd(text, i);
    groups.push(text.slice(i, end));
    i = end;
  }
}

/** Rewrites every `(name a b c …)` of the folded text by `rewrite(operands)`, inner ones first. */
function rewriteAll(text, name, rewrite) {
  const key = `(${name}`;
  let result = '';
  let at = 0;
  for (let i = text.indexOf(key); i >= 0; i = text.indexOf(key, at)) {
    if (!/\s/.test(text[i + key.length])) {
      result += text.slice(at, i + key.length);
      at = i + key.length;
      continue;
    }
    const { groups, end } = operands(text, i + key.length);
    const inner = groups.map((g) => rewriteAll(g, name, rewrite));
    result += text.slice(at, i) + (rewrite(inner) ?? `${key} ${inner.join(' ')})`);
    at = end;
  }
  return result + text.slice(at);
}

const unfuse = (text) => rewriteAll(text, 'f32x4.relaxed_madd', ([a, b, c]) => `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`);

const flat = (s) => s.replace(/\s+/g, ' ').replace(/ \)/g, ')');
/** The local an operand stands for: `(local.get $x)` or `(local.tee $x …)`. */
const localOf = (e) => /^\((?:local\.get|local\.tee) (\$\w+)/.exec(flat(e))?.[1];
const written = (e) => new Set([...e.matchAll(/\(local\.(?:tee|set) (\$\w+)/g)].map((m) => m[1]));
const read = (e) => new Set([...e.matchAll(/\(local\.get (\$\w+)/g)].map((m) => m[1]));
const meets = (a, b) => [...a].some((x) => b.has(x));

// v128.bitselect(p, q, f32x4.lt(x, y)) is lt ? p : q. With x = q and y = p that is q < p ? p : q,
// f32x4.pmax(q, p); with x = p and y = q, p < q ? p : q, f32x4.pmin(q, p). pmax/pmin evaluate q
// before p, so only where neither operand writes a local the other reads, and neither calls or stores.
function minMax([p, q, mask]) {
  const m = /^\(f32x4\.lt \(local\.get (\$\w+)\) \(local\.get (\$\w+)\)\)$/.exec(flat(mask));
  const [lp, lq] = [localOf(p), localOf(q)];
  if (!m || !lp || !lq || [p, q].some((e) => /\b(call|store|memory\.|global\.set)/.test(e))) return undefined;
  if (meets(written(p), read(q)) || meets(written(q), read(p)) || meets(written(p), written(q))) return undefined;
  if (m[1] === lq && m[2] === lp) return `(f32x4.pmax ${q} ${p})`;
  if (m[1] === lp && m[2] === lq) return `(f32x4.pmin ${q} ${p})`;
  return undefined;
}
const pmax = (text) => rewriteAll(text, 'v128.bitselect', minMax);

const original = binaryen.readBinary(readFileSync(path.join(build, 'labelsmooth_wasm_bg.wasm')));
original.setFeatures(binaryen.Features.All);
const text = original.emitText();
original.dispose();
const count = (t, name) => t.split(`(${name}`).length - 1;
for (const [variant, rewrite] of [
  ['unfused', unfuse],
  ['pmax', pmax],
  ['unfused-pmax', (t) => pmax(unfuse(t))],
]) {
  const rewritten = rewrite(text);
  const module = binaryen.parseText(rewritten);
  module.setFeatures(binaryen.Features.All);
  if (!module.validate()) throw new Error(`the ${variant} variant does not validate`);
  const dir = path.join(out, variant);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'labelsmooth_wasm_bg.wasm'), module.emitBinary());
  module.dispose();
  copyFileSync(path.join(build, 'labelsmooth_wasm.js'), path.join(dir, 'labelsmooth_wasm.js'));
  const counts = ['f32x4.relaxed_madd', 'v128.bitselect', 'f32x4.pmax', 'f32x4.pmin'].map((n) => `${n} ${count(rewritten, n)}`);
  console.log(`${dir}: ${counts.join(', ')}`);
}
