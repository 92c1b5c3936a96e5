// The one Chromium launcher of the repository: the browser tests (vitest.config.mjs), the demo page
// test, the runtime tests and the benchmark (bench/run.mjs) all start Chromium from here.
// The binary is $CHROMIUM_PATH, else Debian's /usr/bin/chromium (scripts/setup.sh installs it; no
// tool may download a browser of its own), driven by playwright-core.
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Headless in a container, as root, on a machine with no network but the loopback:
// --no-sandbox (Chromium refuses to start its sandbox as root), --disable-gpu (no GPU),
// --disable-background-networking, --disable-component-update, --disable-sync and --disable-quic
// (no connection Chromium would open by itself: each would be refused), --no-first-run.
// Headless is playwright's `headless: true` (its default), which passes --headless: Chromium's
// only headless mode since version 132.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * Launches headless Chromium with the binary and flags above.
 * @param {import('playwright-core').LaunchOptions} [options] more launch options (not the binary or the flags)
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchChromium(options = {}) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw new Error(`playwright-core is not installed (npm install): ${e instanceof Error ? e.message : e}`);
  }
  return chromium.launch({ ...options, headless: true, executablePath: chromiumPath, args: chromiumArgs });
}
