#!/usr/bin/env node
// Repeated code in the repository's own sources, one of the habits of `npm test` (scripts/test.sh).
// Reads the Rust, TypeScript and JavaScript files git knows (scripts/lib/source-files.mjs; not
// the fixtures under any `fixtures/` directory, not a file marked @generated or DO NOT EDIT in its
// first lines), normalises each line (whitespace folded; blank lines, comment-only lines,
// import/use lines and lines of lone punctuation left out) and lists every run of at least
// MIN_LINES consecutive normalised lines that stands in two places: two files, or two places of
// one file that do not overlap. Each pair is printed as `a:10-24 ~ b:40-54`, with the lines of
// the files as they are.
//   node scripts/check-duplicates.mjs [--min-lines N]
// Pairs of files that are alike on purpose (and the pairs another change is removing) are listed
// with their reason in scripts/duplicates-allowed.txt. Exit 1 when a pair is not allowed there,
// or when an entry there is malformed or matches no pair any more (so the list stays true).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, sourceFiles } from './lib/source-files.mjs';

const MIN_LINES_DEFAULT = 6;
const ENDINGS = ['.rs', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const ALLOWED_FILE = 'scripts/duplicates-allowed.txt';

/** Whether a file is left out: a fixture, or generated (a marker in its first five lines). */
function leftOut(file, text) {
  if (file.split('/').includes('fixtures')) return true;
  const head = text.split('\n', 5).join('\n');
  return /@generated|DO NOT EDIT/.test(head);
}

const LONE_PUNCTUATION = /^[()[\]{};,.:?]+$/;
const RUST_VISIBILITY = String.raw`(pub(\([\w:]+\))?\s+)?`;
// An import, re-export or require (JS/TS), a `use`, `mod x;` or `extern crate` (Rust).
const IMPORT = new RegExp(String.raw`^(import[\s{*'"]|export\s+(type\s+)?(\*|\{[^}]*\}\s*from\b)|(const|let|var)\s+[\w{}\s,:]+=\s*require\(|${RUST_VISIBILITY}(use\s|mod\s+\w+\s*;|extern\s+crate\s))`);
// The first line of an import that goes on over more lines: `import {` (no module named yet) …
// `} from '…';`, `export {` … `}`, `use a::{` (no `;` yet) … `};`.
const IMPORT_OPENS = new RegExp(String.raw`^(import\s[^'"]*|export\s+(type\s+)?\{[^}]*|${RUST_VISIBILITY}use\s[^;]*)$`);
const IMPORT_CLOSES = /\bfrom\s*['"]|^\}\s*;?$/;

/**
 * The lines of a file that count, normalised, each with its line number (1-based).
 * @param {string} text
 * @returns {{ text: string, line: number }[]}
 */
export function normalisedLines(text) {
  const kept = [];
  let inBlockComment = false;
  let inImport = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim().replace(/\s+/g, ' ');
    if (inBlockComment) {
      if (line.includes('*/')) inBlockComment = false;
      return;
    }
    if (inImport) {
      if (IMPORT_CLOSES.test(line)) inImport = false;
      return;
    }
    if (line === '' || line.startsWith('//')) return;
    if (line.startsWith('/*')) {
      if (!line.includes('*/')) inBlockComment = true;
      return;
    }
    if (line.startsWith('*')) return; // inside a /** */ block
    if (IMPORT_OPENS.test(line)) {
      inImport = true;
      return;
    }
    if (IMPORT.test(line) || LONE_PUNCTUATION.test(line.replace(/\s/g, ''))) return;
    kept.push({ text: line, line: i + 1 });
  });
  return kept;
}

/**
 * Every maximal run of at least `minLines` equal normalised lines in two places.
 * @param {{ file: string, lines: { text: string, line: number }[] }[]} files
 * @param {number} minLines
 * @returns {{ a: { file: string, from: number, to: number }, b: { file: string, from: number, to: number }, length: number, first: string }[]}
 */
