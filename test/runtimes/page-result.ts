// Reads the result a test page (test/runtimes/fixtures, the consumer apps) writes into #result.
import type { Browser, Page } from 'playwright-core';

/** Opens `url` and waits until #result holds something other than "pending"; returns it. */
export async function resultOf(browser: Browser, url: string): Promise<string> {
  const page: Page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('result')?.textContent !== 'pending', null, { timeout: 60_000 });
    const text = (await page.textContent('#result')) ?? '';
    if (errors.length) return JSON.stringify({ failed: errors.join('\n') });
    return text;
  } finally {
    await page.close();
  }
}
