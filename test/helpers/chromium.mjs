// The Chromium every browser test launches, in one place: $CHROMIUM_PATH, else Debian's
// /usr/bin/chromium (scripts/setup.sh installs it; no test tool may download a browser), with the
// flags for a headless run in a container. Used by vitest.config.mjs (browser projects),
// test/runtimes/chromium.ts and test/demo-page.test.ts.
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
