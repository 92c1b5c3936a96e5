// Which suite runs where (test/README.md has the table and the time rule):
// - `simd128`, `scalar`, `relaxed-simd`: the suites whose results depend on the wasm build, in
//   Node against one build each (relaxed-simd with V8's flag on Node 20);
// - `node`: the suites that do not depend on the build, and those that switch between both builds
//   themselves, once (they start on the simd128 build);
// - `chromium-simd128`, `chromium-scalar`, `chromium-relaxed-simd`: the API suites in real headless Chromium
//   (scripts/lib/chromium.mjs: $CHROMIUM_PATH or Debian's /usr/bin/chromium, with the flags every
//   launch of the repository uses, driven by playwright) against the browser build of the package;
// - `runtimes`: the packed tarball in every runtime and in consumer apps.
// The slow-test reporter fails the run when a test takes more than a fifth of its timeout.
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumPath } from './scripts/lib/chromium.mjs';

const BACKENDS = ['simd128', 'scalar'];

/**
 * The relaxed-simd build runs where the engine has relaxed SIMD: Node ≥ 21 and Chromium ≥ 114 by
 * default, Node 20 with V8's flag, which vitest cannot pass to one project's workers
 * (`poolOptions.forks.execArgv` is read from the root config only), so test/setup/backend.ts sets
 * it in the relaxed-simd project's workers.
 */
const RELAXED = 'relaxed-simd';

/** Suites that use only the public API, so they run in a browser page as they are. */
const API_SUITES = ['test/smooth-targets.test.ts', 'test/losses.*.test.ts', 'test/in-place.test.ts'];

/**
 * Suites run once, in the `node` project: build-independent (the float64 reference's self-check,
 * the tfjs vectors against a fresh tfjs run, the heatmap renderers, the CLI and the demo page,
 * which take their build from LABELSMOOTH_BACKEND and default to simd128), and suites that run
 * both builds themselves.
 */
const ONCE = [
  'test/reference.selfcheck.test.ts',
  'test/heatmap.test.ts',
  'test/cli.test.ts',
  'test/demo-page.test.ts',
  'test/builds-agree.test.ts',
  'test/init.test.ts',
  'test/automatic-backend.test.ts',
  'test/wasm-rewrite.test.ts',
  'test/hostile/properties.test.ts',
  'test/chromium-launch.test.ts',
  'test/static-server.test.ts',
  'test/check-duplicates.test.ts',
  'test/wasm-interface.test.ts',
  'test/threads.test.ts',
  'test/vectors-tfjs.test.ts',
  'test/bench-report.test.ts',
];

const NOT_NODE = ['test/runtimes/**', '**/node_modules/**', 'test/.tmp/**'];

/** A fresh object per project: vitest names the instance in place. */
const chromium = () => ({
  browser: 'chromium',
  launch: {
    executablePath: chromiumPath,
    args: chromiumArgs,
  },
});

const nodeProject = (backend) => ({
  test: {
    name: backend,
    include: ['test/**/*.test.ts'],
    exclude: [...NOT_NODE, ...ONCE],
    setupFiles: ['test/setup/backend.ts'],
    env: { LABELSMOOTH_BACKEND: backend },
  },
});

const onceProject = {
  test: {
    name: 'node',
    include: ONCE,
    exclude: NOT_NODE,
    // No LABELSMOOTH_BACKEND: the setup activates the default, simd128.
    setupFiles: ['test/setup/backend.ts'],
    // The demo page's beforeAll builds the page, starts a server and launches Chromium: 2.2–3.6 s
    // with the other core busy, so hooks here have 30 s (a fifth: 6 s), not the default 10.
    hookTimeout: 30_000,
  },
};

const browserProject = (backend) => ({
  test: {
    name: `chromium-${backend}`,
    include: API_SUITES,
    setupFiles: ['test/setup/browser-backend.ts'],
    provide: { backend },
    browser: { enabled: true, provider: 'playwright', headless: true, screenshotFailures: false, instances: [chromium()] },
  },
});

/** The packed tarball in Node (ESM, CJS), Deno, Bun, Chromium pages and workers, and consumer apps. */
const runtimesProject = {
  test: {
    name: 'runtimes',
    include: ['test/runtimes/**/*.test.ts'],
    globalSetup: ['test/runtimes/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
};

export default defineConfig({
  test: {
    reporters: ['default', './test/setup/slow-test-reporter.ts'],
    projects: [
      ...BACKENDS.map(nodeProject),
      nodeProject(RELAXED),
      onceProject,
      ...[...BACKENDS, RELAXED].map(browserProject),
      runtimesProject,
    ],
  },
});
