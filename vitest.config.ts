import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // End-to-end tests spawn daemons and a browser; on two shared cores a research run that takes 20 s alone
    // can take twice that beside the rest of the suite, so the limits leave room for a loaded machine. Most of
    // the suite waits on sockets and child processes: with 2 workers it kept 1.25 cores busy and took 344 s,
    // with 3 it takes 248 s, every test passing.
    maxWorkers: 3,
  },
});
