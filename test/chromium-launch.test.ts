// Every Chromium the tests and the benchmark launch comes from scripts/lib/chromium.mjs
// ($CHROMIUM_PATH, else Debian's /usr/bin/chromium, with the flags this machine needs): no other
// file of the repository names a browser binary, its own flags, or calls playwright's launch.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { chromiumPath, launchChromium } from '../scripts/lib/chromium.mjs';
import { repoRoot, sourceFiles } from '../scripts/lib/source-files.mjs';

const LAUNCHER = 'scripts/lib/chromium.mjs';
const SELF = path.relative(repoRoot, __filename).split(path.sep).join('/');

it('takes the path from $CHROMIUM_PATH when it is set', () => {
  expect(chromiumPath).toBe(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
});

it('every launch in the repository uses the one launcher', () => {
  const offenders = sourceFiles(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'])
    .filter((file) => file !== LAUNCHER && file !== SELF)
    .filter((file) => {
      const text = readFileSync(path.join(repoRoot, file), 'utf8');
      return /['"`]\/usr\/bin\/chromium['"`]|process\.env\.CHROMIUM_PATH|chromium\.launch\(|--no-sandbox/.test(text) || /executablePath:\s*(?!\s|chromiumPath\b)/.test(text);
    });
  expect(offenders).toEqual([]);
});

// Starting Chromium and rendering a page: 1.5 s alone, 5.5 s on this 2-core machine with the
// other core busy while the other files of the `node` project start their own Chromium, hence
// 60 s (a fifth: 12 s).
it('launches a headless Chromium that renders a page', { timeout: 60_000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<p id="p">rendered</p>');
    expect(await page.textContent('#p')).toBe('rendered');
    expect(await page.evaluate(() => navigator.userAgent)).toMatch(/HeadlessChrome\//);
  } finally {
    await browser.close();
  }
});
