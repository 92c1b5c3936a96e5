// One worker of the pool in a browser (dist/thread-worker-web.mjs, started by loader/browser.ts
// as a module web worker): its first message is the start (module, memory, control block); the
// loop is serve.ts. It says 'exit' before closing, since a web worker has no exit event.
import type { WorkerStart } from './host';
import { serveWorker } from './serve';

const scope = globalThis as unknown as {
  onmessage: ((event: { data: WorkerStart }) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
};
scope.onmessage = (event) => {
  scope.onmessage = null;
  serveWorker(event.data, { ready: () => scope.postMessage('ready') });
  scope.postMessage('exit');
  scope.close();
};
