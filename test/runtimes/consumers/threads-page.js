// The consumer apps' threads page (copied to src/threads-page.js of each, loaded by threads.html):
// labelsmooth runs in a module web worker (a page's main thread cannot wait for workers), which the
// bundler builds from `new Worker(new URL(…, import.meta.url))` as an app writes it.
const out = (value) => (document.getElementById('result').textContent = JSON.stringify(value));
const worker = new Worker(new URL('./threads-worker.js', import.meta.url), { type: 'module' });
worker.onmessage = (e) => out({ isolated: crossOriginIsolated, worker: e.data });
worker.onerror = (e) => out({ failed: `the app's worker failed: ${e.message}` });
