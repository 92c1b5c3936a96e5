// What a rollup user writes: node-resolve with the browser condition, nothing for the wasm. The
// threads page's script and its worker are entries of their own (rollup leaves
// `new Worker(new URL(…, import.meta.url))` as it is); the threads' files are not copied (README
// "Threads": without them, one thread and a reason that says which files to copy).
import { nodeResolve } from '@rollup/plugin-node-resolve';

export default {
  input: { bundle: 'src/main.js', 'threads-page': 'src/threads-page.js', 'threads-worker': 'src/threads-worker.js' },
  plugins: [nodeResolve({ browser: true })],
  output: { dir: 'dist', format: 'es', entryFileNames: '[name].js' },
};
