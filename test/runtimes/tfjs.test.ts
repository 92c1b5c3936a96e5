// labelsmooth/tfjs from the packed tarball: in a Node project without @tensorflow/tfjs-core (the
// main entry works, the subpath fails naming the missing package), and with it in Node (ESM and
// CommonJS), Deno, Bun and in a vite app in headless Chromium.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { resultOf } from './page-result';

const tmp = inject('tmp');
const bin = (name: string) => path.resolve('node_modules/.bin', name);
const runIn = (dir: string, command: string, args: string[]) => execFileSync(command, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const node = (dir: string, file: string) => runIn(dir, process.execPath, [file]);

interface Smoke {
  failed?: string;
  /** The tfjs backend the smoke ran on. */
  backend: string;
  loss: number;
  tfjsLoss: number;
  sparseLoss: number;
  grad: number[];
  expectedGrad: number[];
  steps: number[];
}

/** What the last line of `text` says, as a smoke result (or the page's per-backend results). */
function lastLine<T>(text: string): T {
  return JSON.parse(text.trim().split('\n').pop()!) as T;
}

/**
 * Two float32 computations of the same small values (K = 4 terms of size ≤ 4) within `tolerance`:
 * 1e-6 where both sides run on the CPU; on webgl, tfjs's side (its loss, and the softmax of the
 * expected gradient) runs in the GPU's shaders, whose exp and log are not correctly rounded.
 */
function expectSmoke(r: Smoke, backend = 'cpu', tolerance = 1e-6): void {
  expect(r.failed).toBeUndefined();
  expect(r.backend).toBe(backend);
  expect(Math.abs(r.loss - r.tfjsLoss)).toBeLessThanOrEqual(tolerance);
  expect(Math.abs(r.sparseLoss - r.tfjsLoss)).toBeLessThanOrEqual(tolerance);
  expect(r.grad.length).toBe(12);
  r.grad.forEach((g, i) => expect(Math.abs(g - r.expectedGrad[i])).toBeLessThanOrEqual(tolerance));
  expect(r.steps.length).toBe(3);
  expect(r.steps[2]).toBeLessThan(r.steps[0]);
}

describe('labelsmooth/tfjs from the tarball', () => {
  it('without @tensorflow/tfjs-core: the main entry works; the subpath (ESM and CJS) fails naming the package', () => {
    const r = JSON.parse(node(inject('noTfjs'), 'missing-peer.mjs')) as { main: string; esm: string; cjs: string };
    expect(r.main).toBe('function');
    expect(r.esm).toMatch(/Cannot find package '@tensorflow\/tfjs-core'/);
    expect(r.cjs).toMatch(/Cannot find module '@tensorflow\/tfjs-core'/);
  });
  it('Node, ESM (import)', () => {
    expectSmoke(lastLine(node(path.join(tmp, 'tfjs-consumer'), 'smoke.mjs')));
  });
  it('Node, CommonJS (require)', () => {
    expectSmoke(lastLine(node(path.join(tmp, 'tfjs-consumer'), 'smoke.cjs')));
  });
  it('Deno, with no permission flag', () => {
    // --no-prompt: a permission request would fail the run instead of waiting for an answer.
    expectSmoke(lastLine(runIn(path.join(tmp, 'tfjs-consumer'), bin('deno'), ['run', '--no-prompt', 'smoke.mjs'])));
  });
  it('Bun', () => {
    expectSmoke(lastLine(runIn(path.join(tmp, 'tfjs-consumer'), bin('bun'), ['smoke.mjs'])));
  });

  describe('a vite app in Chromium', () => {
    let browser: Browser;
    let server: Awaited<ReturnType<typeof serveStatic>>;
    beforeAll(async () => {
      const app = path.join(tmp, 'tfjs-vite-app');
      execFileSync(bin('vite'), ['build', '--logLevel', 'error'], { cwd: app, stdio: 'pipe' });
      server = await serveStatic({ root: path.join(app, 'dist') });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });
    it('vite build: the page computes and trains with labelsmooth/tfjs on the cpu backend', async () => {
      expectSmoke(lastLine(await resultOf(browser, `${server.url}index.html?backend=cpu`)));
    });
    it('the same page on the webgl backend (the values read back from the GPU)', async () => {
      // Both sides within 1e-6 as on the cpu: labelsmooth reads back the logits' float32 values
      // exactly; measured, tfjs's loss in Chromium's (software) WebGL differed by 2.4e-7.
      expectSmoke(lastLine(await resultOf(browser, `${server.url}index.html?backend=webgl`)), 'webgl');
    });
  });
});
