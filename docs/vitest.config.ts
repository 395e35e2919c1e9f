import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'docs',
    include: ['test/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 30_000,
    // The suite builds the whole site once (about a minute on a busy machine).
    hookTimeout: 600_000,
  },
});
