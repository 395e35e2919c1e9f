// End-to-end project: a real server process, a real database and Debian's Chromium, one file at a time.
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'e2e',
    include: ['tests/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    globalSetup: [fileURLToPath(new URL('./global-setup.ts', import.meta.url))],
    // Each file runs a server and a browser; two cores cannot take two of those at once.
    fileParallelism: false,
    // A browser test on a loaded two-core CI machine can lose a race with its own page (a frame late, a socket
    // slow to reconnect). One that fails twice in a row is a real failure; once, it is retried and vitest reports
    // the retry, so the flake is visible and gets fixed rather than costing a whole run.
    retry: 1,
  },
});
