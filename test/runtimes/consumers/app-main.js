// The consumer apps' entry (copied to src/main.js of each): imports labelsmooth like any dependency and lets the bundler do the rest.
import * as ls from 'labelsmooth';
import { smoke } from './smoke-core.mjs';

const out = document.getElementById('result');
(async () => {
  const first = await ls.init();
  const results = await smoke(ls, (backend) => ls.init({ backend }));
  results.defaultBackend = first;
  out.textContent = JSON.stringify(results);
})().catch((e) => {
  out.textContent = JSON.stringify({ failed: String(e && e.stack ? e.stack : e) });
});