export function findDuplicates(files, minLines) {
  const places = new Map();
  files.forEach(({ lines }, f) => {
    for (let p = 0; p + minLines <= lines.length; p++) {
      const key = lines
        .slice(p, p + minLines)
        .map((l) => l.text)
        .join('\n');
      let list = places.get(key);
      if (!list) places.set(key, (list = []));
      list.push([f, p]);
    }
  });
  const same = (fa, pa, fb, pb) => pa >= 0 && pb >= 0 && pa < files[fa].lines.length && pb < files[fb].lines.length && files[fa].lines[pa].text === files[fb].lines[pb].text;
  const pairs = [];
  for (const list of places.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [fa, pa] = list[i];
        const [fb, pb] = list[j];
        // Only where the run starts: the same pair one line earlier belongs to a longer run.
        if (same(fa, pa - 1, fb, pb - 1)) continue;
        let length = minLines;
        while (same(fa, pa + length, fb, pb + length)) length++;
        // Two places of one file must not overlap: a run repeating itself is one place.
        if (fa === fb) length = Math.min(length, pb - pa);
        if (length < minLines) continue;
        const at = (f, p) => ({ file: files[f].file, from: files[f].lines[p].line, to: files[f].lines[p + length - 1].line });
        pairs.push({ a: at(fa, pa), b: at(fb, pb), length, first: files[fa].lines[pa].text });
      }
    }
  }
  return pairs.sort((x, y) => y.length - x.length || x.a.file.localeCompare(y.a.file) || x.a.from - y.a.from);
}

/**
 * The allow-list: `a ~ b  # reason` per line; `#` lines and blank lines are comments.
 * @returns {{ entries: { a: string, b: string, reason: string, lineNo: number }[], problems: string[] }}
 */
export function readAllowList(text) {
  const entries = [];
  const problems = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = line.match(/^(\S+)\s*~\s*(\S+)\s+#\s*(\S.*)$/);
    if (!m) problems.push(`${ALLOWED_FILE}:${i + 1}: expected \`a/file ~ b/file  # the reason they are alike\`, found: ${line}`);
    else entries.push({ a: m[1], b: m[2], reason: m[3], lineNo: i + 1 });
  });
  return { entries, problems };
}

const pairKey = (a, b) => [a, b].sort().join(' ~ ');

/**
 * The check over the repository at `root`: the repeated runs not allowed, and the problems of the
 * allow-list (malformed entries, entries that match nothing).
 * @param {{ root?: string, minLines?: number }} [options]
 */
export function checkDuplicates({ root = repoRoot, minLines = MIN_LINES_DEFAULT } = {}) {
  const files = sourceFiles(ENDINGS, root)
    .map((file) => ({ file, text: readFileSync(path.join(root, file), 'utf8') }))
    .filter(({ file, text }) => !leftOut(file, text))
    .map(({ file, text }) => ({ file, lines: normalisedLines(text) }));
  const pairs = findDuplicates(files, minLines);
  const { entries, problems } = readAllowList(readFileSync(path.join(root, ALLOWED_FILE), 'utf8'));
  const allowed = new Set(entries.map((e) => pairKey(e.a, e.b)));
  const reported = pairs.filter((p) => !allowed.has(pairKey(p.a.file, p.b.file)));
  const matched = new Set(pairs.map((p) => pairKey(p.a.file, p.b.file)));
  for (const e of entries) {
    if (!matched.has(pairKey(e.a, e.b))) problems.push(`${ALLOWED_FILE}:${e.lineNo}: ${e.a} ~ ${e.b} share no run of ${minLines} lines any more: remove the entry`);
  }
  return { files: files.length, allowedCount: pairs.length - reported.length, reported, problems };
}

function main(argv) {
  let minLines = MIN_LINES_DEFAULT;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--min-lines' && /^\d+$/.test(argv[i + 1] ?? '') && Number(argv[i + 1]) >= 2) minLines = Number(argv[++i]);
    else {
      console.error(`check-duplicates: unknown or incomplete argument '${argv[i]}' (usage: node scripts/check-duplicates.mjs [--min-lines N], N ≥ 2)`);
      return 2;
    }
  }
  const { files, allowedCount, reported, problems } = checkDuplicates({ minLines });
  for (const p of reported) console.log(`${p.a.file}:${p.a.from}-${p.a.to} ~ ${p.b.file}:${p.b.from}-${p.b.to}  (${p.length} lines, from: ${p.first.slice(0, 80)})`);
  for (const problem of problems) console.log(problem);
  console.log(
    `check-duplicates: ${files} files, ${reported.length} repeated run(s) of ≥ ${minLines} lines to remove` +
      `${allowedCount ? ` (${allowedCount} more in pairs allowed by ${ALLOWED_FILE})` : ''}${problems.length ? `, ${problems.length} problem(s) in ${ALLOWED_FILE}` : ''}`,
  );
  return reported.length || problems.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
