import type { FeatureFlags } from '@tandem/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  customType,
  doublePrecision,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

// Yjs updates are binary. PGlite hands back Uint8Array and pg a Buffer; both are Uint8Arrays.
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    isAdmin: boolean('is_admin').notNull().default(false),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

/** One-time password reset links an admin issued; only the token's SHA-256 is kept, as for invites. */
export const passwordResets = pgTable(
  'password_resets',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set when used, or when a newer link for the same account replaced it. */
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('password_resets_user_idx').on(t.userId)],
);

export const authSessions = pgTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('auth_sessions_user_idx').on(t.userId)],
);

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  archivedAt: timestamp('archived_at', { withTimezone: true }),
  /** Workspace policy: apply a task's changeset on its own when it validated cleanly. */
  autoApply: boolean('auto_apply').notNull().default(false),
  /** Workspace policy: a task's changes are accepted only once a member other than its author approved them. */
  requireApproval: boolean('require_approval').notNull().default(false),
  /** Workspace policy: commit each accepted AI task on its own (git-backed workspaces), its prompt as the message. */
  autoCommit: boolean('auto_commit').notNull().default(false),
  /** Feature flags the owners turned off for this workspace (packages/core workspace/features.ts); missing = on. */
  features: jsonb('features')
    .$type<FeatureFlags>()
    .notNull()
    .default(sql`'{}'::jsonb`),
});

export const members = pgTable(
  'members',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'editor', 'reviewer'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index('members_user_idx').on(t.userId)],
);

export const invites = pgTable(
  'invites',
  {
    id: uuid('id').primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    // Only the SHA-256 of the token is stored: a database leak does not hand out workspace access.
    tokenHash: text('token_hash').notNull(),
    role: text('role', { enum: ['owner', 'editor', 'reviewer'] }).notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    usedBy: text('used_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('invites_token_hash_key').on(t.tokenHash),
    index('invites_workspace_idx').on(t.workspaceId),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    workspaceId: uuid('workspace_id'),
    targetId: text('target_id'),
    ip: text('ip'),
    requestId: text('request_id'),
    meta: jsonb('meta')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_workspace_idx').on(t.workspaceId)],
);

/**
 * Security alerts for the admin console: one open row per kind and subject (the partial unique index), whose
 * `count` grows with each occurrence until an admin acknowledges it; the next occurrence then opens a new row.
 */
export const securityAlerts = pgTable(
  'security_alerts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    count: integer('count').notNull().default(1),
    details: jsonb('details')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    firstSeen: timestamp('first_seen', { withTimezone: true }).notNull().defaultNow(),
    lastSeen: timestamp('last_seen', { withTimezone: true }).notNull().defaultNow(),
    acknowledgedBy: text('acknowledged_by'),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('security_alerts_open_idx')
      .on(t.kind, t.subject)
      .where(sql`${t.acknowledgedAt} is null`),
    index('security_alerts_last_seen_idx').on(t.lastSeen),
  ],
);

/** Every accepted Yjs update, appended before it is broadcast. `seq` is dense per workspace and commit-ordered. */
export const docUpdates = pgTable(
  'doc_updates',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    data: bytea('data').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.seq] })],
);

/** The compacted state of a workspace document: all updates with seq <= throughSeq folded into one. */
export const docSnapshots = pgTable('doc_snapshots', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  throughSeq: bigint('through_seq', { mode: 'number' }).notNull(),
  /** The first part of the snapshot: all of it unless `generation` names the rest in doc_snapshot_parts. */
  data: bytea('data').notNull(),
  generation: uuid('generation'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The rest of a snapshot too large for one statement, in order after doc_snapshots.data, under the generation that
 * wrote them. Written before the snapshot row names them, so a load (one statement) sees a whole snapshot or the
 * previous one, and a compaction that lost a race removes its own.
 */
export const docSnapshotParts = pgTable(
  'doc_snapshot_parts',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    generation: uuid('generation').notNull(),
    throughSeq: bigint('through_seq', { mode: 'number' }).notNull(),
    part: integer('part').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.generation, t.part] })],
);

/**
 * The last sequence number handed out per workspace, on PostgreSQL. Appends bump it with a row lock held to commit,
 * so sequence order is commit order even with several server instances: a reader never sees seq n+1 without seq n.
 * On PGlite, which only one process can open, that process numbers the appends itself and this table stays empty
 * (a PGlite database moved to PostgreSQL needs it filled from the highest seq and through_seq of each workspace).
 */
export const docHeads = pgTable('doc_heads', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
});

