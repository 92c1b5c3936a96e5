// The suites run against each wasm build (simd128, scalar) in Node, and the API suites again in
// real headless Chromium (test/helpers/chromium.mjs: $CHROMIUM_PATH or Debian's /usr/bin/chromium,
// driven by playwright) against the browser build of the package.
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumPath } from './test/helpers/chromium.mjs';

const BACKENDS = ['simd128', 'scalar'];

/** Suites that use only the public API, so they run in a browser page as they are. */
const API_SUITES = ['test/smooth-targets.test.ts', 'test/losses.*.test.ts', 'test/in-place.test.ts'];

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
    exclude: ['test/runtimes/**', '**/node_modules/**', 'test/.tmp/**'],
    setupFiles: ['test/setup/backend.ts'],
    env: { LABELSMOOTH_BACKEND: backend },
  },
});

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
    projects: [...BACKENDS.map(nodeProject), ...BACKENDS.map(browserProject), runtimesProject],
  },
});
