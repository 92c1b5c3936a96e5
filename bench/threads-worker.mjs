// threads.html's module worker: the threads rows (threads-rows.mjs) with the browser build.
import * as ls from '/packages/labelsmooth/dist/browser.mjs';
import { parseShapes } from './bench.mjs';
import { runThreadRows } from './threads-rows.mjs';

onmessage = async ({ data }) => {
  try {
    const log = (line) => postMessage({ log: line });
    const shapes = data.shapes ? parseShapes(data.shapes) : undefined;
    const result = await runThreadRows({ ls, log, runtime: { name: 'chromium' } }, { quick: data.quick, shapes });
    postMessage({ result: { ...result, isolated: crossOriginIsolated } });
  } catch (e) {
    postMessage({ log: `[chromium] threads failed: ${e?.stack ?? e}`, error: e?.message ?? String(e) });
  }
};
