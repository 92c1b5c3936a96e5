// Serves the demo page on localhost only (127.0.0.1): builds demo/dist/ first, then serves it with
// the repository's static server (scripts/lib/static-server.mjs: files only, nothing outside
// demo/dist/).
//   node demo/serve.mjs [--port N]        (default 8080, or $PORT; 0 picks a free port)
import { serveStatic } from '../scripts/lib/static-server.mjs';
import { buildDemo, distDir } from './build.mjs';

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

const port = portFromArgs(process.argv.slice(2));
try {
  buildDemo();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
serveStatic({ root: distDir, port, log: (s) => console.error(s) }).then(
  ({ url }) => console.log(`labelsmooth demo: ${url}  (Ctrl-C stops it)`),
  (e) => {
    console.error(`demo/serve.mjs: cannot listen on 127.0.0.1:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (try --port 0 or another port)' : e.message}`);
    process.exit(1);
  },
);
