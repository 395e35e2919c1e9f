import {
  adminAuditCsvInput,
  adminAuditInput,
  adminSecurityAcknowledgeInput,
  adminSecurityListInput,
  securityWebhookInput,
  adminSetAdminInput,
  adminSetDisabledInput,
  costSettingsInput,
  featureFlagsSchema,
  createResetLinkInput,
  llmSettingsInput,
  priceTableSchema,
  qualityInput,
  setLimitsInput,
} from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { requestOrigin } from '../../http/origin.ts';
import { createResetLink, listUsers, setAdmin, setDisabled } from '../../services/accounts.ts';
import { countWorkspaces, listAllWorkspaces } from '../../services/admin-workspaces.ts';
import { exportAuditCsv, listAudit } from '../../services/audit.ts';
import {
  getCostSettings,
  getPriceTable,
  getPublicLlmSettings,
  setCostSettings,
  setLlmSettings,
  setPriceTable,
} from '../../services/settings.ts';
import { getInstanceFeatures, setInstanceFeatures } from '../../services/features.ts';
import { setLimits } from '../../services/limits.ts';
import { checkModelEndpoint } from '../../tasks/models.ts';
import { qualityOverview } from '../../tasks/quality.ts';
import { exampleIds } from '../examples.ts';
import {
  acknowledgeSecurityAlert,
  getPublicWebhook,
  listSecurityAlerts,
  setWebhook,
  testWebhook,
} from '../../services/security.ts';
import { adminProcedure, adminSubscription, auditActor } from '../trpc.ts';

