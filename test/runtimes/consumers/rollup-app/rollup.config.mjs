// What a rollup user writes: node-resolve with the browser condition, nothing for the wasm.
import { nodeResolve } from '@rollup/plugin-node-resolve';

export default {
  input: 'src/main.js',
  plugins: [nodeResolve({ browser: true })],
  output: { file: 'dist/bundle.js', format: 'es' },
};
