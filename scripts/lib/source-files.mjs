// The repository's own files as git sees them: the tracked ones, and new ones not yet added that
// .gitignore does not exclude (so a check run before `git add` sees them too); never node_modules,
// build outputs or test/.tmp, which .gitignore excludes. Used by scripts/check-duplicates.mjs,
// test/chromium-launch.test.ts and test/static-server.test.ts.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is scripts/lib/source-files.mjs). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Repository-relative paths (with `/`) of the files whose names end with one of `endings`.
 * @param {readonly string[]} endings e.g. ['.ts', '.mjs']
 * @param {string} [root]
 * @returns {string[]}
 */
export function sourceFiles(endings, root = repoRoot) {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  // --cached still lists a tracked file deleted in the working tree.
  return [...new Set(listed.split('\0'))].filter((file) => file && endings.some((e) => file.endsWith(e)) && existsSync(path.join(root, file))).sort();
}
