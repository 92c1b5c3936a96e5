// The vite app's entry (copied to src/main.js): labelsmooth/tfjs in a browser, after init(), on
// the tfjs backend named by the page's `?backend=` (cpu, or webgl: the tensors' values are then
// read back from the GPU).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { init } from 'labelsmooth';
import * as lt from 'labelsmooth/tfjs';
import { smoke } from './smoke-core.mjs';

const out = document.getElementById('result');
init()
  .then(() => smoke(tf, lt, new URLSearchParams(location.search).get('backend') ?? 'cpu'))
  .then((results) => (out.textContent = JSON.stringify(results)))
  .catch((e) => (out.textContent = JSON.stringify({ failed: String(e && e.stack ? e.stack : e) })));