export const taskStates = [
  'queued',
  'running',
  'proposed',
  'applied',
  'rejected',
  'rolled-back',
  'no-changes',
  'cancelled',
  'failed',
] as const;

/** An AI task (a prompt the model answers), or a git pull whose remote changes go through the same review. */
export const taskKinds = ['ai', 'git-pull'] as const;

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: taskKinds }).notNull().default('ai'),
    prompt: text('prompt').notNull(),
    model: text('model'),
    paths: jsonb('paths')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    openPaths: jsonb('open_paths')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    state: text('state', { enum: taskStates }).notNull().default('queued'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    tokensIn: bigint('tokens_in', { mode: 'number' }).notNull().default(0),
    tokensOut: bigint('tokens_out', { mode: 'number' }).notNull().default(0),
    costUsd: doublePrecision('cost_usd'),
    /** The proposed changeset with anchors and per-hunk decisions (core `Changeset`). */
    changeset: jsonb('changeset').$type<unknown>(),
    /** Undo records of applied hunks, in application order (core `UndoRecord[]`). */
    undo: jsonb('undo')
      .$type<unknown[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** Last event sequence number handed out; bumped under the row lock so events are gap-free and ordered. */
    lastSeq: integer('last_seq').notNull().default(0),
    /**
     * The instance that holds a queued or running task, and until when: the holder renews the lease while it lives,
     * and any instance may take over (queued) or end (running) a task whose lease ran out (tasks/leases.ts).
     */
    ownerInstance: text('owner_instance'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /** Set by `task.cancel`: the holder sees it at its next renewal even if the broadcast cancel was lost. */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
    /** The last run of the checks on the proposal (core `CheckResult[]`, output bounded); empty when none ran. */
    checkResults: jsonb('check_results')
      .$type<unknown[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** What that run found, on the proposal's hunks (core `Finding[]`): accepting a flagged hunk is audited. */
    findings: jsonb('findings')
      .$type<unknown[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /**
     * The quality record of the task's first run (revision 1): whether the model's first answer was proposed as
     * it was (no reflection round needed), how many model rounds it took, and its findings by severity. Null
     * until that run ends (and for runs that predate the record or failed before a proposal could be judged).
     */
    firstRoundPassed: boolean('first_round_passed'),
    rounds: integer('rounds'),
    findingCounts: jsonb('finding_counts').$type<Record<string, number>>(),
    /** When hunks of the task were first accepted: the start of the day its changes have to survive. */
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    /** When it was rolled back, if it was. */
    rolledBackAt: timestamp('rolled_back_at', { withTimezone: true }),
    /** The survival verdict (core `survivalVerdict`) once decided: true survived; false rolled back or rewritten. */
    survived: boolean('survived'),
    survivalDecidedAt: timestamp('survival_decided_at', { withTimezone: true }),
    /** Which revision of the changeset `changeset` is: 1, plus one per follow-up (task_revisions holds the others). */
    revision: integer('revision').notNull().default(1),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('tasks_workspace_idx').on(t.workspaceId, t.createdAt),
    index('tasks_user_day_idx').on(t.createdBy, t.createdAt),
    // The lease sweep looks only at unfinished tasks, a handful among all the finished ones.
    index('tasks_unfinished_lease_idx')
      .on(t.leaseUntil)
      .where(sql`${t.state} in ('queued', 'running')`),
    // The survival sweep looks only at accepted tasks still waiting for their verdict.
    index('tasks_survival_pending_idx')
      .on(t.acceptedAt)
      .where(sql`${t.acceptedAt} is not null and ${t.survivalDecidedAt} is null`),
  ],
);

export const taskEvents = pgTable(
  'task_events',
  {
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').$type<unknown>().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.seq] })],
);

/**
 * The revisions of a continued task: the request that made each (the task's prompt for revision 1, a follow-up's
 * after) and, once a later revision supersedes it, its changeset with the decisions taken on it. The current
 * revision's changeset lives in `tasks.changeset`; rows appear at the first follow-up.
 */
export const taskRevisions = pgTable(
  'task_revisions',
  {
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    revision: integer('revision').notNull(),
    prompt: text('prompt').notNull(),
    /** Review comments the follow-up asked the model to address. */
    commentIds: jsonb('comment_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** Null while this is the current revision (or when it proposed nothing). */
    changeset: jsonb('changeset').$type<unknown>(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.revision] })],
);

export const checkRunStates = ['running', 'passed', 'failed', 'error', 'cancelled'] as const;

/** A run of a workspace's checks that a member started ("Run checks"), with its event log below. */
export const checkRuns = pgTable(
  'check_runs',
  {
    id: uuid('id').primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    state: text('state', { enum: checkRunStates }).notNull().default('running'),
    errorCode: text('error_code'),
    /** How it ended, one line (the `done` event's message). */
    summary: text('summary'),
    /** Last event sequence number handed out, bumped under the row lock like a task's. */
    lastSeq: integer('last_seq').notNull().default(0),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('check_runs_workspace_idx').on(t.workspaceId, t.createdAt),
    // One run at a time per workspace, on every instance: a second press gets the running one.
    uniqueIndex('check_runs_one_running_idx')
      .on(t.workspaceId)
      .where(sql`${t.state} = 'running'`),
  ],
);

export const checkRunEvents = pgTable(
  'check_run_events',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => checkRuns.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').$type<unknown>().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** Instance settings edited by admins (LLM endpoint, price table, quotas); values are validated zod shapes. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedBy: text('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Credentials for git remotes, per workspace. The secret is sealed with the instance key (secrets.ts, purpose
 * `git.credential:<id>`) and never leaves the server: the API only ever returns the id, kind and user name.
 */
export const gitCredentials = pgTable(
  'git_credentials',
  {
    id: uuid('id').primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['https-token', 'ssh-key'] }).notNull(),
    username: text('username').notNull(),
    /** The token, or the deploy key's private key (OpenSSH format), sealed with the instance secret. */
    sealedSecret: text('sealed_secret').notNull(),
    /** A deploy key's public key line (`ssh-ed25519 AAAA… tandem-<workspace>`); null for a token. */
    publicKey: text('public_key'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('git_credentials_workspace_idx').on(t.workspaceId)],
);

/** The remote a workspace is connected to: its branch and the commit the live files are compared against. */
export const gitRemotes = pgTable('git_remotes', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  branch: text('branch').notNull(),
  /** The last commit made or cloned here: status diffs against it, the next commit's parent. */
  baseCommit: text('base_commit').notNull(),
  credentialId: uuid('credential_id').references(() => gitCredentials.id, { onDelete: 'set null' }),
  /** An SSH remote's host key, recorded on connect (known_hosts lines); later connections must present it. */
  knownHosts: text('known_hosts'),
  connectedBy: text('connected_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Who wrote which Yjs items of a workspace document: items of `client` with clocks in [clock_start, clock_end) were
 * written by `author` (`user:<id>` for a connection's client id, `task:<id>` for an accepted task's hunks applied
 * by the server). Git commits read their co-authors from here.
 */
export const docAuthors = pgTable(
  'doc_authors',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    client: bigint('client', { mode: 'number' }).notNull(),
    clockStart: bigint('clock_start', { mode: 'number' }).notNull(),
    clockEnd: bigint('clock_end', { mode: 'number' }).notNull(),
    author: text('author').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.client, t.clockStart, t.author] })],
);

/**
 * Review comments: a thread's first comment names its target (a change of a task, or a line of a live file, anchored
 * with Yjs relative positions so it follows the line as people type); replies point at it. Resolving is per thread.
 */
export const reviewComments = pgTable(
  'review_comments',
  {
    id: uuid('id').primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** The thread's first comment; null on that comment itself. */
    threadId: uuid('thread_id'),
    /** Set for comments on a task's changes. */
    taskId: uuid('task_id').references(() => tasks.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    hunkId: text('hunk_id'),
    /** 1-based: within the hunk's proposed text (task comments) or of the file when written (live file comments). */
    line: integer('line'),
    /** Core `LineAnchor` of a live file comment. */
    anchor: jsonb('anchor').$type<unknown>(),
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedBy: text('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('review_comments_task_idx').on(t.taskId, t.createdAt),
    index('review_comments_workspace_idx').on(t.workspaceId, t.path, t.createdAt),
    index('review_comments_thread_idx').on(t.threadId),
  ],
);

/** Verdicts on tasks, every one kept: a member's current verdict is their latest. */
export const reviewVerdicts = pgTable(
  'review_verdicts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    verdict: text('verdict', { enum: ['approve', 'request-changes'] }).notNull(),
    note: text('note'),
    /** The task revision the verdict is on: a follow-up's new revision needs its own review. */
    revision: integer('revision').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index('review_verdicts_task_idx').on(t.taskId, t.createdAt)],
);

/** Members' ratings of finished tasks: one per member and task, a new rating replaces the old one. */
export const taskRatings = pgTable(
  'task_ratings',
  {
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    rating: text('rating', { enum: ['up', 'down'] }).notNull(),
    note: text('note'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.userId] })],
);
