// Operation-by-operation rewrites of a compiled module's folded text (binaryen's), each giving the
// same results: scripts/build.sh applies `pmaxFromSelects` to the relaxed-simd build, and
// bench/relaxed-variants.mjs builds its experimental variants with these.
//   node scripts/lib/wasm-rewrite.mjs pmax FILE.wasm    rewrites FILE.wasm in place, prints counts
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

/**
 * Rewrites every `(name a b …)` of the folded text by `rewrite([a, b, …])`, inner ones first; where
 * `rewrite` returns undefined the instruction stays, with its operands rewritten.
 */
export function rewriteAll(text, name, rewrite) {
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

const flat = (s) => s.replace(/\s+/g, ' ').replace(/ \)/g, ')');
/** The local an operand stands for: `(local.get $x)` or `(local.tee $x …)`. */
const localOf = (e) => /^\((?:local\.get|local\.tee) (\$\w+)/.exec(flat(e))?.[1];
const written = (e) => new Set([...e.matchAll(/\(local\.(?:tee|set) (\$\w+)/g)].map((m) => m[1]));
const read = (e) => new Set([...e.matchAll(/\(local\.get (\$\w+)/g)].map((m) => m[1]));
const meets = (a, b) => [...a].some((x) => b.has(x));

/**
 * `v128.bitselect(p, q, f32x4.lt(x, y))` is `lt ? p : q`. With x = q and y = p that is
 * `q < p ? p : q`, which is `f32x4.pmax(q, p)` by definition (NaN and ±0 included); with x = p and
 * y = q, `p < q ? p : q`, which is `f32x4.pmin(q, p)`. pmax/pmin evaluate q before p, so the
 * rewrite is taken only where neither operand writes a local the other reads or writes, and
 * neither calls, stores or sets a global; x and y must be plain reads of the locals p and q stand for.
 */
function minMaxOfSelect([p, q, mask]) {
  const m = /^\(f32x4\.lt \(local\.get (\$\w+)\) \(local\.get (\$\w+)\)\)$/.exec(flat(mask));
  const [lp, lq] = [localOf(p), localOf(q)];
  if (!m || !lp || !lq || [p, q].some((e) => /\b(call|store|memory\.|global\.set)/.test(e))) return undefined;
  if (meets(written(p), read(q)) || meets(written(q), read(p)) || meets(written(p), written(q))) return undefined;
  if (m[1] === lq && m[2] === lp) return `(f32x4.pmax ${q} ${p})`;
  if (m[1] === lp && m[2] === lq) return `(f32x4.pmin ${q} ${p})`;
  return undefined;
}

/**
 * The relaxed-simd build's max and min (a compare and a select, crates/kernels/src/vector/relaxed_simd.rs)
 * written as the `f32x4.pmax`/`f32x4.pmin` they compute: the same bits, one instruction in every
 * engine where the select is several.
 */
export const pmaxFromSelects = (text) => rewriteAll(text, 'v128.bitselect', minMaxOfSelect);

/** Every `relaxed_madd(a, b, c)` written as `add(mul(a, b), c)`: the unfused reading (an experiment). */
export const unfusedMadd = (text) => rewriteAll(text, 'f32x4.relaxed_madd', ([a, b, c]) => `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`);

/** How many `(name` operations the text holds. */
export const count = (text, name) => text.split(`(${name} `).length - 1 + text.split(`(${name}\n`).length - 1;

/** The folded text of a module's bytes. */
export function moduleText(bytes) {
  const module = binaryen.readBinary(bytes);
  module.setFeatures(binaryen.Features.All);
  const text = module.emitText();
  module.dispose();
  return text;
}

/** The bytes of a rewritten text, refused unless the module validates. */
export function moduleBytes(text, what) {
  const module = binaryen.parseText(text);
  module.setFeatures(binaryen.Features.All);
  if (!module.validate()) throw new Error(`${what}: the rewritten module does not validate`);
  const bytes = module.emitBinary();
  module.dispose();
  return bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [rewrite, file] = process.argv.slice(2);
  if (rewrite !== 'pmax' || !file) throw new Error('usage: node scripts/lib/wasm-rewrite.mjs pmax FILE.wasm');
  const text = pmaxFromSelects(moduleText(readFileSync(file)));
  writeFileSync(file, moduleBytes(text, file));
  console.log(`${file}: ${count(text, 'f32x4.pmax')} f32x4.pmax, ${count(text, 'f32x4.pmin')} f32x4.pmin, ${count(text, 'v128.bitselect')} other selects`);
}
