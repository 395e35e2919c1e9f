// The dependency audit's decisions, apart from running pnpm (`.ci/audit.mjs` does that): which advisories of a
// `pnpm audit --json` report block CI (critical or high, not allowlisted), and the allowlist's rules. An entry
// holds only until its expiry date, so an accepted risk is looked at again instead of staying accepted forever.
import { z } from 'zod';

export const blockingSeverities = ['critical', 'high'] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-06-30');

export const allowlistSchema = z
  .object({
    advisories: z.array(
      z
        .object({
          /** The advisory's GHSA id (`GHSA-xxxx-xxxx-xxxx`) or its npm advisory number. */
          id: z.string().min(1),
          /** The package it is about, for the reader. */
          package: z.string().min(1),
          /** Why it is acceptable for now: not reachable, no fix yet on Node 20… */
          reason: z.string().min(10),
          /** The last day the entry holds (UTC). */
          expires: isoDate,
        })
        .strict(),
    ),
  })
  .strict();
export type Allowlist = z.infer<typeof allowlistSchema>;
export type AllowEntry = Allowlist['advisories'][number];

export interface Advisory {
  /** The GHSA id when the report has one, else the npm advisory number. */
  id: string;
  otherIds: string[];
  module: string;
  severity: string;
  title: string;
  url: string;
  patched: string;
  paths: string[];
}

const reportSchema = z.object({
  advisories: z.record(
    z.string(),
    z.looseObject({
      id: z.union([z.number(), z.string()]),
      github_advisory_id: z.string().optional(),
      module_name: z.string(),
      severity: z.string(),
      title: z.string().default(''),
      url: z.string().default(''),
      patched_versions: z.string().default(''),
      findings: z.array(z.looseObject({ paths: z.array(z.string()).default([]) })).default([]),
    }),
  ),
});

/** The advisories of a `pnpm audit --json` output, or why there is no report (the endpoint failed, not JSON). */
export function readReport(stdout: string): { advisories: Advisory[] } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return { error: `pnpm audit printed no JSON: ${stdout.trim().slice(0, 300) || '(nothing)'}` };
  }
  const failed = z.object({ error: z.object({ message: z.string() }) }).safeParse(json);
  if (failed.success) return { error: failed.data.error.message };
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) return { error: `unexpected report shape: ${parsed.error.message.slice(0, 300)}` };
  return {
    advisories: Object.values(parsed.data.advisories).map((a) => ({
      id: a.github_advisory_id ?? String(a.id),
      otherIds: a.github_advisory_id ? [String(a.id)] : [],
      module: a.module_name,
      severity: a.severity,
      title: a.title,
      url: a.url,
      patched: a.patched_versions,
      paths: a.findings.flatMap((f) => f.paths),
    })),
  };
}

export interface Triage {
  /** Critical or high, and not allowed by a current entry: these fail CI. */
  blocking: { advisory: Advisory; expired?: AllowEntry }[];
  allowed: { advisory: Advisory; entry: AllowEntry }[];
  /** Below high: printed, never failing. */
  lower: Advisory[];
  /** Entries no advisory of the report matches any more: candidates for removal. */
  unused: AllowEntry[];
}

/** Sorts the report's advisories; an entry whose expiry day is before `today` (UTC) allows nothing. */
export function triage(advisories: Advisory[], allowlist: Allowlist, today: Date): Triage {
  const day = today.toISOString().slice(0, 10);
  const result: Triage = { blocking: [], allowed: [], lower: [], unused: [] };
  const used = new Set<AllowEntry>();
  for (const advisory of advisories) {
    const entry = allowlist.advisories.find((e) => e.id === advisory.id || advisory.otherIds.includes(e.id));
    if (entry) used.add(entry);
    if (!(blockingSeverities as readonly string[]).includes(advisory.severity)) {
      result.lower.push(advisory);
    } else if (entry && entry.expires >= day) {
      result.allowed.push({ advisory, entry });
    } else {
      result.blocking.push(entry ? { advisory, expired: entry } : { advisory });
    }
  }
  result.unused = allowlist.advisories.filter((e) => !used.has(e));
  return result;
}

/** The summary CI prints: what fails and how to fix it, what is allowed and until when. */
export function summary(result: Triage): string {
  const line = (a: Advisory) =>
    `${a.severity.toUpperCase()} ${a.module} ${a.id}: ${a.title}${a.patched ? ` (fixed in ${a.patched})` : ''}\n    ${a.url}${a.paths[0] ? `\n    via ${a.paths.slice(0, 3).join(', ')}` : ''}`;
  const out: string[] = [];
  if (result.blocking.length) {
    out.push(
      `${result.blocking.length} critical/high advisories to fix (upgrade, a pnpm override, or a reviewed allowlist entry in .ci/audit-allowlist.json):`,
    );
    for (const { advisory, expired } of result.blocking)
      out.push(
        `  ${line(advisory)}${expired ? `\n    its allowlist entry expired on ${expired.expires}` : ''}`,
      );
  }
  if (result.allowed.length) {
    out.push(`${result.allowed.length} allowlisted:`);
    for (const { advisory, entry } of result.allowed)
      out.push(`  ${line(advisory)}\n    allowed until ${entry.expires}: ${entry.reason}`);
  }
  if (result.lower.length)
    out.push(
      `${result.lower.length} below high (not failing): ${result.lower.map((a) => `${a.module} ${a.id}`).join(', ')}`,
    );
  if (result.unused.length)
    out.push(
      `Allowlist entries no advisory matches (remove them): ${result.unused.map((e) => e.id).join(', ')}`,
    );
  if (!result.blocking.length) out.push('No critical or high advisory left.');
  return out.join('\n');
}
