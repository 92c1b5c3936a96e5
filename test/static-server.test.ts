// scripts/lib/static-server.mjs, the one static file server (the demo, the benchmark, the page
// tests): content types, index.html, methods, no way out of the root, 127.0.0.1 on a free port,
// the cross-origin isolation headers on request (and that Chromium then isolates the page), and
// that no other file of the repository starts an HTTP server.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../scripts/lib/chromium.mjs';
import { repoRoot, sourceFiles } from '../scripts/lib/source-files.mjs';
import { serveStatic } from '../scripts/lib/static-server.mjs';

const SERVER = 'scripts/lib/static-server.mjs';
const SELF = path.relative(repoRoot, __filename).split(path.sep).join('/');

/** One request with the path sent as written (fetch would normalise it), e.g. `/..%2fsecret`. */
function get(url: string, rawPath: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// A served root with one file of each kind, and secrets beside it: in its parent, and in a
// sibling directory whose name starts with the root's name (a prefix check without the
// separator would let it through).
const dir = mkdtempSync(path.join(tmpdir(), 'labelsmooth-static-server-'));
const root = path.join(dir, 'site');
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.mjs': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'data.json': 'application/json',
  'module.wasm': 'application/wasm',
  'figure.svg': 'image/svg+xml',
  'shot.png': 'image/png',
  'sub/index.html': 'text/html; charset=utf-8',
  'blob.bin': 'application/octet-stream',
};
let served: Awaited<ReturnType<typeof serveStatic>>;

beforeAll(async () => {
  for (const name of Object.keys(FILES)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), `contents of ${name}`);
  }
  writeFileSync(path.join(dir, 'secret.txt'), 'SECRET');
  mkdirSync(path.join(dir, 'site-sibling'));
  writeFileSync(path.join(dir, 'site-sibling/secret.txt'), 'SECRET');
  served = await serveStatic({ root });
});
afterAll(async () => {
  await served?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serveStatic', () => {
  it('listens on 127.0.0.1, on a port the system picked', async () => {
    expect(served.server.address()).toMatchObject({ address: '127.0.0.1', port: served.port });
    expect(served.port).toBeGreaterThan(0);
    expect(served.url).toBe(`http://127.0.0.1:${served.port}/`);
    const other = await serveStatic({ root });
    try {
      expect(other.port).not.toBe(served.port);
    } finally {
      await other.close();
    }
  });

  it('serves each kind of file with its content type', async () => {
    for (const [name, type] of Object.entries(FILES)) {
      const r = await get(served.url, `/${name}`);
      expect([name, r.status, r.headers['content-type'], r.body]).toEqual([name, 200, type, `contents of ${name}`]);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves index.html for a path ending in /, and nothing for a directory without it', async () => {
    expect((await get(served.url, '/')).body).toBe('contents of index.html');
    expect((await get(served.url, '/sub/')).body).toBe('contents of sub/index.html');
    expect((await get(served.url, '/sub')).status).toBe(404);
    expect((await get(served.url, '/missing.js')).status).toBe(404);
  });

  it('answers HEAD without a body, and refuses other methods', async () => {
    const head = await get(served.url, '/app.js', 'HEAD');
    expect([head.status, head.headers['content-length'], head.body]).toEqual([200, String('contents of app.js'.length), '']);
    expect((await get(served.url, '/app.js', 'POST')).status).toBe(405);
  });

  it('never serves a file outside its root', async () => {
    const attempts = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/sub/..%2f..%2fsecret.txt',
      '/..%2fsite-sibling/secret.txt',
      '/..%5csecret.txt',
      `/${encodeURIComponent(path.join(dir, 'secret.txt'))}`,
      '/%00secret.txt',
      '/%E0%A4%A',
    ];
    for (const attempt of attempts) {
      const r = await get(served.url, attempt);
      expect([attempt, r.body]).not.toEqual([attempt, 'SECRET']);
      expect([attempt, [400, 403, 404].includes(r.status)]).toEqual([attempt, true]);
    }
    // The encoded separators are decoded into a real path step out of the root: refused as such.
    expect((await get(served.url, '/..%2fsecret.txt')).status).toBe(403);
    expect((await get(served.url, '/..%2fsite-sibling/secret.txt')).status).toBe(403);
  });

  it('sends the cross-origin isolation headers only when asked', async () => {
    expect((await get(served.url, '/index.html')).headers).not.toHaveProperty('cross-origin-opener-policy');
    const isolated = await serveStatic({ root, crossOriginIsolated: true });
    try {
      for (const file of ['/index.html', '/module.wasm', '/missing.js']) {
        const { headers } = await get(isolated.url, file);
        expect([file, headers['cross-origin-opener-policy'], headers['cross-origin-embedder-policy']]).toEqual([file, 'same-origin', 'require-corp']);
      }
    } finally {
      await isolated.close();
    }
  });
});

describe('cross-origin isolation in Chromium', () => {
  let browser: Browser;
  // Starting Chromium takes 0.5–3.6 s on this 2-core machine with the other core busy; the `node`
  // project's hooks have 30 s (vitest.config.mjs).
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  // A server, a page and a load: 0.4–0.6 s alone, up to 1.9 s (the first page of a fresh
  // Chromium) with the other core busy and other files starting their own Chromium, hence 20 s.
  it.each([true, false])('crossOriginIsolated: %s, and so is the page (SharedArrayBuffer with it)', { timeout: 20_000 }, async (isolated) => {
    const server = await serveStatic({ root, crossOriginIsolated: isolated });
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}index.html`);
      expect(await page.evaluate(() => [self.crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([isolated, isolated ? 'function' : 'undefined']);
    } finally {
      await page.close();
      await server.close();
    }
  });
});

it('no other file of the repository starts an HTTP server', () => {
  const offenders = sourceFiles(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'])
    .filter((file) => file !== SERVER && file !== SELF)
    .filter((file) => /\bcreateServer\s*\(/.test(readFileSync(path.join(repoRoot, file), 'utf8')));
  expect(offenders).toEqual([]);
});
