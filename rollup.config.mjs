// Bundles packages/labelsmooth: the Node/Deno/Bun entry (ESM + CJS, synchronous lazy init), the
// browser/worker entry (ESM, `await init()`), and one bundled .d.ts. The three .wasm builds are inlined
// by @rollup/plugin-wasm, so users configure nothing to load them.
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import typescript from '@rollup/plugin-typescript';
import wasm from '@rollup/plugin-wasm';
import { dts } from 'rollup-plugin-dts';

const pkg = 'packages/labelsmooth';
const src = path.resolve(pkg, 'src');
const wasmFiles = ['simd128', 'scalar', 'relaxed-simd'].map((flavour) => path.resolve(pkg, `wasm/${flavour}/labelsmooth_wasm_bg.wasm`));

/** Resolves the `#loader` import to the loader of one environment. */
function loader(environment) {
  return {
    name: 'labelsmooth-loader',
    resolveId(id) {
      return id === '#loader' ? path.join(src, 'loader', `${environment}.ts`) : null;
    },
  };
}

const typescriptPlugin = () =>
  typescript({
    tsconfig: `${pkg}/tsconfig.json`,
    compilerOptions: { noEmit: false, declaration: false, sourceMap: false, outDir: path.resolve(pkg, "dist") },
    noEmitOnError: true,
  });

const banner = '/* labelsmooth — label smoothing and its losses in WebAssembly. MIT License. */';

// The `labelsmooth` command (bin), for Node.
const cliEntry = `${pkg}/src/cli/main.ts`;
const cli = existsSync(cliEntry)
  ? [
      {
        input: cliEntry,
        plugins: [
          {
            // The CLI uses the package's public API from dist/index.mjs instead of bundling (and
            // inlining the wasm) a second time.
            name: 'labelsmooth-cli-uses-the-package',
            resolveId(source, importer) {
              return source === '../index' && importer?.includes(`${path.sep}cli${path.sep}`) ? { id: './index.mjs', external: true } : null;
            },
          },
          typescriptPlugin(),
        ],
        external: [/^node:/],
        output: [{ file: `${pkg}/dist/cli.mjs`, format: 'es', banner: `#!/usr/bin/env node\n${banner}` }],
      },
    ]
  : [];

// labelsmooth/tfjs: the TensorFlow.js ops. Their `../index` is the package itself, imported by
// its name (a self-reference), so that each environment's resolver picks the same entry of the
// package as the user's own `import 'labelsmooth'` (one wasm instance and one active build for
// both), and @tensorflow/tfjs-core, an optional peer dependency, is never bundled.
const tfjsEntry = `${pkg}/src/tfjs/index.ts`;
const tfjsExternal = [/^@tensorflow\//, /^labelsmooth$/];
const usesThePackage = {
  name: 'labelsmooth-tfjs-uses-the-package',
  resolveId(source, importer) {
    return source === '../index' && importer?.includes(`${path.sep}tfjs${path.sep}`) ? { id: 'labelsmooth', external: true } : null;
  },
};
const tfjs = {
  input: tfjsEntry,
  plugins: [usesThePackage, typescriptPlugin()],
  external: tfjsExternal,
  output: [
    { file: `${pkg}/dist/tfjs.mjs`, format: 'es', banner },
    { file: `${pkg}/dist/tfjs.cjs`, format: 'cjs', banner, exports: 'named' },
  ],
};
const tfjsTypes = {
  input: tfjsEntry,
  plugins: [
    loader('node'),
    dts({ tsconfig: `${pkg}/tsconfig.json` }),
    {
      name: 'labelsmooth-tfjs-cts',
      writeBundle() {
        copyFileSync(`${pkg}/dist/tfjs.d.ts`, `${pkg}/dist/tfjs.d.cts`);
      },
    },
  ],
  external: [...tfjsExternal, /\.wasm$/, /labelsmooth_wasm\.js$/],
  output: [{ file: `${pkg}/dist/tfjs.d.ts`, format: 'es' }],
};

// The threaded build (docs/architecture.md, "Threads"): a file beside the bundles, read only
// when threads are asked for, and the entry each worker of the pool runs (node:worker_threads,
// and module web workers).
const threadsWasm = path.resolve(pkg, 'wasm/threads/labelsmooth_wasm_bg.wasm');
const threadWorker = {
  input: `${pkg}/src/threads/worker.ts`,
  plugins: [
    typescriptPlugin(),
    {
      name: 'labelsmooth-threads-wasm',
      writeBundle() {
        copyFileSync(threadsWasm, `${pkg}/dist/labelsmooth-threads.wasm`);
      },
    },
  ],
  external: [/^node:/],
  output: [{ file: `${pkg}/dist/thread-worker.mjs`, format: 'es', banner }],
};
const threadWorkerWeb = {
  input: `${pkg}/src/threads/worker-web.ts`,
  plugins: [typescriptPlugin()],
  output: [{ file: `${pkg}/dist/thread-worker-web.mjs`, format: 'es', banner }],
};

export default [
  ...cli,
  threadWorker,
  threadWorkerWeb,
  tfjs,
  tfjsTypes,
  {
    input: `${pkg}/src/index.ts`,
    plugins: [loader('node'), wasm({ targetEnv: 'auto-inline', sync: wasmFiles }), typescriptPlugin()],
    output: [
      { file: `${pkg}/dist/index.mjs`, format: 'es', banner },
      { file: `${pkg}/dist/index.cjs`, format: 'cjs', banner, exports: 'named' },
    ],
  },
  {
    input: `${pkg}/src/index.ts`,
    plugins: [
      loader('browser'),
      wasm({ targetEnv: 'auto-inline' }),
      typescriptPlugin(),
      {
        name: 'labelsmooth-wasm-files',
        writeBundle() {
          // The raw modules, for `init({ module: url })` with labelsmooth/slim.
          copyFileSync(wasmFiles[0], `${pkg}/dist/labelsmooth-simd128.wasm`);
          copyFileSync(wasmFiles[1], `${pkg}/dist/labelsmooth-scalar.wasm`);
          copyFileSync(wasmFiles[2], `${pkg}/dist/labelsmooth-relaxed-simd.wasm`);
        },
      },
    ],
    output: [{ file: `${pkg}/dist/browser.mjs`, format: 'es', banner }],
  },
  {
    input: `${pkg}/src/index.ts`,
    plugins: [loader('slim'), typescriptPlugin()],
    external: [/\.wasm$/],
    output: [{ file: `${pkg}/dist/slim.mjs`, format: 'es', banner }],
  },
  {
    input: `${pkg}/src/index.ts`,
    plugins: [
      loader('node'),
      dts({ tsconfig: `${pkg}/tsconfig.json` }),
      {
        name: 'labelsmooth-cts',
        writeBundle() {
          // The same declarations serve `require` (attw wants a .d.cts beside the .cjs).
          copyFileSync(`${pkg}/dist/index.d.ts`, `${pkg}/dist/index.d.cts`);
        },
      },
    ],
    external: [/\.wasm$/, /labelsmooth_wasm\.js$/],
    output: [{ file: `${pkg}/dist/index.d.ts`, format: 'es' }],
  },
];
