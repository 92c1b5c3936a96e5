// How many cores this machine gives now: the work one and two worker threads of plain
// JavaScript (a busy loop, no labelsmooth) get done in the same 2 s, and the ratio. Near 2 on an
// idle 2-core machine; below 1 when other processes hold the cores, and then no threaded
// benchmark can show a speed-up (bench/threads.mjs; README, "Performance").
//   node bench/cores.mjs
import { Worker } from 'node:worker_threads';

const loop = `const { parentPort } = require('node:worker_threads');
let x = 0, rounds = 0;
const t0 = Date.now();
while (Date.now() - t0 < 2000) { for (let i = 0; i < 1e6; i++) x += Math.sqrt(i); rounds++; }
parentPort.postMessage(rounds + (x < 0 ? 1 : 0));`;
const work = async (threads) => {
  const done = await Promise.all(Array.from({ length: threads }, () => new Promise((resolve) => new Worker(loop, { eval: true }).once('message', resolve))));
  return done.reduce((a, b) => a + b, 0);
};
const one = await work(1);
const two = await work(2);
console.log(`work in 2 s: 1 thread ${one}, 2 threads ${two}, ratio ${(two / one).toFixed(2)}`);
