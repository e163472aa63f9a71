import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // End-to-end tests spawn daemons and a browser; on two shared cores a research run that takes 20 s alone
    // can take twice that beside the rest of the suite, so the limits leave room for a loaded machine, and
    // the workers stay few.
    maxWorkers: 2,
  },
});
