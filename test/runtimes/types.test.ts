// The packed package's declarations under each kind of consumer project, with skipLibCheck off so
// that dist/index.d.ts and dist/index.d.cts themselves are checked: Node only (lib es2022 and
// @types/node, no DOM; ESM and CJS resolution: an .mts and a .cts file), DOM only (lib es2022 and
// dom, no @types/node), and Deno (`deno check`). The code checked is consumers/types/uses-api.*.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const dir = path.join(inject('tmp'), 'types-consumer');
const bin = (name: string) => path.resolve('node_modules/.bin', name);

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  cpSync(path.resolve('test/runtimes/consumers/types'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'types-consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--offline', inject('tarball')], { cwd: dir, stdio: 'pipe' });
});

/** Runs a type checker in the consumer folder: its exit status and everything it printed. */
function check(command: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(command, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** tsc with --listFiles: the files of the program, and no error. */
function tsc(project: string): string[] {
  const r = check(process.execPath, [bin('tsc'), '-p', project, '--listFiles']);
  const lines = r.output.trim().split('\n');
  expect(lines.filter((line) => / error TS\d+:/.test(line))).toEqual([]);
  expect(r.status).toBe(0);
  return lines;
}

describe("the package's declarations in consumer projects (skipLibCheck off)", () => {
  it('Node only: lib es2022, types ["node"], module nodenext, an .mts and a .cts file', () => {
    const files = tsc('tsconfig.node.json');
    // Both entry points' declarations are in the program (import → .d.ts, require → .d.cts).
    expect(files.filter((f) => /labelsmooth[\\/]dist[\\/]index\.d\.c?ts$/.test(f))).toHaveLength(2);
    expect(files.some((f) => /lib\.dom\.d\.ts$/.test(f))).toBe(false);
    expect(files.some((f) => /@types[\\/]node[\\/]index\.d\.ts$/.test(f))).toBe(true);
  });

  it('DOM only: lib es2022 and dom, no @types/node, bundler resolution with the browser condition', () => {
    const files = tsc('tsconfig.dom.json');
    expect(files.some((f) => /labelsmooth[\\/]dist[\\/]index\.d\.ts$/.test(f))).toBe(true);
    expect(files.some((f) => /lib\.dom\.d\.ts$/.test(f))).toBe(true);
    expect(files.some((f) => /@types[\\/]node/.test(f))).toBe(false);
  });

  it('Deno: deno check of a module that imports the package', () => {
    const r = check(bin('deno'), ['check', '--quiet', 'uses-api.mts']);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });
});
