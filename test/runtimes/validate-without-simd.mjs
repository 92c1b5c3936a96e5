// Exit 0 when binaryen validates the wasm file argv[2] with every feature except SIMD (or, with
// argv[3] = 'relaxed', except relaxed SIMD), 3 when it does not. A separate process because
// binaryen prints every validation error it finds.
import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';

const module = binaryen.readBinary(readFileSync(process.argv[2]));
const without = process.argv[3] === 'relaxed' ? binaryen.Features.RelaxedSIMD : binaryen.Features.SIMD128;
module.setFeatures(binaryen.Features.All & ~without);
process.exit(module.validate() ? 0 : 3);
