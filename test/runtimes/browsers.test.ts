// The packed package in real headless Chromium: a plain module script with no bundler, a module
// web worker, the slim build loading the .wasm from a URL, and consumer apps bundled by rollup and
// by vite (production build and dev server).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { resultOf } from './page-result';
import { expectSmoke } from './expect-smoke';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

const tmp = inject('tmp');
const bin = (name: string) => path.resolve('node_modules/.bin', name);
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function served<T>(dir: string, body: (url: string) => Promise<T>, crossOriginIsolated = false): Promise<T> {
  const server = await serveStatic({ root: dir, crossOriginIsolated });
  try {
    return await body(server.url);
  } finally {
    await server.close();
  }
}

/** What threads-core.mjs reports in a module worker of a cross-origin isolated page. */
const relaxedOneThread = { threads: 1, backend: 'relaxed-simd', fallback: expect.stringMatching(/^the threaded build is SIMD128's, and the relaxed-simd build was asked for/) };
// `automatic` (init({ threads: 2 }) with no backend): with a pool, the threaded simd128 build;
// without, Chromium's automatic build, relaxed-simd. `explicitRelaxedSimd`: one thread on that build.
const workerWithPool = { isolated: true, status: { threads: 2, requested: 2, fallback: null }, identical: true, after: 1, automatic: { threads: 2, backend: 'simd128', relaxedSimd: true }, explicitRelaxedSimd: relaxedOneThread };
/**
 * The same worker where the pool cannot start: one thread, `reason`, and every call still served;
 * `automatic` is the automatic single-thread build, or the threaded build once it was loaded
 * (threads/start.ts keeps it when only the workers failed).
 */
const workerWithoutPool = (reason: RegExp, automatic = 'relaxed-simd') => ({ isolated: true, status: { threads: 1, requested: 2, fallback: expect.stringMatching(reason) }, identical: true, after: 1, automatic: { threads: 1, backend: automatic, relaxedSimd: true }, explicitRelaxedSimd: relaxedOneThread });
// The reasons browser.ts gives when a bundler moved labelsmooth's script without the threads' files.
const wasmNotBeside = (answered: string) => new RegExp(`^labelsmooth-threads\\.wasm was not found beside labelsmooth's script \\(http://127\\.0\\.0\\.1:\\d+/\\S+ answered ${answered}\\): `);
const whatToDo = /With Vite's dev server, add optimizeDeps: \{ exclude: \['labelsmooth'\] \} to the Vite config .*copy labelsmooth-threads\.wasm and thread-worker-web\.mjs from labelsmooth\/dist\/ next to the script that holds labelsmooth$/;

/** The threads page of a consumer app (consumers/threads-page.js), parsed. */
async function threadsPage(url: string): Promise<{ isolated: boolean; worker: { status: { fallback: string | null } } }> {
  return JSON.parse(await resultOf(browser, `${url}threads.html`));
}

describe('Chromium, no bundler', () => {
  const consumer = path.join(tmp, 'consumer');
  it('a plain <script type="module"> page: init() first, then every call', async () => {
    const text = await served(consumer, (url) => resultOf(browser, `${url}plain.html`));
    const r = expectSmoke(text) as unknown as { beforeInit: string; initIsShared: boolean };
    expect(r.beforeInit).toMatch(/call `await init\(\)`/);
    expect(r.initIsShared).toBe(true);
  });
  it('a module web worker', async () => {
    expectSmoke(await served(consumer, (url) => resultOf(browser, `${url}worker.html`)));
  });
  it('threads in a cross-origin isolated page: a pool in its module worker; on the page, one thread and the reason', async () => {
    const r = JSON.parse(await served(consumer, (url) => resultOf(browser, `${url}threads.html`), true));
    const mainThread =
      "on a page's main thread a call cannot wait for workers (Atomics.wait is not allowed there): call labelsmooth from a web worker to use threads";
    expect(r).toEqual({
      // On the page, one thread with Chromium's automatic build (relaxed-simd); in the worker a pool.
      page: { isolated: true, status: { threads: 1, requested: 2, fallback: mainThread }, identical: true, after: 1, automatic: { threads: 1, backend: 'relaxed-simd', relaxedSimd: true }, explicitRelaxedSimd: relaxedOneThread },
      worker: workerWithPool,
    });
  });
  it('labelsmooth/slim with the .wasm fetched from a URL', async () => {
    expectSmoke(await served(consumer, (url) => resultOf(browser, `${url}slim.html`)));
  });
});

/** Runs `build` the first time it is called; later calls wait for that one run. */
function once(build: () => void): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= Promise.resolve().then(build));
}

