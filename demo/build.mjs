// Builds the static demo page into demo/dist/: the page's files and a copy of the package's
// browser build (packages/labelsmooth/dist/browser.mjs, made by `npm run build`) next to them as
// labelsmooth.mjs, which app.js imports. Run: node demo/build.mjs
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const demoDir = here;
export const distDir = path.join(here, 'dist');
export const browserBuild = path.resolve(here, '../packages/labelsmooth/dist/browser.mjs');
const PAGE_FILES = ['index.html', 'app.js', 'style.css'];

/** Copies the page and the browser build into demo/dist/; returns that directory. */
export function buildDemo() {
  if (!existsSync(browserBuild)) {
    throw new Error(`demo: ${path.relative(process.cwd(), browserBuild)} is missing: run \`npm run build\` first`);
  }
  mkdirSync(distDir, { recursive: true });
  const copy = (from, name) => {
    // Copy then rename, so a server reading the directory never sees half a file.
    const tmp = path.join(distDir, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    copyFileSync(from, tmp);
    renameSync(tmp, path.join(distDir, name));
  };
  for (const name of PAGE_FILES) copy(path.join(here, name), name);
  copy(browserBuild, 'labelsmooth.mjs');
  return distDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const dir = buildDemo();
    console.log(`demo: built ${path.relative(process.cwd(), dir) || dir} (serve it with: node demo/serve.mjs)`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
