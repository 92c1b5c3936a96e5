// Installs the packed package into fresh consumer folders under test/.tmp, the way users get it:
// the runtime and consumer tests never see the workspace. The tarball is the one named by
// LABELSMOOTH_TARBALL (scripts/test.sh packs once for every consumer), else packed here.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

export default function setup(project: TestProject): void {
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
    install(dir, tarball);
  }
  project.provide('tmp', tmp);
  project.provide('tarball', tarball);
}

declare module 'vitest' {
  export interface ProvidedContext {
    tmp: string;
    tarball: string;
  }
}
