// The committed tfjs vectors (fixtures/vectors/tfjs_*.json) are what scripts/vectors/tfjs.mjs
// produces with the installed @tensorflow/tfjs: every output, the random cases' inputs, and the
// recorded versions. A tfjs upgrade that changes a number, or a hand edit of a vector, fails here.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

// One node process that imports tfjs and runs 76 cases on its CPU backend: 1.8–2.1 s measured
// with the other core busy, so the limit is 20 s, not the default 5.
it('scripts/vectors/tfjs.mjs --check finds no difference from the committed tfjs vectors', { timeout: 20_000 }, () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/vectors/tfjs.mjs'), '--check'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toMatch(/tfjs_softmax_cross_entropy\.json: 53 cases, identical/);
  expect(r.stdout).toMatch(/tfjs_sigmoid_cross_entropy\.json: 23 cases, identical/);
});
