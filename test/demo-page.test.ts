// The demo page in headless Chromium: builds demo/dist (the page + the package's browser build),
// serves it on 127.0.0.1, loads it with this project's wasm build (?backend=…), moves ε, and
// checks that the displayed loss, its parts and the heatmap cells are the values the API gives
// (computed here with the Node build). Writes test/.artifacts/demo.png (a screenshot) and
// test/.artifacts/seed.svg (the seed's heatmap as the page drew it).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { crossEntropy, crossEntropyParts, smoothTargets, type Convention } from 'labelsmooth';
import { buildDemo, distDir } from '../demo/build.mjs';
import { launchChromium } from '../scripts/lib/chromium.mjs';
import { serveStatic } from '../scripts/lib/static-server.mjs';

// A test drives a real page (input events, a re-render, reading the DOM back): 0.4–0.9 s on an
// idle core and up to 2.5 s with the other core busy, so the limit is 20 s, not the default 5.
// The launch of Chromium in beforeAll (2.2–3.6 s under load) is why the `node` project's hooks
// have 30 s (vitest.config.mjs).
vi.setConfig({ testTimeout: 20_000 });

const backendName = process.env.LABELSMOOTH_BACKEND ?? 'simd128';
const artifacts = path.resolve(__dirname, '.artifacts');
const SEED_LOGITS = Float32Array.from([0, 0.2, 0.7, 0.1, 0, 0, 0.2, 0.7, 0.1, 0, 0, 0.2, 0.7, 0.1, 0]);
const TARGETS = [2, 1, 0];

let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;
let page: Page;
let url: string;
const pageErrors: string[] = [];

