#!/usr/bin/env node
// CI's dependency audit: `pnpm audit --prod` through the rules of docs/scripts/audit-filter.ts. Fails (exit 1) on
// a critical or high advisory that .ci/audit-allowlist.json does not allow (an expired entry allows nothing).
// When pnpm gets no report (the registry's audit endpoint unreachable or refusing, as behind some proxies), it says
// so and passes, since nothing was checked; TANDEM_AUDIT_REQUIRED=1 makes that a failure (exit 2) instead.
// Run with `node --import tsx .ci/audit.mjs` (the rules are TypeScript, tested by the docs project).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { allowlistSchema, readReport, summary, triage } from '../docs/scripts/audit-filter.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const allowlistPath = fileURLToPath(new URL('audit-allowlist.json', import.meta.url));

const allowlist = allowlistSchema.safeParse(JSON.parse(await readFile(allowlistPath, 'utf8')));
if (!allowlist.success) {
  console.error(`audit: ${allowlistPath} is not a valid allowlist:\n${allowlist.error.message}`);
  process.exit(1);
}

// pnpm audit exits non-zero whenever it finds anything; its JSON on stdout is what counts.
const stdout = await promisify(execFile)('pnpm', ['audit', '--prod', '--json'], {
  cwd: root,
  maxBuffer: 64 * 1024 * 1024,
}).then(
  (done) => done.stdout,
  (error) => (typeof error.stdout === 'string' ? error.stdout : ''),
);

const report = readReport(stdout);
if ('error' in report) {
  const required = process.env.TANDEM_AUDIT_REQUIRED === '1';
  console.warn(
    `audit: NO REPORT, nothing was checked: ${report.error}\n` +
      (required
        ? 'TANDEM_AUDIT_REQUIRED=1: failing.'
        : 'Passing; set TANDEM_AUDIT_REQUIRED=1 to fail instead.'),
  );
  process.exit(required ? 2 : 0);
}

const result = triage(report.advisories, allowlist.data, new Date());
console.log(
  `audit: ${report.advisories.length} advisories in the production dependencies.\n${summary(result)}`,
);
process.exit(result.blocking.length ? 1 : 0);