describe('Chromium, consumer apps built from the tarball', () => {
  describe('rollup', () => {
    const app = path.join(tmp, 'rollup-app');
    // One build serves both pages (rollup.config.mjs: the app, the threads page and its worker).
    const build = once(() => execFileSync(bin('rollup'), ['-c', 'rollup.config.mjs', '--silent'], { cwd: app, stdio: 'pipe' }));

    it('bundled by rollup (@rollup/plugin-node-resolve, browser condition)', async () => {
      await build();
      expectSmoke(await served(app, (url) => resultOf(browser, `${url}index.html`)));
    });
    it('threads bundled by rollup: one thread and which files to copy, then a pool once they are beside the bundle', async () => {
      // rollup leaves `new URL(…, import.meta.url)` as it is and copies nothing, so the threads'
      // files are first missing beside the bundle.
      await build();
      const copy = (file: string) => cpSync(path.join(app, 'node_modules/labelsmooth/dist', file), path.join(app, 'dist', file));
      await served(
        app,
        async (url) => {
          const none = await threadsPage(url);
          expect(none).toEqual({ isolated: true, worker: workerWithoutPool(wasmNotBeside('HTTP 404')) });
          expect(none.worker.status.fallback).toMatch(whatToDo);
          copy('labelsmooth-threads.wasm');
          const noWorker = await threadsPage(url);
          expect(noWorker).toEqual({ isolated: true, worker: workerWithoutPool(/^the worker threads did not start: thread-worker-web\.mjs did not load as a module worker from http:\/\/127\.0\.0\.1:\d+\/dist\/thread-worker-web\.mjs: /, 'simd128') });
          expect(noWorker.worker.status.fallback).toMatch(whatToDo);
          copy('thread-worker-web.mjs');
          expect(await threadsPage(url)).toEqual({ isolated: true, worker: workerWithPool });
        },
        true,
      );
    });
  });

  describe('vite', () => {
    const app = path.join(tmp, 'vite-app');
    // One production build serves both pages (vite.config.mjs: a multi-page app).
    const build = once(() => execFileSync(bin('vite'), ['build', '--logLevel', 'error'], { cwd: app, stdio: 'pipe' }));

    it('bundled by vite (vite build)', async () => {
      await build();
      expectSmoke(await served(path.join(app, 'dist'), (url) => resultOf(browser, `${url}index.html`)));
    });
    it('threads bundled by vite (vite build), nothing configured: a pool of 2 in the module worker, the same bits', async () => {
      await build();
      expect(await served(path.join(app, 'dist'), threadsPage, true)).toEqual({ isolated: true, worker: workerWithPool });
    });
    it('served by the vite dev server; threads there: one thread and what to configure', async () => {
      await viteDev(app, [], async (url) => {
        expectSmoke(await resultOf(browser, url));
        // Pre-bundling moved labelsmooth's script to node_modules/.vite/deps/, where the server
        // answers the .wasm with its index page.
        const r = await threadsPage(url);
        expect(r).toEqual({ isolated: true, worker: workerWithoutPool(wasmNotBeside('text/html, not WebAssembly')) });
        expect(r.worker.status.fallback).toMatch(/\/node_modules\/\.vite\/deps\/labelsmooth-threads\.wasm answered/);
        expect(r.worker.status.fallback).toMatch(whatToDo);
      });
    });
    it("threads on the vite dev server with the README's optimizeDeps.exclude: a pool of 2", async () => {
      await viteDev(app, ['--config', 'vite.config.exclude.mjs'], async (url) => {
        expect(await threadsPage(url)).toEqual({ isolated: true, worker: workerWithPool });
      });
    });
  });
});

/** Runs `body` with the URL of a vite dev server started in `app` with `args`; stops it after. */
async function viteDev(app: string, args: string[], body: (url: string) => Promise<void>): Promise<void> {
  const dev: ChildProcess = spawn(bin('vite'), [...args, '--host', '127.0.0.1', '--port', '0', '--strictPort', 'false'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`vite dev server did not start:\n${seen}`)), 60_000);
      dev.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = seen.replace(/\x1b\[[0-9;]*m/g, '').match(/http:\/\/127\.0\.0\.1:\d+\//);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      });
      dev.on('exit', (code) => reject(new Error(`vite dev server exited with ${code}:\n${seen}`)));
    });
    await body(url);
  } finally {
    dev.kill();
  }
}