/** Writes a file whole or not at all (both vitest projects write the same artifacts). */
function writeAtomically(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

beforeAll(async () => {
  buildDemo();
  server = await serveStatic({ root: distDir });
  url = server.url;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** How many times the page has rendered (it re-renders on every input event). */
const renders = async (): Promise<number> => Number(await page.getAttribute('body', 'data-renders'));

/** Waits until the page has rendered again after `action`. */
async function after(action: () => Promise<unknown>): Promise<void> {
  const before = await renders();
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.renders) > n, before, { timeout: 10_000 });
}

const shown = async (id: string): Promise<{ text: string; value: number }> => {
  const el = page.locator(`#${id}`);
  return { text: (await el.textContent())!.trim(), value: Number(await el.getAttribute('data-value')) };
};

/** The heatmap cells of one figure: their values and their printed text, row-major. */
async function heatmapCells(id: string): Promise<{ values: number[]; texts: string[]; fills: string[] }> {
  return page.evaluate((containerId) => {
    const root = document.getElementById(containerId)!;
    const cells = Array.from(root.querySelectorAll('rect.cell'));
    return {
      values: cells.map((c) => Number(c.getAttribute('data-value'))),
      fills: cells.map((c) => c.getAttribute('fill')!),
      texts: Array.from(root.querySelectorAll('text.value')).map((t) => t.textContent!),
    };
  }, id);
}

/** What the page should show, computed with the Node build. */
function expected(epsilon: number, convention: Convention = 'annotated') {
  const options = convention === 'annotated' ? { labelSmoothing: epsilon, convention, paddingIdx: 0 } : { labelSmoothing: epsilon, convention };
  const loss = crossEntropy(SEED_LOGITS, TARGETS, { ...options, numClasses: 5 });
  const parts = crossEntropyParts(SEED_LOGITS, TARGETS, { ...options, numClasses: 5 });
  return { loss, parts, targets: Array.from(smoothTargets(TARGETS, 5, options)) };
}

describe('the demo page', () => {
  it('loads with the seed example, on this project’s wasm build', async () => {
    await page.goto(`${url}?backend=${backendName}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    expect(await page.textContent('#backend')).toBe(backendName);
    expect(await page.inputValue('#epsilon')).toBe('0.5');
    expect(await page.inputValue('#targets')).toBe('2,1,0');
    expect(await page.inputValue('#convention')).toBe('annotated');

    const want = expected(0.5);
    const loss = await shown('loss');
    expect(loss.value).toBe(want.loss);
    expect(loss.text).toBe(want.loss.toFixed(4));
    const cells = await heatmapCells('targets-heatmap');
    expect(cells.values).toEqual(want.targets);
    expect(cells.texts.slice(0, 5)).toEqual(['0.0000', '0.1667', '0.5000', '0.1667', '0.1667']);
    expect(new Set(cells.fills.slice(0, 3)).size).toBe(3); // 0, 1/6 and 1/2: three colours
    expect(cells.fills[0]).toBe('#440154');
    expect(cells.fills[2]).toBe('#fde725');

    // The seed's heatmap, as the page drew it, serialised as a standalone SVG file.
    const svg = await page.evaluate(() => new XMLSerializer().serializeToString(document.querySelector('#targets-heatmap svg')!));
    expect(svg).toContain('class="cell"');
    writeAtomically(path.join(artifacts, 'seed.svg'), `${svg}\n`);
  });

  it('shows softmax(logits) beside the targets, and the loss against ε', async () => {
    const softmax = await heatmapCells('softmax-heatmap');
    const row = [0, 0.2, 0.7, 0.1, 0].map((v) => Math.exp(Math.fround(v)));
    const sum = row.reduce((a, b) => a + b, 0);
    softmax.values.slice(0, 5).forEach((v, k) => expect(v).toBeCloseTo(row[k] / sum, 12));
    expect(softmax.values).toHaveLength(15);
    const series = await page.locator('#loss-plot polyline.series').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-series')));
    expect(series).toEqual(['loss', 'NLL part', 'smoothing part']);
  });

  it('moving the ε slider updates the loss, its two parts and the heatmap to the API’s values', async () => {
    const before = await shown('loss');
    await after(() => page.locator('#epsilon').fill('0.1'));
    expect(await page.textContent('#epsilon-value')).toBe('0.10');
    const want = expected(0.1);
    const loss = await shown('loss');
    expect(loss.value).toBe(want.loss);
    expect(loss.value).not.toBe(before.value);
    expect(loss.text).toBe(want.loss.toFixed(4));

    // The parts: (on − off)·ΣNLL/D + off·ΣS/D = loss, with the sums the API reports.
    expect((await shown('sum-nll')).value).toBe(want.parts.nll);
    expect((await shown('sum-smooth')).value).toBe(want.parts.smooth);
    const nllPart = (await shown('loss-nll-part')).value;
    const smoothPart = (await shown('loss-smooth-part')).value;
    expect(nllPart).toBeCloseTo(((0.9 - 0.1 / 3) * want.parts.nll) / want.parts.denominator, 12);
    expect(smoothPart).toBeCloseTo(((0.1 / 3) * want.parts.smooth) / want.parts.denominator, 12);
    expect(nllPart + smoothPart).toBeCloseTo(want.loss, 6);

    const cells = await heatmapCells('targets-heatmap');
    expect(cells.values).toEqual(want.targets);
    expect(cells.texts.slice(0, 5)).toEqual(['0.0000', '0.0333', '0.9000', '0.0333', '0.0333']);

    // With the keyboard, as a person would: 5 steps of 0.01 to the right.
    await page.locator('#epsilon').focus();
    for (let i = 0; i < 5; i++) await after(() => page.keyboard.press('ArrowRight'));
    expect(await page.textContent('#epsilon-value')).toBe('0.15');
    const want15 = expected(0.15);
    expect((await shown('loss')).value).toBe(want15.loss);
    expect((await heatmapCells('targets-heatmap')).values).toEqual(want15.targets);
  });

  it('switching the convention disables the padding index and follows the API', async () => {
    await after(() => page.selectOption('#convention', 'uniform'));
    expect(await page.isDisabled('#padding-idx')).toBe(true);
    const want = expected(0.15, 'uniform');
    expect((await shown('loss')).value).toBe(want.loss);
    expect((await heatmapCells('targets-heatmap')).values).toEqual(want.targets);
    await after(() => page.selectOption('#convention', 'annotated'));
    expect(await page.isDisabled('#padding-idx')).toBe(false);
  });

  it('shows the API’s message for a bad target, and recovers', async () => {
    await after(() => page.fill('#targets', '2,9,0'));
    expect(await page.isVisible('#error')).toBe(true);
    expect(await page.textContent('#error')).toMatch(/target\[1\] must be a class index in \[0, 5\)/);
    await after(() => page.fill('#targets', '2,1,0'));
    expect(await page.isVisible('#error')).toBe(false);
  });

  it('resets to the seed and takes the screenshot', async () => {
    await after(() => page.click('#reset-example'));
    expect((await shown('loss')).value).toBe(expected(0.5).loss);
    // One more ε so that the picture shows a moved slider: ε = 0.3.
    await after(() => page.locator('#epsilon').fill('0.3'));
    expect((await shown('loss')).value).toBe(expected(0.3).loss);
    writeAtomically(path.join(artifacts, 'demo.png'), await page.screenshot({ fullPage: true }));
    expect(pageErrors).toEqual([]);
  });
});
