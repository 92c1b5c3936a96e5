// Serves the demo page on localhost only (127.0.0.1): builds demo/dist/ first, then serves it.
//   node demo/serve.mjs [--port N]        (default 8080, or $PORT; 0 picks a free port)
// Static files only: GET/HEAD, no directory listings, nothing outside demo/dist/.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemo, distDir } from './build.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** Starts the server; resolves to { server, url, port } once it listens. */
export function startServer({ port = 8080, root = distDir, log = () => {} } = {}) {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.resolve(base, `.${pathname}`);
    if (file !== base && !file.startsWith(base + path.sep)) return send(403, 'forbidden');
    let stat;
    try {
      stat = statSync(file);
    } catch {
      log(`404 ${pathname}`);
      return send(404, 'not found');
    }
    if (!stat.isFile()) return send(404, 'not found');
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = server.address().port;
      resolve({ server, port: actual, url: `http://127.0.0.1:${actual}/` });
    });
  });
}

function portFromArgs(argv) {
  let port = process.env.PORT ?? '8080';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') port = argv[++i];
    else if (a.startsWith('--port=')) port = a.slice(7);
    else if (a === '-h' || a === '--help') {
      console.log('Usage: node demo/serve.mjs [--port N]   (default 8080 or $PORT; serves on 127.0.0.1 only)');
      process.exit(0);
    } else {
      console.error(`demo/serve.mjs: unknown argument '${a}' (usage: node demo/serve.mjs [--port N])`);
      process.exit(2);
    }
  }
  if (!/^\d+$/.test(String(port)) || Number(port) > 65535) {
    console.error(`demo/serve.mjs: the port must be an integer in [0, 65535], received '${port}'`);
    process.exit(2);
  }
  return Number(port);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = portFromArgs(process.argv.slice(2));
  try {
    buildDemo();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
  startServer({ port, log: (s) => console.error(s) }).then(
    ({ url }) => console.log(`labelsmooth demo: ${url}  (Ctrl-C stops it)`),
    (e) => {
      console.error(`demo/serve.mjs: cannot listen on 127.0.0.1:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (try --port 0 or another port)' : e.message}`);
      process.exit(1);
    },
  );
}
