// Node, Deno and Bun (ESM): labelsmooth/tfjs from the installed tarball, with @tensorflow/tfjs-core installed.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as lt from 'labelsmooth/tfjs';
import { smoke } from './smoke-core.mjs';

console.log(JSON.stringify(await smoke(tf, lt)));
