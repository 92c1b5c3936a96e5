// scripts/check-duplicates.mjs, the repeated-code habit of `npm test`: which lines count, which
// runs are reported (with the files' own line numbers), and the allow-list's rules, on small
// repositories made here.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDuplicates, findDuplicates, normalisedLines, readAllowList } from '../scripts/check-duplicates.mjs';

/** Six statements that count, to repeat; `n` makes them distinct from another block's. */
const block = (n: number) => Array.from({ length: 6 }, (_, i) => `total${n} += values[${i}] * weight;`);

describe('normalisedLines', () => {
  it('keeps code lines with whitespace folded and their line numbers; drops the rest', () => {
    const text = [
      "import { a } from './a';", // 1
      'import {', // 2
      '  b,', // 3
      "} from './b';", // 4
      'use crate::vector::{', // 5
      '    F32Vector,', // 6
      '};', // 7
      'pub(crate) use super::x;', // 8
      "const fs = require('node:fs');", // 9
      '', // 10
      '// a comment', // 11
      '/**', // 12
      ' * JSDoc', // 13
      ' */', // 14
      '/* one-line block */', // 15
      'function   f(x)  {', // 16
      '  return    x + 1;', // 17
      '});', // 18
      '  }', // 19
      'let y = import("./lazy.mjs");', // 20
    ].join('\n');
    expect(normalisedLines(text)).toEqual([
      { text: 'function f(x) {', line: 16 },
      { text: 'return x + 1;', line: 17 },
      { text: 'let y = import("./lazy.mjs");', line: 20 },
    ]);
  });
});

describe('findDuplicates', () => {
  const file = (name: string, lines: string[]) => ({ file: name, lines: normalisedLines(lines.join('\n')) });

  it('reports a run of six lines in two files, with the lines as numbered in each file', () => {
    // In b.ts the run has other indentation and a comment inside it: still the same run.
    const a = file('a.ts', ['let x = 0;', ...block(1), 'x = 1;']);
    const b = file('b.ts', ['// header', '', ...block(1).slice(0, 3).map((l) => `    ${l}`), '// between', ...block(1).slice(3), 'y = 2;']);
    expect(findDuplicates([a, b], 6)).toEqual([{ a: { file: 'a.ts', from: 2, to: 7 }, b: { file: 'b.ts', from: 3, to: 9 }, length: 6, first: block(1)[0] }]);
  });

  it('reports the whole run once, not each window of it', () => {
    const long = [...block(1), ...block(2)];
    const pairs = findDuplicates([file('a.ts', long), file('b.ts', ['x();', ...long])], 6);
    expect(pairs.map((p) => [p.a.from, p.a.to, p.b.from, p.b.to, p.length])).toEqual([[1, 12, 2, 13, 12]]);
  });

  it('does not report five shared lines', () => {
    expect(findDuplicates([file('a.ts', block(1).slice(0, 5)), file('b.ts', block(1).slice(0, 5))], 6)).toEqual([]);
    expect(findDuplicates([file('a.ts', [...block(1).slice(0, 5), 'a();']), file('b.ts', [...block(1).slice(0, 5), 'b();'])], 6)).toEqual([]);
  });

  it('reports two places of one file, but not a run overlapping itself', () => {
    const twice = findDuplicates([file('a.ts', [...block(1), 'other();', ...block(1)])], 6);
    expect(twice.map((p) => [p.a.from, p.a.to, p.b.from, p.b.to])).toEqual([[1, 6, 8, 13]]);
    // Seven equal lines: every two windows overlap, so there are no two places.
    expect(findDuplicates([file('a.ts', Array.from({ length: 7 }, () => 'i += 1;'))], 6)).toEqual([]);
  });
});

describe('readAllowList', () => {
  it('takes `a ~ b  # reason` entries and refuses one without a reason', () => {
    const { entries, problems } = readAllowList(['# comment', '', 'a.ts ~ b.ts  # alike on purpose', 'c.ts ~ d.ts', 'e.ts d.ts # no tilde'].join('\n'));
    expect(entries).toEqual([{ a: 'a.ts', b: 'b.ts', reason: 'alike on purpose', lineNo: 3 }]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/duplicates-allowed\.txt:4: expected/);
    expect(problems[1]).toMatch(/duplicates-allowed\.txt:5: expected/);
  });
});

describe('checkDuplicates over a repository', () => {
  let repo: string | undefined;
  afterEach(() => {
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  /** A git repository with these files (untracked files count as long as .gitignore lets them). */
  function makeRepo(files: Record<string, string>): string {
    repo = mkdtempSync(path.join(tmpdir(), 'labelsmooth-duplicates-'));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
      writeFileSync(path.join(repo, name), text);
    }
    return repo;
  }
  const code = (n: number) => `${block(n).join('\n')}\n`;

  it('reports a pair that is not allowed; leaves out fixtures, generated files, ignored files and other kinds', () => {
    const root = makeRepo({
      'src/a.ts': code(1),
      'src/b.rs': code(1),
      'test/fixtures/copy.ts': code(1),
      'gen/out.ts': `// @generated by a tool\n${code(1)}`,
      'dist/bundle.js': code(1),
      '.gitignore': 'dist/\n',
      'notes.md': code(1),
      'scripts/duplicates-allowed.txt': '',
    });
    const r = checkDuplicates({ root });
    expect(r.files).toBe(2);
    expect(r.reported.map((p) => `${p.a.file} ~ ${p.b.file}`)).toEqual(['src/a.ts ~ src/b.rs']);
    expect(r.problems).toEqual([]);
  });

  it('lets an allowed pair pass, and fails an entry that matches nothing', () => {
    const root = makeRepo({
      'a.mjs': code(1),
      'b.js': code(1),
      'c.ts': code(2),
      'scripts/duplicates-allowed.txt': 'b.js ~ a.mjs  # alike on purpose\na.mjs ~ c.ts  # no longer alike\n',
    });
    const r = checkDuplicates({ root });
    expect(r.reported).toEqual([]);
    expect(r.allowedCount).toBe(1);
    expect(r.problems).toEqual(['scripts/duplicates-allowed.txt:2: a.mjs ~ c.ts share no run of 6 lines any more: remove the entry']);
  });
});
