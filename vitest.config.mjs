// The test suite runs twice, once against each wasm build (simd128, scalar).
import { defineConfig } from 'vitest/config';

const project = (backend) => ({
  extends: true,
  test: {
    name: backend,
    env: { LABELSMOOTH_BACKEND: backend },
  },
});

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/backend.ts'],
    projects: [project('simd128'), project('scalar')],
  },
});
