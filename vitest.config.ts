import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'e2e'],
    // `pnpm test --coverage` (CI): V8 coverage of the sources, enforced at the tracking document's 80% of lines for
    // the domain and the server; .ci/coverage-by-package.mjs prints the figures per package.
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**', 'apps/*/src/**'],
      exclude: ['**/*.test.{ts,tsx}', '**/test/**', '**/testing/**'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        'packages/core/src/**': { lines: 80 },
        'apps/server/src/**': { lines: 80 },
      },
    },
  },
});
