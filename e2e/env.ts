// The one place the end-to-end harness reads the environment: which browser, database and build it uses.
import path from 'node:path';

export const e2eEnv = {
  /** Debian's Chromium unless told otherwise; Playwright's own browser downloads are never used. */
  chromiumPath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  /** Set (CI): every started server gets its own fresh database on this PostgreSQL. Unset: embedded PGlite. */
  databaseUrl: process.env.DATABASE_URL || undefined,
  /** `TANDEM_E2E_SKIP_BUILD=1` reuses apps/web/dist and apps/server/dist as they are, for quick reruns while writing a test. */
  skipBuild: process.env.TANDEM_E2E_SKIP_BUILD === '1',
  /**
   * `TANDEM_E2E_RECORD=<dir>` (what `pnpm docs:screencasts` sets): the tutorial tests record their main page as a
   * WebM screencast with a poster into this directory. Unset (every normal run): nothing is recorded.
   */
  recordDir: process.env.TANDEM_E2E_RECORD ? path.resolve(process.env.TANDEM_E2E_RECORD) : undefined,
};
