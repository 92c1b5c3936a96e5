// Every Chromium the tests launch comes from test/helpers/chromium.mjs ($CHROMIUM_PATH, else
// Debian's /usr/bin/chromium): no test file or config names a browser binary of its own.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { chromiumPath } from './helpers/chromium.mjs';

const root = path.resolve(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '.tmp' || entry.name === 'node_modules' ? [] : sources(file);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [file] : [];
  });
}

it('takes the path from $CHROMIUM_PATH when it is set', () => {
  expect(chromiumPath).toBe(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
});

it('every launch in the tests and the vitest config uses test/helpers/chromium.mjs', () => {
  const helper = path.join(root, 'test/helpers/chromium.mjs');
  const offenders = [...sources(path.join(root, 'test')), path.join(root, 'vitest.config.mjs')]
    .filter((file) => file !== helper && file !== __filename)
    .filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /['"`]\/usr\/bin\/chromium['"`]|process\.env\.CHROMIUM_PATH/.test(text) || /executablePath:\s*(?!\s|chromiumPath\b)/.test(text);
    })
    .map((file) => path.relative(root, file));
  expect(offenders).toEqual([]);
});