export const adminRouter = {
  quality: adminProcedure
    .meta({
      description:
        "How well each model does, per `day` or `week` between `from` and `to` (default: the last 30 days or 12 weeks): finished AI tasks, the share completed (not failed or cancelled; the target is `completionTarget`, 0.9), the share proposed from the model's first answer, the share of accepted ones whose changes survived a day (not rolled back, not mostly rewritten), and members' thumbs up and down.",
      example: { input: { bucket: 'day' } },
    })
    .input(qualityInput)
    .query(({ ctx, input }) => qualityOverview(ctx.deps, input, ctx.deps.clock())),
  users: {
    list: adminProcedure
      .meta({ description: 'Every account with its admin and disabled flags.', example: {} })
      .query(({ ctx }) => listUsers(ctx.deps.db)),
    setAdmin: adminProcedure
      .meta({
        description: 'Grants or revokes instance admin; takes effect at the next call of that user.',
        example: { input: { userId: exampleIds.userId, isAdmin: true } },
        errors: ['NOT_FOUND'],
      })
      .input(adminSetAdminInput)
      .mutation(({ ctx, input }) => setAdmin(ctx.deps, { id: input.userId }, input.isAdmin, ctx.user.id)),
    setDisabled: adminProcedure
      .meta({
        description:
          'Disables or enables an account; disabling ends all its sessions and closes its connections on every instance. Admins cannot disable themselves.',
        example: { input: { userId: exampleIds.userId, disabled: true } },
        errors: ['NOT_FOUND'],
      })
      .input(adminSetDisabledInput)
      .mutation(({ ctx, input }) => setDisabled(ctx.deps, input.userId, input.disabled, ctx.user.id)),
    resetLink: adminProcedure
      .meta({
        description:
          "Issues a one-time link (`/reset/<token>`) that lets the account set a new password, for the admin to hand over; no e-mail needed. It expires after `expiresInHours` (default 24), and replaces the account's earlier unused links. Using it ends all the account's sessions.",
        example: { input: { userId: exampleIds.userId, expiresInHours: 24 } },
        errors: ['NOT_FOUND'],
      })
      .input(createResetLinkInput)
      .mutation(({ ctx, input }) =>
        createResetLink(
          ctx.deps.db,
          input,
          { userId: ctx.user.id, ip: ctx.ip, requestId: ctx.requestId },
          requestOrigin(ctx.req, ctx.deps.config.publicUrl),
        ),
      ),
  },
  workspaces: {
    list: adminProcedure
      .meta({
        description: 'Every workspace of the instance, members or not, with its dates and member count.',
        example: {},
      })
      .query(({ ctx }) => listAllWorkspaces(ctx.deps.db)),
    count: adminProcedure
      .meta({ description: 'How many workspaces the instance holds.', example: {} })
      .query(({ ctx }) => countWorkspaces(ctx.deps.db)),
  },
  settings: {
    get: adminProcedure
      .meta({
        description:
          'The model settings (the API key only as whether one is set), the cost settings, the price table and the instance feature flags.',
        example: {},
      })
      .query(async ({ ctx }) => ({
        llm: await getPublicLlmSettings(ctx.deps),
        cost: await getCostSettings(ctx.deps.db),
        prices: await getPriceTable(ctx.deps.db),
        features: await getInstanceFeatures(ctx.deps.db),
      })),
    setFeatures: adminProcedure
      .meta({
        description:
          'Turns risky features on or off for the whole instance: `autoApply`, `sandboxChecks`, `gitPush` (omitted ones stay as they are). Off here wins over any workspace; returns every flag.',
        example: { input: { gitPush: false } },
      })
      .input(featureFlagsSchema)
      .mutation(({ ctx, input }) => setInstanceFeatures(ctx.deps.db, auditActor(ctx), input)),
    limits: adminProcedure
      .meta({
        description:
          "Every named rate limit as the server enforces it now: points per window (seconds), where it comes from (`default`, `environment` for its `TANDEM_LIMIT_*` variable, `startup`, or `console` for an admin's change with `admin.settings.setLimits`), that variable, and `fallback`: the rule without the console's change, which a reset returns to.",
        example: {},
      })
      .query(({ ctx }) => ctx.deps.limits.rules),
    setLimits: adminProcedure
      .meta({
        description:
          "Changes rate limits at run time, on every instance at once: each named limit given a rule (`points`, a whole number from 1 to 1,000,000, per `duration` seconds, from 1 s to 30 days) takes it; one given `null` goes back to the environment's (or the default); omitted ones stay. Counters are kept, so a lowered limit counts what was already spent. Returns every limit as `admin.settings.limits` does.",
        example: { input: { limits: { tasksPerUser: { points: 10, duration: 3600 }, signUpPerIp: null } } },
      })
      .input(setLimitsInput)
      .mutation(({ ctx, input }) => setLimits(ctx.deps, auditActor(ctx), input.limits)),
    setLlm: adminProcedure
      .meta({
        description:
          'Sets the model endpoint. The API key is write-only: omit it to keep the stored one, `null` clears it; changing the provider or base URL drops it unless the same call gives a new one.',
        example: {
          input: {
            provider: 'openai-compatible',
            baseUrl: 'http://127.0.0.1:11434/v1',
            model: 'qwen2.5-coder:7b',
          },
        },
      })
      .input(llmSettingsInput)
      .mutation(({ ctx, input }) => setLlmSettings(ctx.deps, auditActor(ctx), input)),
    testLlm: adminProcedure
      .meta({
        description:
          "Tests the model endpoint in force (these settings, else the environment, else a local Ollama) with one request for its model list, within 5 s. Returns `ok` with the latency and whether the list names the configured model, or the typed failure (`NO_MODEL`, `LLM_AUTH`, `LLM_UNREACHABLE`, `LLM_TIMEOUT`, `LLM_ERROR`…) with the provider's HTTP status; an endpoint that offers no model list answers `LLM_ERROR` with status 404 though tasks may still work.",
        example: {},
      })
      .mutation(({ ctx }) => checkModelEndpoint(ctx.deps)),
    setCost: adminProcedure
      .meta({
        description:
          'Sets the daily token quota per user and the per-task budgets in tokens and USD (0 = unlimited).',
        example: { input: { dailyTokenQuota: 2000000, taskBudgetTokens: 200000, taskBudgetUsd: 2 } },
      })
      .input(costSettingsInput)
      .mutation(({ ctx, input }) => setCostSettings(ctx.deps.db, auditActor(ctx), input)),
    setPrices: adminProcedure
      .meta({
        description:
          'Replaces the price table (USD per million tokens, by model name) used for cost accounting.',
        example: { input: { 'qwen2.5-coder:7b': { inputPerMTok: 0, outputPerMTok: 0 } } },
      })
      .input(priceTableSchema)
      .mutation(({ ctx, input }) => setPriceTable(ctx.deps.db, auditActor(ctx), input)),
  },
  security: {
    list: adminProcedure
      .meta({
        description:
          'Security alerts, most recently seen first: failed sign-in spikes per address and per account, admin grants and revocations, workspace role changes, sign-in attempts of disabled accounts, sandbox refusals and rate-limit storms. One open alert per kind and subject, with how often it occurred; `includeAcknowledged` adds the closed ones.',
        example: { input: { includeAcknowledged: false, limit: 100 } },
      })
      .input(adminSecurityListInput)
      .query(({ ctx, input }) => listSecurityAlerts(ctx.deps, input)),
    acknowledge: adminProcedure
      .meta({
        description:
          'Acknowledges an open alert: it leaves the open list, and its next occurrence opens a new alert. Every admin console sees it at once.',
        example: { input: { alertId: 1 } },
        errors: ['NOT_FOUND'],
      })
      .input(adminSecurityAcknowledgeInput)
      .mutation(({ ctx, input }) => acknowledgeSecurityAlert(ctx.deps, auditActor(ctx), input.alertId)),
    onChange: adminProcedure
      .meta({
        description:
          'Live: one message `{ alertId, kind, action }` each time an alert is raised or acknowledged on any instance; refetch `admin.security.list` on each. Ends with FORBIDDEN when the caller stops being an admin.',
        example: {},
      })
      .subscription(({ ctx, signal }) =>
        adminSubscription(ctx, signal, (stop) => ctx.deps.channels.securityAlerts.follow('', stop)),
      ),
    webhook: adminProcedure
      .meta({
        description:
          'The security webhook: its URL (null when off) and whether a signing secret is set (never the secret).',
        example: {},
      })
      .query(({ ctx }) => getPublicWebhook(ctx.deps)),
    setWebhook: adminProcedure
      .meta({
        description:
          'Sets the URL new alerts are posted to (`null` turns it off), as JSON signed with `X-Tandem-Signature: sha256=<HMAC-SHA256 of "<X-Tandem-Timestamp>.<body>">`, tried up to 3 times with backoff. The secret is write-only: omit it to keep the stored one (dropped when the URL moves to another origin), `null` clears it. A host that resolves to a private, loopback or link-local address is refused.',
        example: {
          input: { url: 'https://hooks.example.com/tandem', secret: 'a-long-random-signing-secret' },
        },
        errors: ['WEBHOOK_URL_REFUSED'],
      })
      .input(securityWebhookInput)
      .mutation(({ ctx, input }) => setWebhook(ctx.deps, auditActor(ctx), input)),
    testWebhook: adminProcedure
      .meta({
        description:
          'Posts one signed `test` event to the webhook (one attempt, 5 s) and returns `{ ok, status, attempts, error }` as the receiver answered.',
        example: {},
        errors: ['NOT_FOUND', 'WEBHOOK_URL_REFUSED'],
      })
      .mutation(({ ctx }) => testWebhook(ctx.deps)),
  },
  audit: {
    list: adminProcedure
      .meta({
        description:
          'The audit log, newest first, in pages of `limit` before `beforeId`, with the names of the actor, target account and workspace; filtered by workspace, actor, action (`task.accept`, or every `task.` action) and time (`since` inclusive, `until` exclusive).',
        example: { input: { limit: 50, workspaceId: exampleIds.workspaceId, action: 'task.' } },
      })
      .input(adminAuditInput)
      .query(({ ctx, input }) => listAudit(ctx.deps.db, input)),
    csv: adminProcedure
      .meta({
        description:
          'The audit log as CSV (the same filters, up to 10,000 entries, newest first), in words: time, action and what it means, actor name and email, workspace, target, IP, details, request id. Cells a spreadsheet would read as formulas are defused.',
        example: { input: { actorId: exampleIds.userId, since: '2026-12-01T00:00:00Z' } },
      })
      .input(adminAuditCsvInput)
      .query(({ ctx, input }) => exportAuditCsv(ctx.deps.db, input)),
  },
} satisfies TRPCRouterRecord;
