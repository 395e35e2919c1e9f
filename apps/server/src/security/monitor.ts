// Turns security-relevant events of the running server (failed and refused sign-ins, admin and role changes,
// sandbox refusals, rate-limit rejections) into stored alerts: counted per kind and subject, shown live to admins on
// every instance, counted in `tandem_security_alerts_total`, and posted to the admin's webhook when one opens.
// `report` never throws and never makes its caller wait: the work runs in the background and its failures are
// logged.
import {
  SecurityDetector,
  securityAlertLabel,
  type AlertOccurrence,
  type SecurityEvent,
  type SpikeRules,
} from '@tandem/core';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { securityAlerts } from '../db/schema.ts';
import type { WebhookQueue } from './webhook-queue.ts';

export interface SecurityReporter {
  report(event: SecurityEvent): void;
}

type MonitorDeps = Pick<AppDeps, 'db' | 'channels' | 'metrics' | 'logger'>;

export type SecurityAlertRow = typeof securityAlerts.$inferSelect;

/** What the webhook receives for an alert. */
export function alertPayload(row: SecurityAlertRow, event: 'alert.raised' | 'test') {
  return {
    event,
    alert: {
      id: row.id,
      kind: row.kind,
      label: securityAlertLabel(row.kind),
      subject: row.subject,
      count: row.count,
      details: row.details,
      firstSeen: row.firstSeen.toISOString(),
      lastSeen: row.lastSeen.toISOString(),
    },
  };
}

export class SecurityMonitor implements SecurityReporter {
  private readonly detector: SecurityDetector;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly deps: () => MonitorDeps,
    readonly webhook: WebhookQueue,
    rules?: SpikeRules,
  ) {
    this.detector = new SecurityDetector(rules);
  }

  report(event: SecurityEvent): void {
    try {
      for (const occurrence of this.detector.observe(event, Date.now())) this.track(this.raise(occurrence));
    } catch (error) {
      this.deps().logger.error({ err: error }, 'security monitor failed');
    }
  }

  /** Resolves when every alert reported so far is stored and published (its webhook may still be on its way). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(work: Promise<void>) {
    const tracked: Promise<void> = work
      .catch((error: unknown) => this.deps().logger.error({ err: error }, 'could not store a security alert'))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async raise(occurrence: AlertOccurrence): Promise<void> {
    const { db, channels, metrics } = this.deps();
    const now = new Date();
    const [row] = await db
      .insert(securityAlerts)
      .values({
        kind: occurrence.kind,
        subject: occurrence.subject,
        details: occurrence.details,
        firstSeen: now,
        lastSeen: now,
      })
      .onConflictDoUpdate({
        target: [securityAlerts.kind, securityAlerts.subject],
        targetWhere: sql`${securityAlerts.acknowledgedAt} is null`,
        set: { count: sql`${securityAlerts.count} + 1`, lastSeen: now, details: occurrence.details },
      })
      .returning();
    if (!row) return;
    metrics.securityAlerts.inc({ kind: occurrence.kind });
    await channels.securityAlerts.publish('', { alertId: row.id, kind: occurrence.kind, action: 'raised' });
    // The receiver hears of an alert when it opens; its later occurrences only count up in the console.
    if (row.count === 1) this.webhook.enqueue('alert.raised', alertPayload(row, 'alert.raised'));
  }
}
