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
  data: bytea('data').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

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

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
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

/** Instance settings edited by admins (LLM endpoint, price table, quotas); values are validated zod shapes. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedBy: text('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
