// The README's line for vite's dev server with threads: leave labelsmooth out of the dependency
// pre-bundling, which moves its script away from the two files it fetches from beside itself.
import app from './vite.config.mjs';

export default { ...app, optimizeDeps: { exclude: ['labelsmooth'] } };
