// The vite app's entry (copied to src/main.js): labelsmooth/tfjs in a browser, after init().
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { init } from 'labelsmooth';
import * as lt from 'labelsmooth/tfjs';
import { smoke } from './smoke-core.mjs';

const out = document.getElementById('result');
init()
  .then(() => smoke(tf, lt))
  .then((results) => (out.textContent = JSON.stringify(results)))
  .catch((e) => (out.textContent = JSON.stringify({ failed: String(e && e.stack ? e.stack : e) })));
