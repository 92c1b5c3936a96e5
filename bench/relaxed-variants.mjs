// Variants of the relaxed-simd build, rewritten operation by operation (scripts/lib/wasm-rewrite.mjs),
// to tell what makes it slower than the simd128 build in an engine (bench/README.md, "Relaxed SIMD
// per engine"):
//   unfused  every f32x4.relaxed_madd(a, b, c) written as f32x4.add(f32x4.mul(a, b), c): the
//            unfused reading of relaxed_madd, which the relaxed build's tests cover
//   pmax     the max and min that are still a compare and a v128.bitselect written as the
//            f32x4.pmax / f32x4.pmin they compute (the same bits); scripts/build.sh does this to
//            the build itself since 2026-12-01, so on a current build it changes nothing
// Reads packages/labelsmooth/wasm/relaxed-simd (after scripts/build.sh); writes OUT_DIR/<variant>/
// with the build's glue beside each rewritten .wasm. Experiments only: nothing ships from here.
//   node bench/relaxed-variants.mjs OUT_DIR
//   bun bench/compare-raw.mjs packages/labelsmooth/wasm/relaxed-simd OUT_DIR/unfused --rounds 9 --median
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { count, moduleBytes, moduleText, pmaxFromSelects, unfusedMadd } from '../scripts/lib/wasm-rewrite.mjs';

const out = process.argv[2];
if (!out) throw new Error('usage: node bench/relaxed-variants.mjs OUT_DIR');
const build = 'packages/labelsmooth/wasm/relaxed-simd';
const text = moduleText(readFileSync(path.join(build, 'labelsmooth_wasm_bg.wasm')));
for (const [variant, rewrite] of [
  ['unfused', unfusedMadd],
  ['pmax', pmaxFromSelects],
]) {
  const rewritten = rewrite(text);
  const dir = path.join(out, variant);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'labelsmooth_wasm_bg.wasm'), moduleBytes(rewritten, variant));
  copyFileSync(path.join(build, 'labelsmooth_wasm.js'), path.join(dir, 'labelsmooth_wasm.js'));
  const counts = ['f32x4.relaxed_madd', 'v128.bitselect', 'f32x4.pmax', 'f32x4.pmin'].map((n) => `${n} ${count(rewritten, n)}`);
  console.log(`${dir}: ${counts.join(', ')}`);
}
