// What a vite user writes for an app with two pages (vite's multi-page app) whose dev server is
// cross-origin isolated, as threads need; nothing for labelsmooth (the production build keeps its
// threads' files by itself; the dev server needs vite.config.exclude.mjs, README "Threads").
export default {
  build: { rollupOptions: { input: ['index.html', 'threads.html'] } },
  server: { headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } },
};
