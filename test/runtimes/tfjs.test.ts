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
  loss: number;
  tfjsLoss: number;
  sparseLoss: number;
  grad: number[];
  expectedGrad: number[];
  steps: number[];
}

/** Two float32 computations of the same small values (K = 4 terms of size ≤ 4): within 1e-6. */
function expectSmoke(text: string): void {
  const r = JSON.parse(text.trim().split('\n').pop()!) as Smoke;
  expect(r.failed).toBeUndefined();
  expect(Math.abs(r.loss - r.tfjsLoss)).toBeLessThanOrEqual(1e-6);
  expect(Math.abs(r.sparseLoss - r.tfjsLoss)).toBeLessThanOrEqual(1e-6);
  expect(r.grad.length).toBe(12);
  r.grad.forEach((g, i) => expect(Math.abs(g - r.expectedGrad[i])).toBeLessThanOrEqual(1e-6));
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
    expectSmoke(node(path.join(tmp, 'tfjs-consumer'), 'smoke.mjs'));
  });
  it('Node, CommonJS (require)', () => {
    expectSmoke(node(path.join(tmp, 'tfjs-consumer'), 'smoke.cjs'));
  });
  it('Deno, with no permission flag', () => {
    // --no-prompt: a permission request would fail the run instead of waiting for an answer.
    expectSmoke(runIn(path.join(tmp, 'tfjs-consumer'), bin('deno'), ['run', '--no-prompt', 'smoke.mjs']));
  });
  it('Bun', () => {
    expectSmoke(runIn(path.join(tmp, 'tfjs-consumer'), bin('bun'), ['smoke.mjs']));
  });

  describe('a vite app in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });
    it('vite build: the page computes and trains with labelsmooth/tfjs', async () => {
      const app = path.join(tmp, 'tfjs-vite-app');
      execFileSync(bin('vite'), ['build', '--logLevel', 'error'], { cwd: app, stdio: 'pipe' });
      const server = await serveStatic({ root: path.join(app, 'dist') });
      try {
        expectSmoke(await resultOf(browser, `${server.url}index.html`));
      } finally {
        await server.close();
      }
    });
  });
});
