// Exit 0 when binaryen validates the wasm file argv[2] with every feature except SIMD, 3 when it
// does not. A separate process because binaryen prints every validation error it finds.
import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';

const module = binaryen.readBinary(readFileSync(process.argv[2]));
module.setFeatures(binaryen.Features.All & ~binaryen.Features.SIMD128);
process.exit(module.validate() ? 0 : 3);
