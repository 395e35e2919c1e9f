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
  },
});
