import { describe, expect, it } from 'vitest';
import { allowlistSchema, readReport, summary, triage, type Advisory } from './audit-filter.ts';

const report = JSON.stringify({
  actions: [],
  advisories: {
    '1001': {
      id: 1001,
      github_advisory_id: 'GHSA-aaaa-bbbb-cccc',
      module_name: 'left-pad',
      severity: 'critical',
      title: 'Prototype pollution',
      url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
      patched_versions: '>=1.3.1',
      findings: [{ version: '1.3.0', paths: ['apps/server > left-pad'] }],
    },
    '1002': {
      id: 1002,
      module_name: 'tiny-glob',
      severity: 'high',
      title: 'ReDoS',
      url: 'https://npmjs.com/advisories/1002',
      findings: [],
    },
    '1003': { id: 1003, module_name: 'chalkish', severity: 'moderate', title: 'Meh', findings: [] },
  },
  metadata: { vulnerabilities: { critical: 1, high: 1, moderate: 1 } },
});

function advisories(): Advisory[] {
  const read = readReport(report);
  if ('error' in read) throw new Error(read.error);
  return read.advisories;
}

const entry = (id: string, expires: string) => ({
  id,
  package: 'left-pad',
  reason: 'Only reached by a dev script, never at run time.',
  expires,
});

describe('dependency audit triage', () => {
  it('fails on critical and high advisories, not on lower ones', () => {
    const result = triage(advisories(), { advisories: [] }, new Date('2026-12-06T12:00:00Z'));
    expect(result.blocking.map((b) => b.advisory.id)).toEqual(['GHSA-aaaa-bbbb-cccc', '1002']);
    expect(result.lower.map((a) => a.module)).toEqual(['chalkish']);
    expect(summary(result)).toContain('2 critical/high advisories to fix');
    expect(summary(result)).toContain('via apps/server > left-pad');
  });

  it('lets an entry allow its advisory through its expiry day, by GHSA id or npm number, and no longer', () => {
    const today = new Date('2026-12-06T23:59:00Z');
    const current = triage(
      advisories(),
      { advisories: [entry('GHSA-aaaa-bbbb-cccc', '2026-12-06'), entry('1002', '2027-01-31')] },
      today,
    );
    expect(current.blocking).toEqual([]);
    expect(current.allowed.map((a) => a.entry.expires)).toEqual(['2026-12-06', '2027-01-31']);
    expect(summary(current)).toContain('No critical or high advisory left.');

    const expired = triage(
      advisories(),
      { advisories: [entry('GHSA-aaaa-bbbb-cccc', '2026-12-05'), entry('1002', '2027-01-31')] },
      today,
    );
    expect(expired.blocking).toMatchObject([
      { advisory: { module: 'left-pad' }, expired: { expires: '2026-12-05' } },
    ]);
    expect(summary(expired)).toContain('its allowlist entry expired on 2026-12-05');
  });

  it('names entries that match nothing any more', () => {
    const result = triage(
      advisories(),
      { advisories: [entry('GHSA-gone-gone-gone', '2030-01-01')] },
      new Date(),
    );
    expect(result.unused.map((e) => e.id)).toEqual(['GHSA-gone-gone-gone']);
  });

  it('reads a failed audit as no report, never as a clean one', () => {
    expect(
      readReport(
        JSON.stringify({ error: { code: 'ERR_PNPM_AUDIT_BAD_RESPONSE', message: 'responded with 405' } }),
      ),
    ).toEqual({ error: 'responded with 405' });
    const errorOf = (stdout: string) => {
      const read = readReport(stdout);
      return 'error' in read ? read.error : 'a report';
    };
    expect(errorOf('')).toContain('no JSON');
    expect(errorOf('{"something":"else"}')).toContain('unexpected report shape');
  });

  it('refuses allowlist entries without a reason or a real expiry date', () => {
    expect(allowlistSchema.safeParse({ advisories: [entry('1002', '2027-01-31')] }).success).toBe(true);
    expect(
      allowlistSchema.safeParse({ advisories: [{ ...entry('1002', '2027-01-31'), reason: '' }] }).success,
    ).toBe(false);
    expect(allowlistSchema.safeParse({ advisories: [entry('1002', 'next year')] }).success).toBe(false);
    expect(
      allowlistSchema.safeParse({ advisories: [{ id: '1002', package: 'x', reason: 'long enough reason' }] })
        .success,
    ).toBe(false);
  });
});
