// The consumer apps' worker (copied to src/threads-worker.js of each): imports labelsmooth like any
// dependency and runs the threads check (fixtures/threads-core.mjs) with `init({ threads: 2 })`.
import * as ls from 'labelsmooth';
import { threadsCheck } from './threads-core.mjs';

threadsCheck(ls).then(
  (result) => postMessage({ isolated: crossOriginIsolated, ...result }),
  (e) => postMessage({ failed: String(e && e.stack ? e.stack : e) }),
);
