// What the admin console does with security alerts: list them, acknowledge one, and set or test the webhook they
// are posted to. The webhook secret is stored sealed (secrets.ts) and never returned; setting a URL checks it with
// the same guard every delivery passes again (WEBHOOK_URL_REFUSED).
import {
  AppError,
  securityAlertLabel,
  type SecurityAlertKind,
  type SecurityWebhookInput,
} from '@tandem/core';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { securityAlerts, users } from '../db/schema.ts';
import { isSealed } from '../secrets.ts';
import { alertPayload } from '../security/monitor.ts';
import { resolveWebhookUrl } from '../security/webhook-client.ts';
import type { WebhookConfig } from '../security/webhook-queue.ts';
import { writeAudit } from './audit.ts';
import { readSetting, writeSetting, type SettingsActor } from './settings.ts';

const WEBHOOK_SECRET = 'security webhook secret';
const storedWebhook = z.object({ url: z.string().nullable(), secret: z.string().nullable() });

type SecurityDeps = Pick<AppDeps, 'db' | 'channels' | 'config' | 'secrets' | 'security'>;

export async function listSecurityAlerts(
  deps: Pick<AppDeps, 'db'>,
  input: { includeAcknowledged: boolean; limit: number },
) {
  const rows = await deps.db
    .select({
      id: securityAlerts.id,
      kind: securityAlerts.kind,
      subject: securityAlerts.subject,
      count: securityAlerts.count,
      details: securityAlerts.details,
      firstSeen: securityAlerts.firstSeen,
      lastSeen: securityAlerts.lastSeen,
      acknowledgedAt: securityAlerts.acknowledgedAt,
      acknowledgedBy: securityAlerts.acknowledgedBy,
      acknowledgedByName: users.name,
    })
    .from(securityAlerts)
    .leftJoin(users, eq(users.id, securityAlerts.acknowledgedBy))
    .where(input.includeAcknowledged ? undefined : isNull(securityAlerts.acknowledgedAt))
    .orderBy(desc(securityAlerts.lastSeen), desc(securityAlerts.id))
    .limit(input.limit);
  return rows.map((row) => ({
    ...row,
    kind: row.kind as SecurityAlertKind,
    label: securityAlertLabel(row.kind),
  }));
}

/** Closes an open alert; its next occurrence opens a new one. NOT_FOUND for unknown or already acknowledged ids. */
export async function acknowledgeSecurityAlert(
  deps: Pick<AppDeps, 'db' | 'channels'>,
  actor: SettingsActor,
  alertId: number,
) {
  const [row] = await deps.db
    .update(securityAlerts)
    .set({ acknowledgedAt: new Date(), acknowledgedBy: actor.actorId })
    .where(and(eq(securityAlerts.id, alertId), isNull(securityAlerts.acknowledgedAt)))
    .returning();
  if (!row) throw new AppError('NOT_FOUND', 'No open alert with this id.');
  await writeAudit(deps.db, {
    action: 'security.acknowledge',
    ...actor,
    meta: { alertId, kind: row.kind, subject: row.subject },
  });
  await deps.channels.securityAlerts.publish('', {
    alertId,
    kind: row.kind as SecurityAlertKind,
    action: 'acknowledged',
  });
  return { alertId, acknowledgedAt: row.acknowledgedAt };
}

/** The webhook with its secret opened: server-side use only. */
export async function getWebhookConfig(deps: Pick<AppDeps, 'db' | 'secrets'>): Promise<WebhookConfig | null> {
  const stored = await readSetting(deps.db, 'securityWebhook', storedWebhook);
  if (!stored?.url) return null;
  const secret =
    stored.secret && isSealed(stored.secret) ? deps.secrets().open(stored.secret, WEBHOOK_SECRET) : null;
  return { url: stored.url, secret };
}

/** What clients may see of the webhook: the URL and whether a secret is set, never the secret. */
export async function getPublicWebhook(deps: Pick<AppDeps, 'db'>) {
  const stored = await readSetting(deps.db, 'securityWebhook', storedWebhook);
  return { url: stored?.url ?? null, hasSecret: Boolean(stored?.secret) };
}

/**
 * Sets the webhook. The secret is write-only: omitted keeps the stored one (unless the URL's origin changes, so a
 * secret never goes to a receiver it was not given for), `null` clears it.
 */
export async function setWebhook(deps: SecurityDeps, actor: SettingsActor, input: SecurityWebhookInput) {
  if (input.url) await resolveWebhookUrl(input.url, deps.config.security.webhookAllowPrivate);
  const previous = await readSetting(deps.db, 'securityWebhook', storedWebhook);
  const sameOrigin =
    previous?.url && input.url ? new URL(previous.url).origin === new URL(input.url).origin : false;
  let secret: string | null;
  if (input.secret !== undefined)
    secret = input.secret ? deps.secrets().seal(input.secret, WEBHOOK_SECRET) : null;
  else secret = sameOrigin ? (previous?.secret ?? null) : null;
  if (!input.url) secret = null;
  await writeSetting(deps.db, 'securityWebhook', { url: input.url, secret }, actor.actorId);
  await writeAudit(deps.db, {
    action: 'settings.security_webhook',
    ...actor,
    meta: { url: input.url ? new URL(input.url).origin : null, secretChanged: input.secret !== undefined },
  });
  return getPublicWebhook(deps);
}

/** Posts a `test` event to the webhook in force, once, and says how the receiver answered. */
export async function testWebhook(deps: SecurityDeps) {
  const config = await getWebhookConfig(deps);
  if (!config) throw new AppError('NOT_FOUND', 'No webhook is set.');
  // A refused address is the caller's typed error, not a failed delivery.
  await resolveWebhookUrl(config.url, deps.config.security.webhookAllowPrivate);
  const now = new Date();
  const payload = alertPayload(
    {
      id: 0,
      kind: 'admin_change',
      subject: 'test',
      count: 1,
      details: { test: true },
      firstSeen: now,
      lastSeen: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
    },
    'test',
  );
  return deps.security.webhook.deliver(config, 'test', payload, 1);
}
