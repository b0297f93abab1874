import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'tools/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Compiles and benchmarks share 2 cores: keep files from fighting over them.
    fileParallelism: false,
  },
});
