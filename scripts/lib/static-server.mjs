// The one static file server of the repository: the demo (demo/serve.mjs), the benchmark's
// Chromium run (bench/run.mjs) and the tests that load pages (test/demo-page.test.ts,
// test/runtimes/browsers.test.ts) serve their files with it.
// On 127.0.0.1 only; GET and HEAD only; files only (a path ending in / means its index.html), no
// directory listing, nothing outside the root; no caching, so a page always gets the latest build.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

/** The content type of each kind of file the pages load; anything else is application/octet-stream. */
export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// Cross-origin isolation (what SharedArrayBuffer, so wasm threads, needs): the page's browsing
// context is its own (COOP) and it embeds only resources that allow it (COEP); every file here is
// same-origin, so nothing else is needed.
const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * Serves the files under `root` on 127.0.0.1.
 * @param {object} options
 * @param {string} options.root the directory served as `/`
 * @param {number} [options.port] 0 (the default) lets the system pick a free port
 * @param {boolean} [options.crossOriginIsolated] send the COOP and COEP headers with every response
 * @param {(line: string) => void} [options.log] told of each request that gets an error status
 * @returns {Promise<{ server: import('node:http').Server, port: number, url: string, close(): Promise<void> }>}
 *   `url` is `http://127.0.0.1:PORT/`; it rejects when the port cannot be listened on.
 */
export function serveStatic({ root, port = 0, crossOriginIsolated = false, log = () => {} }) {
  const base = path.resolve(root);
  const extraHeaders = crossOriginIsolated ? ISOLATION_HEADERS : {};
  const server = createServer((req, res) => {
    const send = (status, text) => {
      log(`${status} ${req.method} ${req.url}`);
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...extraHeaders });
      res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (pathname.includes('\0')) return send(400, 'bad request');
    if (pathname.endsWith('/')) pathname += 'index.html';
    // The URL parser removes ../ segments, but an encoded separator (..%2f) comes back from
    // decodeURIComponent as one: the resolved path is checked, not the request.
    const file = path.resolve(base, `.${pathname}`);
    if (!file.startsWith(base + path.sep)) return send(403, 'forbidden');
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) return send(404, 'not found');
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...extraHeaders,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file)
      .on('error', (e) => res.destroy(e))
      .pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const actual = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
      resolve({
        server,
        port: actual,
        url: `http://127.0.0.1:${actual}/`,
        // Ends kept-alive connections too: a browser may still hold one open.
        close: () =>
          new Promise((done) => {
            server.close(() => done(undefined));
            server.closeAllConnections();
          }),
      });
    });
  });
}
