// The packed package in real headless Chromium: a plain module script with no bundler, a module
// web worker, the slim build loading the .wasm from a URL, and consumer apps bundled by rollup and
// by vite (production build and dev server).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
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
    const relaxedOneThread = { threads: 1, backend: 'relaxed-simd', fallback: expect.stringMatching(/^the threaded build is SIMD128's, and the relaxed-simd build was asked for/) };
    const mainThread =
      "on a page's main thread a call cannot wait for workers (Atomics.wait is not allowed there): call labelsmooth from a web worker to use threads";
    expect(r).toEqual({
      // `automatic` (init({ threads: 2 }) with no backend): one thread on the page, with Chromium's
      // automatic build, relaxed-simd; in the worker a pool on the threaded simd128 build.
      // `explicitRelaxedSimd` (backend: 'relaxed-simd' with threads): one thread on that build.
      page: { isolated: true, status: { threads: 1, requested: 2, fallback: mainThread }, identical: true, after: 1, automatic: { threads: 1, backend: 'relaxed-simd', relaxedSimd: true }, explicitRelaxedSimd: relaxedOneThread },
      worker: { isolated: true, status: { threads: 2, requested: 2, fallback: null }, identical: true, after: 1, automatic: { threads: 2, backend: 'simd128', relaxedSimd: true }, explicitRelaxedSimd: relaxedOneThread },
    });
  });
  it('labelsmooth/slim with the .wasm fetched from a URL', async () => {
    expectSmoke(await served(consumer, (url) => resultOf(browser, `${url}slim.html`)));
  });
});

describe('Chromium, consumer apps built from the tarball', () => {
  it('bundled by rollup (@rollup/plugin-node-resolve, browser condition)', async () => {
    const app = path.join(tmp, 'rollup-app');
    execFileSync(bin('rollup'), ['-c', 'rollup.config.mjs', '--silent'], { cwd: app, stdio: 'pipe' });
    expectSmoke(await served(app, (url) => resultOf(browser, `${url}index.html`)));
  });
  it('bundled by vite (vite build)', async () => {
    const app = path.join(tmp, 'vite-app');
    execFileSync(bin('vite'), ['build', '--logLevel', 'error'], { cwd: app, stdio: 'pipe' });
    expectSmoke(await served(path.join(app, 'dist'), (url) => resultOf(browser, `${url}index.html`)));
  });
  it('served by the vite dev server', async () => {
    const app = path.join(tmp, 'vite-app');
    const dev: ChildProcess = spawn(bin('vite'), ['--host', '127.0.0.1', '--port', '0', '--strictPort', 'false'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
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
      expectSmoke(await resultOf(browser, url));
    } finally {
      dev.kill();
    }
  });
});
