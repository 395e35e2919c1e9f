// Security monitoring: which events raise an alert, the sliding windows that turn many small events (failed
// sign-ins, rate-limit rejections) into one spike, and the schemas of the admin console's alert procedures.
//
// Decisions:
// - A spike fires once when its window reaches the threshold, then that subject's window starts empty again: the
//   stored alert counts spikes (occurrences), not the single failures under them.
// - One open alert per kind and subject (the server upserts on that pair); acknowledging closes it, and the next
//   occurrence opens a new one.
// - Windows live in the memory of each instance and are bounded in subjects, so a flood of distinct IPs cannot
//   grow them without limit; the oldest subject is forgotten first.
import { z } from 'zod';

export const securityAlertKinds = [
  /** Many failed sign-ins from one address. */
  'sign_in_failures_ip',
  /** Many failed sign-ins for one account, from anywhere. */
  'sign_in_failures_account',
  /** Instance admin granted or revoked. */
  'admin_change',
  /** A workspace member's role changed. */
  'role_change',
  /** A disabled account tried to sign in with its correct password. */
  'disabled_sign_in',
  /** The sandbox refused a run (missing bwrap, failed isolation self-check). */
  'sandbox_refused',
  /** Many rate-limit rejections of one named limit in a short time. */
  'rate_limit_storm',
] as const;

export type SecurityAlertKind = (typeof securityAlertKinds)[number];

export const securityAlertLabels: Record<SecurityAlertKind, string> = {
  sign_in_failures_ip: 'Failed sign-in spike from one address',
  sign_in_failures_account: 'Failed sign-in spike on one account',
  admin_change: 'Instance admin granted or revoked',
  role_change: 'Workspace role changed',
  disabled_sign_in: 'Disabled account tried to sign in',
  sandbox_refused: 'Sandbox refused a run',
  rate_limit_storm: 'Rate-limit storm',
};

/** The label of a stored kind; a kind this version does not know (a newer instance's) shows as it is. */
export function securityAlertLabel(kind: string): string {
  return (securityAlertLabels as Partial<Record<string, string>>)[kind] ?? kind;
}

export interface SpikeRule {
  /** Events in the window that make a spike. */
  count: number;
  windowMs: number;
}

export const defaultSpikeRules = {
  signInFailuresPerIp: { count: 10, windowMs: 5 * 60_000 },
  signInFailuresPerAccount: { count: 5, windowMs: 5 * 60_000 },
  rateLimitRejections: { count: 50, windowMs: 60_000 },
} satisfies Record<string, SpikeRule>;

export type SpikeRules = Record<keyof typeof defaultSpikeRules, SpikeRule>;

/** Counts events per subject in a sliding window; `hit` answers true once per spike. */
export class SpikeDetector {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly rule: SpikeRule,
    private readonly maxSubjects = 10_000,
  ) {}

  hit(subject: string, now: number): boolean {
    const since = now - this.rule.windowMs;
    const times = (this.windows.get(subject) ?? []).filter((t) => t > since);
    times.push(now);
    // Re-inserted last: Map order is then least recently seen first, which is what eviction drops.
    this.windows.delete(subject);
    if (times.length >= this.rule.count) return true;
    this.windows.set(subject, times);
    if (this.windows.size > this.maxSubjects) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    return false;
  }

  /** Subjects with a window open (for tests of the bound). */
  get size(): number {
    return this.windows.size;
  }
}

/** What happened, as the server reports it to the monitor. */
export type SecurityEvent =
  | { type: 'sign_in_failed'; ip: string; email: string }
  | { type: 'disabled_sign_in'; email: string; userId: string; ip: string }
  | { type: 'admin_change'; userId: string; granted: boolean; actorId: string | null }
  | { type: 'role_change'; workspaceId: string; userId: string; from: string; to: string; actorId: string }
  | { type: 'sandbox_refused'; reason: string }
  | { type: 'rate_limited'; limit: string };

export interface AlertOccurrence {
  kind: SecurityAlertKind;
  /** What the alert is about (an address, an email, a user id, a limit name); one open alert per kind+subject. */
  subject: string;
  details: Record<string, unknown>;
}

/** Turns events into alert occurrences: spikes for the counted events, one occurrence for each of the others. */
export class SecurityDetector {
  private readonly perIp: SpikeDetector;
  private readonly perAccount: SpikeDetector;
  private readonly rateLimited: SpikeDetector;

  constructor(readonly rules: SpikeRules = defaultSpikeRules) {
    this.perIp = new SpikeDetector(rules.signInFailuresPerIp);
    this.perAccount = new SpikeDetector(rules.signInFailuresPerAccount);
    this.rateLimited = new SpikeDetector(rules.rateLimitRejections);
  }

  observe(event: SecurityEvent, now: number): AlertOccurrence[] {
    switch (event.type) {
      case 'sign_in_failed': {
        const found: AlertOccurrence[] = [];
        const { signInFailuresPerIp: ip, signInFailuresPerAccount: account } = this.rules;
        if (this.perIp.hit(event.ip, now)) {
          found.push({
            kind: 'sign_in_failures_ip',
            subject: event.ip,
            details: { failures: ip.count, windowSeconds: ip.windowMs / 1000, lastEmail: event.email },
          });
        }
        if (this.perAccount.hit(event.email, now)) {
          found.push({
            kind: 'sign_in_failures_account',
            subject: event.email,
            details: { failures: account.count, windowSeconds: account.windowMs / 1000, lastIp: event.ip },
          });
        }
        return found;
      }
      case 'disabled_sign_in':
        return [
          {
            kind: 'disabled_sign_in',
            subject: event.email,
            details: { userId: event.userId, ip: event.ip },
          },
        ];
      case 'admin_change':
        return [
          {
            kind: 'admin_change',
            subject: event.userId,
            details: { granted: event.granted, actorId: event.actorId },
          },
        ];
      case 'role_change':
        return [
          {
            kind: 'role_change',
            subject: `${event.workspaceId}:${event.userId}`,
            details: {
              workspaceId: event.workspaceId,
              userId: event.userId,
              from: event.from,
              to: event.to,
              actorId: event.actorId,
            },
          },
        ];
      case 'sandbox_refused':
        return [{ kind: 'sandbox_refused', subject: event.reason, details: {} }];
      case 'rate_limited': {
        const rule = this.rules.rateLimitRejections;
        return this.rateLimited.hit(event.limit, now)
          ? [
              {
                kind: 'rate_limit_storm',
                subject: event.limit,
                details: { rejections: rule.count, windowSeconds: rule.windowMs / 1000 },
              },
            ]
          : [];
      }
    }
  }
}

export const securityAlertKindSchema = z.enum(securityAlertKinds);

export const adminSecurityListInput = z
  .object({
    /** Acknowledged alerts too (newest first), not only the open ones. */
    includeAcknowledged: z.boolean().default(false),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .default({ includeAcknowledged: false, limit: 100 });

export const adminSecurityAcknowledgeInput = z.object({ alertId: z.number().int().positive() });

/** The webhook the admin sets: `url: null` turns it off. The secret is write-only: omit it to keep the stored one. */
export const securityWebhookInput = z.object({
  url: z
    .url({ protocol: /^https?$/, error: 'An http:// or https:// URL' })
    .max(2048)
    .nullable(),
  secret: z.string().min(16, 'Use at least 16 characters').max(256).nullable().optional(),
});
export type SecurityWebhookInput = z.infer<typeof securityWebhookInput>;
