#!/usr/bin/env node
// The labelsmooth benchmark runner: runs bench/bench.mjs in Node, Bun, Deno and headless Chromium,
// one runtime after another, merges the results and writes bench/results/latest.{json,md,svg}.
// Usage: `node bench/run.mjs --help` (USAGE below).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../scripts/lib/chromium.mjs';
import { serveStatic } from '../scripts/lib/static-server.mjs';
import { GROUPS } from './bench.mjs';
import { renderMarkdown, renderSvg } from './report.mjs';
import { replaceReadmeBlock } from './report-threads.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `Usage: node bench/run.mjs [options]
  (no option)         full mode: 3 large shapes, every runtime (several minutes); writes bench/results/
  --quick             tiny shapes, Node only, for CI (well under a minute); writes target/bench-quick/
  --runtimes LIST     a subset of node,bun,deno,chromium
  --no-tfjs           leave out the tfjs rows
  --out DIR           write the results into DIR
  --no-build          do not run scripts/build.sh first
  --render            only re-render latest.md and latest.svg from latest.json (and the
                      README's threads and relaxed tables, from bench/results/ only)
  --shapes NxK,...    only these shapes, e.g. 8192x1000,16x32000 (writes target/bench-partial/)
  --only GROUPS       only these groups of rows, among ${GROUPS.join(', ')} (likewise)
  -h, --help          print this and exit`;
const FLAGS = ['--quick', '--no-tfjs', '--no-build', '--render', '--help', '-h'];
const VALUED = ['--runtimes', '--out', '--shapes', '--only'];
const RUNTIMES = ['node', 'bun', 'deno', 'chromium'];
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const say = (line) => process.stderr.write(`${line}\n`);
if (flag('--help') || flag('-h')) {
  console.log(USAGE);
  process.exit(0);
}
for (let i = 0; i < args.length; i++) {
  if (VALUED.includes(args[i]) && i + 1 < args.length) i++;
  else if (!FLAGS.includes(args[i])) {
    say(`[bench] ${VALUED.includes(args[i]) ? `${args[i]} needs a value` : `unknown argument '${args[i]}'`}\n${USAGE}`);
    process.exit(2);
  }
}
const quick = flag('--quick');
const partial = flag('--shapes') || flag('--only');
const runtimes = value('--runtimes', quick || partial ? 'node' : 'node,bun,deno,chromium').split(',');
if (!runtimes.every((r) => RUNTIMES.includes(r))) {
  say(`[bench] --runtimes takes names among ${RUNTIMES.join(', ')}, received ${runtimes.join(',')}`);
  process.exit(2);
}
// Quick and partial runs must not overwrite the committed full results that the README embeds.
const outDir = value('--out', join(root, quick ? 'target/bench-quick' : partial ? 'target/bench-partial' : 'bench/results'));
const noTf = flag('--no-tfjs');
if (flag('--shapes') && !/^[1-9]\d*[x×][1-9]\d*(,[1-9]\d*[x×][1-9]\d*)*$/.test(value('--shapes') ?? '')) {
  say(`[bench] --shapes takes N×K pairs such as 8192x1000,16x32000, received ${value('--shapes')}`);
  process.exit(2);
}
if (flag('--only') && !(value('--only') ?? '').split(',').every((g) => GROUPS.includes(g))) {
  say(`[bench] --only takes groups among ${GROUPS.join(', ')}, received ${value('--only')}`);
  process.exit(2);
}

/**
 * The README's block of threads and relaxed × simd128 tables (report-threads.mjs), from a full
 * run's results only: quick and partial runs, and other --out directories, leave it as it is.
 */
function updateReadme(m) {
  if (outDir !== join(root, 'bench/results') || m.mode !== 'full') return;
  const readme = join(root, 'README.md');
  writeFileSync(readme, replaceReadmeBlock(readFileSync(readme, 'utf8'), m));
  say(`[bench] wrote the threads and relaxed tables of ${readme}`);
}

// --render: rewrite latest.md and latest.svg from latest.json (after changing report.mjs).
if (flag('--render')) {
  const m = JSON.parse(readFileSync(join(outDir, 'latest.json'), 'utf8'));
  writeFileSync(join(outDir, 'latest.md'), renderMarkdown(m));
  writeFileSync(join(outDir, 'latest.svg'), renderSvg(m));
  say(`[bench] rendered ${join(outDir, 'latest.md')} and latest.svg from latest.json`);
  updateReadme(m);
  process.exit(0);
}

const started = Date.now();
if (!flag('--no-build')) {
  say('[bench] building what is stale (scripts/build.sh)');
  const b = spawnSync('bash', ['scripts/build.sh', '--quiet'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
for (const f of ['packages/labelsmooth/dist/index.mjs', 'packages/labelsmooth/dist/browser.mjs', 'packages/labelsmooth/wasm/simd128/labelsmooth_wasm_bg.wasm']) {
  if (!existsSync(join(root, f))) {
    say(`[bench] ${f} is missing: run npm run build first`);
    process.exit(1);
  }
}

const tmp = join(os.tmpdir(), `labelsmooth-bench-${process.pid}`);
mkdirSync(tmp, { recursive: true });

/** Runs a child process, streaming its progress lines (stderr) to ours. */
function run(cmd, cmdArgs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
    let buffered = '';
    child.stderr.on('data', (d) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const l of lines) if (l.trim()) say(l);
    });
    child.on('error', (e) => resolve({ code: -1, error: e.message }));
    child.on('close', (code) => {
      if (buffered.trim()) say(buffered);
      resolve({ code });
    });
  });
}

// The pool's rows (bench/threads-rows.mjs): the `threads` group (in --quick one tiny shape).
const threadsWanted = !flag('--only') || value('--only').split(',').includes('threads');
const passOn = ['--shapes', '--only'].flatMap((name) => (flag(name) ? [name, value(name)] : []));
const serverArgs = ['bench/node-entry.mjs', ...(quick ? ['--quick'] : []), ...(noTf ? ['--no-tfjs'] : []), ...passOn];
const npxBin = (name) => {
  const local = join(root, 'node_modules/.bin', name);
  return existsSync(local) ? local : name;
};

const relaxedNodeFlags = Number(process.versions.node.split('.')[0]) < 21 ? ['--experimental-wasm-relaxed-simd'] : [];

async function runServerRuntime(name) {
  const out = join(tmp, `${name}.json`);
  const commands = {
    // Node 20 runs the relaxed-simd build only with V8's flag (Node ≥ 21 by default).
    node: [process.execPath, [...relaxedNodeFlags, ...serverArgs, '--out', out]],
    bun: [npxBin('bun'), ['run', ...serverArgs, '--out', out]],
    deno: [npxBin('deno'), ['run', '--allow-read', '--allow-write', '--allow-env', '--allow-sys', ...serverArgs, '--out', out]],
  };
  const [cmd, cmdArgs] = commands[name];
  const r = await run(cmd, cmdArgs);
  if (r.code !== 0 || !existsSync(out)) return { error: `${name} exited with ${r.code}${r.error ? `: ${r.error}` : ''}` };
  return JSON.parse(readFileSync(out, 'utf8'));
}

async function runChromium() {
  let browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    return { error: `chromium: ${e.message}` };
  }
  // The page loads the repository's files: the package's builds, bench/ and tfjs from node_modules.
  const server = await serveStatic({ root });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => say(m.text()));
    page.on('pageerror', (e) => say(`[chromium] page error: ${e.message}`));
    const lsVersion = JSON.parse(readFileSync(join(root, 'packages/labelsmooth/package.json'), 'utf8')).version;
    const partialParams = ['shapes', 'only'].map((name) => (flag(`--${name}`) ? `&${name}=${encodeURIComponent(value(`--${name}`))}` : '')).join('');
    await page.goto(`${server.url}bench/browser.html?quick=${quick ? 1 : 0}&tfjs=${noTf ? 0 : 1}&lsVersion=${lsVersion}${partialParams}`);
    await page.waitForFunction(() => window.__benchResult || window.__benchError, null, { timeout: 30 * 60 * 1000, polling: 500 });
    const { result, error } = await page.evaluate(() => ({ result: window.__benchResult, error: window.__benchError }));
    if (error) return { error: `chromium: ${error}` };
    result.runtime.version = browser.version();
    if (threadsWanted) {
      const loadAverage = os.loadavg()[0];
      const threads = await runChromiumThreads(browser).catch((e) => ({ error: e.message }));
      result.threads = { ...threads, loadAverage };
    }
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * The threads rows in Chromium: a module worker of a page served cross-origin isolated (COOP/COEP,
 * which SharedArrayBuffer needs), on a server of its own so that the single-thread page above
 * (and tfjs-wasm's choice of build) is served as before.
 */
async function runChromiumThreads(browser) {
  const server = await serveStatic({ root, crossOriginIsolated: true });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => say(m.text()));
    page.on('pageerror', (e) => say(`[chromium] threads page error: ${e.message}`));
    const shapes = flag('--shapes') ? `&shapes=${encodeURIComponent(value('--shapes'))}` : '';
    await page.goto(`${server.url}bench/threads.html?quick=${quick ? 1 : 0}${shapes}`);
    await page.waitForFunction(() => window.__threadsResult || window.__threadsError, null, { timeout: 30 * 60 * 1000, polling: 500 });
    const { result, error } = await page.evaluate(() => ({ result: window.__threadsResult, error: window.__threadsError }));
    return error ? { error } : result;
  } finally {
    await server.close();
  }
}

const results = [];
const failures = [];
for (const [i, name] of runtimes.entries()) {
  say(`[bench] ${name}: starting (${i + 1}/${runtimes.length})`);
  const t0 = Date.now();
  const r = name === 'chromium' ? await runChromium() : await runServerRuntime(name);
  if (r.error) {
    failures.push(r.error);
    say(`[bench] ${name}: FAILED: ${r.error}`);
  } else {
    r.seconds = (Date.now() - t0) / 1000;
    results.push(r);
    // The single-thread rows stand; the run still fails (the report shows the error too).
    if (r.threads?.error) failures.push(`${name} threads: ${r.threads.error}`);
    say(`[bench] ${name}: done in ${r.seconds.toFixed(0)} s`);
  }
}
rmSync(tmp, { recursive: true, force: true });

const cpus = os.cpus();
const merged = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : partial ? 'partial' : 'full',
  durationSeconds: (Date.now() - started) / 1000,
  machine: {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
  },
  versions: {
    labelsmooth: JSON.parse(readFileSync(join(root, 'packages/labelsmooth/package.json'), 'utf8')).version,
    tfjs: JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version,
    tfjsBackendWasm: JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/package.json'), 'utf8')).version,
  },
  failures,
  runtimes: results,
};
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'latest.json'), JSON.stringify(merged, null, 1));
writeFileSync(join(outDir, 'latest.md'), renderMarkdown(merged));
writeFileSync(join(outDir, 'latest.svg'), renderSvg(merged));
updateReadme(merged);
say(`[bench] wrote ${join(outDir, 'latest.json')}, latest.md and latest.svg in ${merged.durationSeconds.toFixed(0)} s`);
if (failures.length) {
  say(`[bench] ${failures.length} failure(s): ${failures.join("; ")}`);
  process.exit(1);
}
