// Node, in a project without @tensorflow/tfjs-core: the main entry works, labelsmooth/tfjs does not.
import * as ls from 'labelsmooth';

const results = { main: typeof ls.crossEntropy };
try {
  await import('labelsmooth/tfjs');
  results.esm = 'imported';
} catch (e) {
  results.esm = String(e.message);
}
try {
  (await import('node:module')).createRequire(import.meta.url)('labelsmooth/tfjs');
  results.cjs = 'required';
} catch (e) {
  results.cjs = String(e.message);
}
console.log(JSON.stringify(results));
