// Installs the packed package into fresh consumer folders under test/.tmp, the way users get it:
// the runtime and consumer tests never see the workspace. The tarball is the one named by
// LABELSMOOTH_TARBALL (scripts/test.sh packs once for every consumer), else packed here.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = path.join(root, 'test/runtimes');
const tmp = path.join(root, 'test/.tmp');

function install(dir: string, tarball: string): void {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--offline', tarball], { cwd: dir, stdio: 'pipe' });
}

function pack(): string {
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: path.join(root, 'packages/labelsmooth'), encoding: 'utf8' });
  return path.join(tmp, JSON.parse(packed)[0].filename);
}

export default function setup(project: TestProject): () => void {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const tarball = process.env.LABELSMOOTH_TARBALL ? path.resolve(process.env.LABELSMOOTH_TARBALL) : pack();

  // Node, Deno, Bun and plain browser pages share one consumer folder.
  const plain = path.join(tmp, 'consumer');
  mkdirSync(plain);
  writeFileSync(path.join(plain, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  install(plain, tarball);
  for (const file of readdirSync(path.join(here, 'fixtures'))) cpSync(path.join(here, 'fixtures', file), path.join(plain, file));

  // Bundled apps: each its own folder and install.
  for (const app of ['rollup-app', 'vite-app']) {
    const dir = path.join(tmp, app);
    cpSync(path.join(here, 'consumers', app), dir, { recursive: true });
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    cpSync(path.join(here, 'consumers/app-main.js'), path.join(dir, 'src/main.js'));
    cpSync(path.join(here, 'fixtures/smoke-core.mjs'), path.join(dir, 'src/smoke-core.mjs'));
    // The threads page: its script, its worker and the check the worker runs.
    for (const file of ['threads-page.js', 'threads-worker.js']) cpSync(path.join(here, 'consumers', file), path.join(dir, 'src', file));
    cpSync(path.join(here, 'fixtures/threads-core.mjs'), path.join(dir, 'src/threads-core.mjs'));
    install(dir, tarball);
  }
  // labelsmooth/tfjs: a Node project and a vite app with the tarball and @tensorflow/tfjs-core
  // (with its cpu and webgl backends): the peer dependency, linked from this repository's devDependencies
  // (the tests install nothing from a registry). The plain consumer above has no tfjs at all.
  const tfjsFixtures = path.join(here, 'tfjs');
  for (const [name, files] of [
    ['tfjs-consumer', ['smoke-core.mjs', 'smoke.mjs', 'smoke.cjs']],
    ['tfjs-vite-app', ['vite-app/index.html', 'vite-app/package.json', ['vite-app/main.js', 'src/main.js'], ['smoke-core.mjs', 'src/smoke-core.mjs']]],
  ] as const) {
    const dir = path.join(tmp, name);
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
    for (const file of files) {
      const [from, to] = typeof file === 'string' ? [file, path.basename(file)] : file;
      cpSync(path.join(tfjsFixtures, from), path.join(dir, to));
    }
    install(dir, tarball);
    mkdirSync(path.join(dir, 'node_modules/@tensorflow'), { recursive: true });
    for (const pkg of ['tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-webgl']) symlinkSync(path.join(root, 'node_modules/@tensorflow', pkg), path.join(dir, 'node_modules/@tensorflow', pkg), 'dir');
  }
  // A project without tfjs must be outside this repository: Node would find the repository's own
  // node_modules/@tensorflow/tfjs-core from any folder under it.
  const noTfjs = mkdtempSync(path.join(os.tmpdir(), 'labelsmooth-no-tfjs-'));
  writeFileSync(path.join(noTfjs, 'package.json'), JSON.stringify({ name: 'no-tfjs', private: true }));
  install(noTfjs, tarball);
  cpSync(path.join(tfjsFixtures, 'missing-peer.mjs'), path.join(noTfjs, 'missing-peer.mjs'));
  project.provide('noTfjs', noTfjs);
  project.provide('tmp', tmp);
  project.provide('tarball', tarball);
  return () => rmSync(noTfjs, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    tmp: string;
    tarball: string;
    /** A project outside the repository with the tarball and no tfjs. */
    noTfjs: string;
  }
}
