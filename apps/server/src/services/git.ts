// Git-backed workspaces: credentials, connect (clone into an empty workspace), status, commit with co-authors read
// from the document's history, push, log and show. Each mutation does its write, the audit entry and the change
// notice, in that order. The git work runs on worker threads (git/git-runner.ts); the repository of a workspace is a
// bare one under the data directory, and `git_remotes.base_commit` is the authority on where the workspace stands.
import { generateKeyPairSync, randomInt, randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  anchorChangeset,
  AppError,
  applyHunks,
  autoCommitMessage,
  commitMessage,
  committedIds,
  confirmedHostKeys,
  createFile,
  decodeText,
  deleteFile,
  encodeText,
  exportFiles,
  getStoredFile,
  isAppError,
  isBinaryContent,
  listStoredFiles,
  storedEditUpdates,
  openSshPrivateKey,
  openSshPublicKey,
  parseKnownHosts,
  parseRemoteUrl,
  sshFingerprint,
  summarizeChangeset,
  taskCoAuthor,
  taskOrigin,
  writeFile,
  type Changeset,
  type CoAuthor,
  type GitChange,
  type HunkConflict,
  type IdRun,
  type PulledFile,
  type UndoRecord,
} from '@tandem/core';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import * as Y from 'yjs';
import type { AppDeps } from '../deps.ts';
import { gitCredentials, gitRemotes, tasks, users, workspaces } from '../db/schema.ts';
import { appendTaskEvent } from '../tasks/events.ts';
import { workspaceNotEmpty, type RemoteAccess } from '../git/git-ops.ts';
import type { GitResults } from '../git/git-runner.ts';
import { checkedAddress } from '../git/transport.ts';
import { SNAPSHOT_PART_BYTES } from '../sync/pg-storage.ts';
import { writeAudit } from './audit.ts';
import { requireFeature } from './features.ts';
import { importInSlices } from './files.ts';

/** Who acts: a member through the API, or the auto-commit of an accept that auto-apply made (no request). */
export interface Actor {
  userId: string;
  ip?: string | undefined;
  requestId?: string | undefined;
}

export type GitDeps = Pick<
  AppDeps,
  'db' | 'rooms' | 'git' | 'authorship' | 'secrets' | 'config' | 'channels'
>;

const credentialPurpose = (id: string) => `git.credential:${id}`;
const gitdirOf = (deps: GitDeps, workspaceId: string) => path.join(deps.config.dataDir, 'git', workspaceId);

// One git mutation at a time per workspace in this process; `base_commit` is updated compare-and-set, so instances
// racing each other get a CONFLICT instead of a lost commit.
const locks = new Map<string, Promise<unknown>>();
async function exclusive<T>(workspaceId: string, work: () => Promise<T>): Promise<T> {
  const previous = locks.get(workspaceId) ?? Promise.resolve();
  const run = previous.then(work, work);
  const settled = run.catch(() => undefined);
  locks.set(workspaceId, settled);
  try {
    return await run;
  } finally {
    if (locks.get(workspaceId) === settled) locks.delete(workspaceId);
  }
}

const audit = (deps: GitDeps, actor: Actor, entry: Omit<Parameters<typeof writeAudit>[1], 'actorId'>) =>
  writeAudit(deps.db, { actorId: actor.userId, ip: actor.ip, requestId: actor.requestId, ...entry });

export async function createCredential(
  deps: GitDeps,
  actor: Actor,
  workspaceId: string,
  input: { username: string; token: string },
): Promise<{ credentialId: string }> {
  const id = randomUUID();
  const sealedSecret = deps.secrets().seal(input.token, credentialPurpose(id));
  await deps.db.insert(gitCredentials).values({
    id,
    workspaceId,
    kind: 'https-token',
    username: input.username,
    sealedSecret,
    createdBy: actor.userId,
  });
  await audit(deps, actor, {
    action: 'git.credential_create',
    workspaceId,
    targetId: id,
    meta: { kind: 'https-token' },
  });
  return { credentialId: id };
}

/** A new ed25519 deploy key: the public key line to show and the private key file to seal. */
function newDeployKey(comment: string): { publicKey: string; privateKey: string } {
  const pair = generateKeyPairSync('ed25519');
  const seed = Buffer.from(String(pair.privateKey.export({ format: 'jwk' }).d), 'base64url');
  const pub = Buffer.from(String(pair.publicKey.export({ format: 'jwk' }).x), 'base64url');
  return {
    publicKey: openSshPublicKey(pub, comment),
    privateKey: openSshPrivateKey(seed, pub, comment, randomInt(2 ** 32)),
  };
}

async function deployKeyComment(deps: GitDeps, workspaceId: string): Promise<string> {
  const [row] = await deps.db
    .select({ name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return `tandem-${row?.name ?? workspaceId}`;
}

const keyFingerprint = (publicKey: string) => sshFingerprint(publicKey.split(' ')[1] ?? '');

/**
 * Generates an SSH deploy key for the workspace (ed25519). The private key is sealed like a token and never leaves
 * the server; the public key line is returned to be added to the repository's deploy keys. A connected SSH remote
 * that has no credential (its key was deleted) takes the new key, so deleting a key is not the end of the remote.
 */
export async function createDeployKey(
  deps: GitDeps,
  actor: Actor,
  workspaceId: string,
): Promise<{ credentialId: string; publicKey: string; fingerprint: string; attached: boolean }> {
  const id = randomUUID();
  const key = newDeployKey(await deployKeyComment(deps, workspaceId));
  await deps.db.insert(gitCredentials).values({
    id,
    workspaceId,
    kind: 'ssh-key',
    username: '',
    sealedSecret: deps.secrets().seal(key.privateKey, credentialPurpose(id)),
    publicKey: key.publicKey,
    createdBy: actor.userId,
  });
  const remote = await getRemote(deps, workspaceId);
  const attached =
    remote !== null &&
    remote.credentialId === null &&
    parseRemoteUrl(remote.url).protocol === 'ssh' &&
    (
      await deps.db
        .update(gitRemotes)
        .set({ credentialId: id, updatedAt: new Date() })
        .where(and(eq(gitRemotes.workspaceId, workspaceId), isNull(gitRemotes.credentialId)))
        .returning({ workspaceId: gitRemotes.workspaceId })
    ).length > 0;
  await audit(deps, actor, {
    action: 'git.credential_create',
    workspaceId,
    targetId: id,
    meta: { kind: 'ssh-key', fingerprint: keyFingerprint(key.publicKey), ...(attached ? { attached } : {}) },
  });
  return {
    credentialId: id,
    publicKey: key.publicKey,
    fingerprint: keyFingerprint(key.publicKey),
    attached,
  };
}

/**
 * Replaces a deploy key with a new one under the same id, so the remote keeps using it: the old key stops working
 * here at once, and the host accepts the new one once its public key is added there (remove the old one there).
 */
export async function rotateDeployKey(
  deps: GitDeps,
  actor: Actor,
  workspaceId: string,
  credentialId: string,
): Promise<{ credentialId: string; publicKey: string; fingerprint: string }> {
  const key = newDeployKey(await deployKeyComment(deps, workspaceId));
  const updated = await deps.db
    .update(gitCredentials)
    .set({
      sealedSecret: deps.secrets().seal(key.privateKey, credentialPurpose(credentialId)),
      publicKey: key.publicKey,
    })
    .where(
      and(
        eq(gitCredentials.id, credentialId),
        eq(gitCredentials.workspaceId, workspaceId),
        eq(gitCredentials.kind, 'ssh-key'),
      ),
    )
    .returning({ id: gitCredentials.id });
  if (updated.length === 0) throw new AppError('NOT_FOUND', 'No such deploy key in this workspace.');
  await audit(deps, actor, {
    action: 'git.credential_rotate',
    workspaceId,
    targetId: credentialId,
    meta: { kind: 'ssh-key', fingerprint: keyFingerprint(key.publicKey) },
  });
  return { credentialId, publicKey: key.publicKey, fingerprint: keyFingerprint(key.publicKey) };
}

/** Deletes a credential; a remote that used it has none afterwards (its pushes and pulls need a new one). */
export async function deleteCredential(
  deps: GitDeps,
  actor: Actor,
  workspaceId: string,
  credentialId: string,
): Promise<{ credentialId: string }> {
  const deleted = await deps.db
    .delete(gitCredentials)
    .where(and(eq(gitCredentials.id, credentialId), eq(gitCredentials.workspaceId, workspaceId)))
    .returning({ kind: gitCredentials.kind });
  const row = deleted[0];
  if (!row) throw new AppError('NOT_FOUND', 'No such credential in this workspace.');
  await audit(deps, actor, {
    action: 'git.credential_delete',
    workspaceId,
    targetId: credentialId,
    meta: { kind: row.kind },
  });
  return { credentialId };
}

/** The credentials of a workspace, without their secrets (which never leave the server); deploy keys' public keys. */
export async function listCredentials(deps: GitDeps, workspaceId: string) {
  const rows = await deps.db
    .select({
      id: gitCredentials.id,
      kind: gitCredentials.kind,
      username: gitCredentials.username,
      publicKey: gitCredentials.publicKey,
      createdAt: gitCredentials.createdAt,
    })
    .from(gitCredentials)
    .where(eq(gitCredentials.workspaceId, workspaceId));
  return rows.map((row) => ({
    ...row,
    fingerprint: row.publicKey ? keyFingerprint(row.publicKey) : null,
  }));
}

async function remoteAccess(
  deps: GitDeps,
  workspaceId: string,
  url: string,
  credentialId: string | null | undefined,
  /** The host key recorded on connect; null when connecting (the first connection records it). */
  knownHosts: string | null,
): Promise<RemoteAccess> {
  let auth: RemoteAccess['auth'];
  let ssh: RemoteAccess['ssh'];
  if (credentialId) {
    const [row] = await deps.db
      .select()
      .from(gitCredentials)
      .where(and(eq(gitCredentials.id, credentialId), eq(gitCredentials.workspaceId, workspaceId)));
    if (!row) throw new AppError('NOT_FOUND', 'No such credential in this workspace.');
    const secret = deps.secrets().open(row.sealedSecret, credentialPurpose(row.id));
    if (row.kind === 'ssh-key') ssh = { privateKey: secret, knownHosts };
    else auth = { username: row.username, password: secret };
  }
  return {
    url,
    auth,
    ssh,
    allowedHosts: deps.config.git.allowedHosts,
    idleTimeoutMs: deps.git.remoteIdleTimeoutMs,
    searchPath: deps.config.git.searchPath,
  };
}

/** The recorded host keys of an ssh remote, as the owner sees them (type and SHA256 fingerprint). */
const hostKeysOf = (knownHosts: string | null) =>
  parseKnownHosts(knownHosts ?? '').map(({ type, fingerprint }) => ({ type, fingerprint }));

async function remoteOf(deps: GitDeps, workspaceId: string) {
  const [row] = await deps.db.select().from(gitRemotes).where(eq(gitRemotes.workspaceId, workspaceId));
  if (!row) throw new AppError('GIT_NOT_CONNECTED', 'This workspace is not connected to a git repository.');
  return row;
}

const presentRemote = (row: typeof gitRemotes.$inferSelect) => ({
  url: row.url,
  branch: row.branch,
  baseCommit: row.baseCommit,
  credentialId: row.credentialId,
  hostKeys: hostKeysOf(row.knownHosts),
});

export async function getRemote(deps: GitDeps, workspaceId: string) {
  const [row] = await deps.db.select().from(gitRemotes).where(eq(gitRemotes.workspaceId, workspaceId));
  return row ? presentRemote(row) : null;
}

/**
 * Accepts the host key an SSH remote's host presents now, after it changed (GIT_HOST_KEY_CHANGED): the key is read
 * again over the same checked address and locked-down ssh, and recorded only if its fingerprint is the one the owner
 * confirmed (GIT_HOST_KEY_MISMATCH otherwise), so nobody accepts a key unseen. Owners only (checked by the procedure).
 */
export function trustHostKey(
  deps: GitDeps,
  actor: Actor,
  input: { workspaceId: string; fingerprint: string },
) {
  const { workspaceId } = input;
  return exclusive(workspaceId, async () => {
    const remote = await remoteOf(deps, workspaceId);
    if (parseRemoteUrl(remote.url).protocol !== 'ssh') {
      throw new AppError('BAD_INPUT', 'Only an SSH remote has a host key to accept.');
    }
    const previous = hostKeysOf(remote.knownHosts);
    // Reading the key needs no deploy key: the connection offers none and the host refuses it after the key exchange.
    const scanned = await deps.git.run({
      op: 'host-keys',
      gitdir: gitdirOf(deps, workspaceId),
      remote: await remoteAccess(deps, workspaceId, remote.url, null, null),
    });
    const knownHosts = confirmedHostKeys(scanned.knownHosts, input.fingerprint);
    const hostKeys = hostKeysOf(knownHosts);
    const same =
      previous.length === hostKeys.length &&
      previous.every((key, i) => key.fingerprint === hostKeys[i]?.fingerprint);
    if (same) return { hostKeys, previous, changed: false };
    await deps.db
      .update(gitRemotes)
      .set({ knownHosts, updatedAt: new Date() })
      .where(eq(gitRemotes.workspaceId, workspaceId));
    await audit(deps, actor, {
      action: 'git.host_key_trust',
      workspaceId,
      meta: {
        url: remote.url,
        previous: previous.map((key) => key.fingerprint),
        fingerprint: input.fingerprint.trim(),
      },
    });
    await deps.channels.gitChanges.publish(workspaceId, { action: 'host-key' });
    return { hostKeys, previous, changed: true };
  });
}

export function connect(
  deps: GitDeps,
  actor: Actor,
  input: { workspaceId: string; url: string; branch?: string | undefined; credentialId?: string | undefined },
) {
  const { workspaceId } = input;
  return exclusive(workspaceId, async () => {
    const parsed = parseRemoteUrl(input.url);
    const url = parsed.href;
    // Checked here too (the worker checks every request again), so a refused address costs no clone attempt.
    await checkedAddress(parsed.host, deps.config.git.allowedHosts);
    if (await getRemote(deps, workspaceId)) {
      throw new AppError('GIT_ALREADY_CONNECTED', 'This workspace is already connected to a git repository.');
    }
    // Into a workspace nobody has open, the git worker imports the files too and the event loop only stores them.
    const edit = await deps.rooms.unloadedEdit(workspaceId);
    let cloned: GitResults['clone'];
    try {
      if (edit === null) {
        const empty = await deps.rooms.transact(workspaceId, (doc) => listStoredFiles(doc).length === 0);
        if (!empty) throw workspaceNotEmpty();
      }
      const remote = await remoteAccess(deps, workspaceId, url, input.credentialId, null);
      cloned = await deps.git.run({
        op: 'clone',
        gitdir: gitdirOf(deps, workspaceId),
        remote,
        branch: input.branch,
        limits: deps.git.limits,
        into: edit?.stored ?? null,
        statePartBytes: SNAPSHOT_PART_BYTES,
      });
      for (const error of cloned.applyErrors) deps.rooms.reportApplyError(workspaceId, new Error(error));
      const { imported } = cloned;
      // Nobody is named as the author of the imported text (see `authorship.ts`).
      if (imported === null) {
        await importInSlices(deps.rooms, workspaceId, cloned.files, { overwrite: false });
      } else if (!(await edit?.commit(imported.edit))) {
        // Opened meanwhile: the edit only adds files, so it fits the live document while that still has none.
        await deps.rooms.transact(workspaceId, (doc) => {
          if (listStoredFiles(doc).length > 0) throw workspaceNotEmpty();
          for (const update of storedEditUpdates(imported.edit)) Y.applyUpdate(doc, update);
        });
      }
    } finally {
      edit?.abandon();
    }
    await deps.db.insert(gitRemotes).values({
      workspaceId,
      url,
      branch: cloned.branch,
      baseCommit: cloned.commit,
      credentialId: input.credentialId ?? null,
      knownHosts: cloned.knownHosts,
      connectedBy: actor.userId,
    });
    await audit(deps, actor, {
      action: 'git.connect',
      workspaceId,
      targetId: cloned.commit,
      meta: {
        url,
        branch: cloned.branch,
        files: cloned.fileCount,
        skipped: cloned.skipped.length,
        hostKeys: hostKeysOf(cloned.knownHosts).map((key) => key.fingerprint),
      },
    });
    await deps.channels.gitChanges.publish(workspaceId, {
      action: 'connect',
      commit: cloned.commit,
      branch: cloned.branch,
    });
    return {
      url,
      branch: cloned.branch,
      commit: cloned.commit,
      files: cloned.fileCount,
      skipped: cloned.skipped,
      submodules: cloned.submodules,
      lfsPointers: cloned.lfsPointers,
      hostKeys: hostKeysOf(cloned.knownHosts),
    };
  });
}

async function liveStatus(deps: GitDeps, workspaceId: string, base: string, diffs = true) {
  const live = await deps.rooms.transact(workspaceId, (doc) => exportFiles(doc));
  const status = await deps.git.run({ op: 'status', gitdir: gitdirOf(deps, workspaceId), base, live, diffs });
  return { live, changes: status.changes };
}

export async function status(deps: GitDeps, workspaceId: string) {
  const remote = await remoteOf(deps, workspaceId);
  const { changes } = await liveStatus(deps, workspaceId, remote.baseCommit);
  return {
    ...presentRemote(remote),
    changes: changes.map(({ baseText: _baseText, ...change }) => change),
  };
}

const selects = (change: GitChange, paths: readonly string[] | undefined) =>
  paths === undefined ||
  paths.some((p) =>
    [change.path, change.from].some(
      (candidate) => candidate !== undefined && (candidate === p || candidate.startsWith(`${p}/`)),
    ),
  );

/** The authors of the committed insertions, from the live document's items and the recorded authorship. */
async function coAuthorsOf(
  deps: GitDeps,
  workspaceId: string,
  changes: readonly (GitChange & { baseText: string | null; binary: boolean })[],
  committer: string,
): Promise<CoAuthor[]> {
  const runs = await deps.rooms.transact(workspaceId, (doc) => {
    const collected: IdRun[] = [];
    for (const change of changes) {
      if (change.kind === 'deleted' || change.binary) continue;
      const file = getStoredFile(doc, change.path);
      if (file && !file.binary)
        collected.push(...committedIds(file.text, change.kind === 'added' ? null : change.baseText));
    }
    return collected;
  });
  const authors = await deps.authorship.authorsOf(workspaceId, runs);
  const userIds = authors.filter((a) => a.kind === 'user' && a.id !== committer).map((a) => a.id);
  const taskIds = authors.filter((a) => a.kind === 'task').map((a) => a.id);
  const coAuthors: CoAuthor[] = [];
  if (userIds.length > 0) {
    const rows = await deps.db
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(inArray(users.id, userIds));
    coAuthors.push(...rows);
  }
  if (taskIds.length > 0) {
    const host = deps.config.publicUrl ? new URL(deps.config.publicUrl).hostname : 'tandem.invalid';
    const rows = await deps.db
      .select({ id: tasks.id, model: tasks.model })
      .from(tasks)
      // A pull's task only carried the remote's own lines into the document: they are the remote's, not a co-author's.
      .where(and(inArray(tasks.id, taskIds), eq(tasks.workspaceId, workspaceId), eq(tasks.kind, 'ai')));
    coAuthors.push(...rows.map((row) => taskCoAuthor(row, host)));
  }
  return coAuthors;
}

export function commit(
  deps: GitDeps,
  actor: Actor,
  input: { workspaceId: string; message: string; paths?: string[] | undefined },
  /** The accepted task this commit is made for by the workspace's auto-commit option (recorded in the audit). */
  auto?: { taskId: string },
) {
  const { workspaceId } = input;
  return exclusive(workspaceId, async () => {
    // The document is read twice (the files, then the authors of what changed): kept loaded in between, it is
    // loaded once even when nobody has it open.
    const release = deps.rooms.retain(workspaceId);
    try {
      return await commitRetained(deps, actor, input, auto);
    } finally {
      release();
    }
  });
}

async function commitRetained(
  deps: GitDeps,
  actor: Actor,
  input: { workspaceId: string; message: string; paths?: string[] | undefined },
  auto: { taskId: string } | undefined,
) {
  const { workspaceId } = input;
  const remote = await remoteOf(deps, workspaceId);
  const { live, changes } = await liveStatus(deps, workspaceId, remote.baseCommit, false);
  const chosen = changes.filter((change) => selects(change, input.paths));
  if (chosen.length === 0) {
    throw new AppError('GIT_NOTHING_TO_COMMIT', 'There are no changes to commit.', {
      details: { paths: input.paths ?? null },
    });
  }
  const coAuthors = await coAuthorsOf(deps, workspaceId, chosen, actor.userId);
  const [author] = await deps.db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, actor.userId));
  if (!author) throw new AppError('NOT_FOUND', 'No such user.');
  const needed = new Set(chosen.filter((c) => c.kind !== 'deleted').map((c) => c.path));
  const made = await deps.git.run({
    op: 'commit',
    gitdir: gitdirOf(deps, workspaceId),
    base: remote.baseCommit,
    branch: remote.branch,
    live: live.filter((file) => needed.has(file.path)),
    changes: chosen.map(({ kind, path: p, from }) => ({ kind, path: p, ...(from ? { from } : {}) })),
    message: commitMessage(input.message, coAuthors),
    author: { ...author, timestamp: Math.floor(Date.now() / 1000) },
  });
  const updated = await deps.db
    .update(gitRemotes)
    .set({ baseCommit: made.commit, updatedAt: new Date() })
    .where(and(eq(gitRemotes.workspaceId, workspaceId), eq(gitRemotes.baseCommit, remote.baseCommit)))
    .returning({ workspaceId: gitRemotes.workspaceId });
  if (updated.length === 0) {
    throw new AppError('CONFLICT', 'Another commit was made in this workspace meanwhile; try again.');
  }
  await audit(deps, actor, {
    action: 'git.commit',
    workspaceId,
    targetId: made.commit,
    meta: {
      files: chosen.length,
      coAuthors: coAuthors.length,
      ...(auto ? { auto: true, taskId: auto.taskId } : {}),
    },
  });
  await deps.channels.gitChanges.publish(workspaceId, {
    action: 'commit',
    commit: made.commit,
    branch: remote.branch,
  });
  return {
    commit: made.commit,
    branch: remote.branch,
    changes: chosen.map(({ kind, path: p, from }) => ({ kind, path: p, ...(from ? { from } : {}) })),
    coAuthors,
  };
}

export function push(
  deps: GitDeps,
  actor: Actor,
  input: { workspaceId: string; branch?: string | undefined },
) {
  const { workspaceId } = input;
  return exclusive(workspaceId, async () => {
    await requireFeature(deps.db, workspaceId, 'gitPush');
    const remote = await remoteOf(deps, workspaceId);
    const remoteBranch = input.branch ?? remote.branch;
    const pushed = await deps.git.run({
      op: 'push',
      gitdir: gitdirOf(deps, workspaceId),
      remote: await remoteAccess(deps, workspaceId, remote.url, remote.credentialId, remote.knownHosts),
      commit: remote.baseCommit,
      branch: remote.branch,
      remoteBranch,
    });
    await audit(deps, actor, {
      action: 'git.push',
      workspaceId,
      targetId: pushed.commit,
      meta: { branch: remoteBranch },
    });
    await deps.channels.gitChanges.publish(workspaceId, {
      action: 'push',
      commit: pushed.commit,
      branch: remoteBranch,
    });
    return pushed;
  });
}

const sameBytes = (a: Uint8Array | null, b: Uint8Array | null) =>
  a === null || b === null ? a === b : a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);
const textOrNull = (bytes: Uint8Array | null) => (bytes === null ? null : (decodeText(bytes) ?? null));
// Not valid UTF-8 is binary too (`isBinaryContent`).
const isBinary = (bytes: Uint8Array | null) => bytes !== null && isBinaryContent(bytes);

export interface PullOutcome {
  relation: 'up-to-date' | 'ahead' | 'fast-forward' | 'diverged';
  /** The workspace's commit afterwards. */
  commit: string;
  /** Remote commits brought in. */
  commits: number;
  /** Commits made here that the remote did not have: their changes stay in the files, to be committed again. */
  unpushed: number;
  /** The task that holds the pull's changes for review; null when nothing changed in the files. */
  taskId: string | null;
  /** Hunks that landed at once (lines only the remote changed). */
  applied: number;
  /** Hunks on lines both sides changed: waiting in the review (accept takes the remote's text). */
  conflicts: { hunkId: string; path: string }[];
  /** Binary files changed on both sides (the workspace keeps its version) and paths that could not be written. */
  skipped: { path: string; reason: string }[];
}

/** Lets the event loop run between steps of a long job, so peers' edits are not held up behind it. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Main-thread work a merge step may take before it yields (anchoring many files). */
const STEP_MS = 4;

type FetchedFile = { path: string; base: Uint8Array | null; theirs: Uint8Array | null };

/**
 * Merges a pull's files into the live document. Only what needs the live text runs inside the one document
 * transaction: the texts are copied with a `Y.Snapshot`, the line merge and the changeset are computed from that copy
 * on a worker thread (`pullChangeset`), its hunks are anchored against the snapshot a few files at a time, and the
 * transaction lands them where their lines are now. A hunk whose lines a peer changed since the copy comes back as a
 * conflict (it waits in the review), exactly as an accepted AI change does; binary files are decided inside, on the
 * bytes there are then.
 */
async function mergePulled(
  deps: GitDeps,
  workspaceId: string,
  files: readonly FetchedFile[],
  taskId: string,
  userId: string,
) {
  const release = deps.rooms.retain(workspaceId);
  try {
    const copy = await deps.rooms.transact(workspaceId, (doc) => {
      const texts: PulledFile[] = [];
      const live = new Map<string, string>();
      const binaries: FetchedFile[] = [];
      for (const file of files) {
        const stored = getStoredFile(doc, file.path);
        if (isBinary(file.base) || isBinary(file.theirs) || stored?.binary === true) {
          binaries.push(file);
          continue;
        }
        texts.push({ path: file.path, base: textOrNull(file.base), theirs: textOrNull(file.theirs) });
        if (stored) live.set(file.path, stored.text.toJSON());
      }
      return { texts, live, binaries, snapshot: Y.snapshot(doc) };
    });
    const planned =
      copy.texts.length === 0
        ? { changeset: { taskId, files: [] }, conflicting: [] }
        : await deps.git.run({ op: 'pull-changeset', files: copy.texts, live: copy.live, taskId });
    // Anchoring walks each file's items: a few files a turn, so a pull of many files never holds the loop long.
    const anchored: Changeset['files'] = [];
    for (let at = 0; at < planned.changeset.files.length;) {
      await yieldToLoop();
      const doc = deps.rooms.getDoc(workspaceId);
      if (!doc) throw new AppError('INTERNAL', 'the workspace document was unloaded during a pull');
      const started = performance.now();
      do {
        const file = planned.changeset.files[at];
        at += 1;
        if (file === undefined) break;
        anchored.push(...anchorChangeset(doc, { taskId, files: [file] }, { snapshot: copy.snapshot }).files);
      } while (at < planned.changeset.files.length && performance.now() - started < STEP_MS);
    }
    const changeset: Changeset = { ...planned.changeset, files: anchored };
    const conflicting = new Set(planned.conflicting);
    const limits = deps.git.limits;
    return await deps.rooms.transact(
      workspaceId,
      (doc) => {
        const skipped: PullOutcome['skipped'] = [];
        for (const file of copy.binaries) {
          // A binary file has no lines to merge: it takes the remote's version only where nobody changed it here.
          const stored = getStoredFile(doc, file.path);
          const current = stored ? (stored.binary ? stored.bytes : encodeText(stored.text.toJSON())) : null;
          if (sameBytes(current, file.theirs)) continue;
          if (!sameBytes(current, file.base)) {
            skipped.push({
              path: file.path,
              reason: 'changed here and on the remote; the workspace keeps its version',
            });
            continue;
          }
          try {
            if (file.theirs === null) deleteFile(doc, file.path);
            else if (stored) writeFile(doc, file.path, file.theirs, { limits });
            else createFile(doc, file.path, file.theirs, { limits });
          } catch (error) {
            if (!isAppError(error)) throw error;
            skipped.push({ path: file.path, reason: error.message });
          }
        }
        const clean = changeset.files.flatMap((f) =>
          f.hunks.filter((h) => !conflicting.has(h.id)).map((h) => h.id),
        );
        const result =
          clean.length > 0
            ? applyHunks(doc, changeset, clean, { taskId, userId })
            : {
                changeset,
                applied: [] as string[],
                conflicts: [] as HunkConflict[],
                undo: [] as UndoRecord[],
              };
        return { ...result, skipped };
      },
      taskOrigin(taskId, userId, 'apply'),
    );
  } finally {
    release();
  }
}

/**
 * Fetches the tracked branch and merges the remote's new commits into the live files the way an accepted AI change
 * is merged, as a task of kind `git-pull` that everyone sees: what only the remote changed lands at once, where the
 * text has moved to; lines both sides changed wait in the task's review, and so do lines someone changed while the
 * merge was being computed (`mergePulled`): nothing typed meanwhile is overwritten. Afterwards the workspace stands on the
 * remote's commit; commits made here that were never pushed are folded back into the changes to commit (their
 * changes stay in the files; the remote never had them).
 */
export function pull(deps: GitDeps, actor: Actor, input: { workspaceId: string }): Promise<PullOutcome> {
  const { workspaceId } = input;
  return exclusive(workspaceId, async () => {
    const remote = await remoteOf(deps, workspaceId);
    const fetched = await deps.git.run({
      op: 'fetch',
      gitdir: gitdirOf(deps, workspaceId),
      remote: await remoteAccess(deps, workspaceId, remote.url, remote.credentialId, remote.knownHosts),
      base: remote.baseCommit,
      branch: remote.branch,
      limits: deps.git.limits,
    });
    const nothing = { taskId: null, applied: 0, conflicts: [], skipped: [] };
    if (fetched.relation === 'up-to-date' || fetched.relation === 'ahead') {
      return {
        ...nothing,
        relation: fetched.relation,
        commit: remote.baseCommit,
        commits: 0,
        unpushed: fetched.unpushed,
      };
    }
    const taskId = randomUUID();
    const short = fetched.head.slice(0, 7);
    const prompt = `Pull ${fetched.commits} commit${fetched.commits === 1 ? '' : 's'} from ${remote.branch} (${short})`;
    await deps.db.insert(tasks).values({
      id: taskId,
      workspaceId,
      kind: 'git-pull',
      createdBy: actor.userId,
      prompt,
      state: 'running',
      startedAt: new Date(),
    });
    const merged = await mergePulled(deps, workspaceId, fetched.files, taskId, actor.userId);
    const hunks = merged.changeset.files.flatMap((f) => f.hunks.map((h) => ({ ...h, path: f.path })));
    // Anything that did not land cleanly (a hunk a peer's edit beat to its lines) waits in the review too.
    const conflicts = hunks
      .filter((h) => h.status !== 'applied')
      .map((h) => ({ hunkId: h.id, path: h.path }));
    const state = hunks.length === 0 ? 'no-changes' : merged.applied.length > 0 ? 'applied' : 'proposed';
    await deps.db
      .update(tasks)
      .set({ state, changeset: merged.changeset, undo: merged.undo, finishedAt: new Date() })
      .where(eq(tasks.id, taskId));
    const updated = await deps.db
      .update(gitRemotes)
      .set({ baseCommit: fetched.head, updatedAt: new Date() })
      .where(and(eq(gitRemotes.workspaceId, workspaceId), eq(gitRemotes.baseCommit, remote.baseCommit)))
      .returning({ workspaceId: gitRemotes.workspaceId });
    if (updated.length === 0) {
      throw new AppError(
        'CONFLICT',
        'Another commit or pull was made in this workspace meanwhile; try again.',
      );
    }
    const event = (e: Parameters<typeof appendTaskEvent>[3]) =>
      appendTaskEvent(deps.db, deps.channels.taskEvents, taskId, e);
    if (hunks.length > 0)
      await event({ type: 'proposal', summary: summarizeChangeset(merged.changeset), revision: 1 });
    if (merged.applied.length > 0)
      await event({ type: 'applied', by: actor.userId, hunkIds: merged.applied });
    await event({
      type: 'done',
      outcome: state === 'no-changes' ? 'no-changes' : state,
      tokensIn: 0,
      tokensOut: 0,
      costUsd: null,
      totalMs: 0,
      phaseMs: {},
    });
    await deps.channels.taskChanges.publish(workspaceId, { taskId, state });
    await audit(deps, actor, {
      action: 'git.pull',
      workspaceId,
      targetId: fetched.head,
      meta: {
        taskId,
        commits: fetched.commits,
        unpushed: fetched.unpushed,
        applied: merged.applied.length,
        conflicts: conflicts.length,
        skipped: merged.skipped.length,
      },
    });
    await deps.channels.gitChanges.publish(workspaceId, {
      action: 'pull',
      commit: fetched.head,
      branch: remote.branch,
    });
    return {
      relation: fetched.relation,
      commit: fetched.head,
      commits: fetched.commits,
      unpushed: fetched.unpushed,
      taskId,
      applied: merged.applied.length,
      conflicts,
      skipped: merged.skipped,
    };
  });
}

export async function log(deps: GitDeps, workspaceId: string, limit: number) {
  const remote = await remoteOf(deps, workspaceId);
  return deps.git.run({
    op: 'log',
    gitdir: gitdirOf(deps, workspaceId),
    ref: remote.baseCommit,
    depth: limit,
  });
}

export async function show(deps: GitDeps, workspaceId: string, commitId: string) {
  await remoteOf(deps, workspaceId);
  return deps.git.run({ op: 'show', gitdir: gitdirOf(deps, workspaceId), commit: commitId });
}

/** Workspace policy: commit each accepted AI task on its own. Owners only (checked by the procedure). */
export async function setAutoCommit(deps: GitDeps, actor: Actor, workspaceId: string, autoCommit: boolean) {
  await deps.db.update(workspaces).set({ autoCommit }).where(eq(workspaces.id, workspaceId));
  await audit(deps, actor, { action: 'git.auto_commit', workspaceId, meta: { autoCommit } });
  await deps.channels.gitChanges.publish(workspaceId, { action: 'auto-commit' });
  return { autoCommit };
}

export type AutoCommitOutcome =
  { commit: string; branch: string } | { error: { code: AppError['code']; message: string } };

/**
 * After an AI task's hunks were accepted: when the workspace has auto-commit on and a remote, commits the files the
 * accepted hunks touched, the task's prompt as the message, authored by whoever accepted (the task and other
 * typists as co-authors, as `commit` reads them). Returns null when the option is off or the workspace has no
 * remote. A failure is returned and audited, never thrown: the acceptance it follows stands.
 */
export async function autoCommitTask(
  deps: GitDeps,
  actor: Actor,
  task: { id: string; workspaceId: string; prompt: string },
  paths: readonly string[],
): Promise<AutoCommitOutcome | null> {
  const [row] = await deps.db
    .select({ autoCommit: workspaces.autoCommit })
    .from(workspaces)
    .where(eq(workspaces.id, task.workspaceId));
  if (!row?.autoCommit || paths.length === 0 || !(await getRemote(deps, task.workspaceId))) return null;
  try {
    const made = await commit(
      deps,
      actor,
      { workspaceId: task.workspaceId, message: autoCommitMessage(task.prompt), paths: [...paths] },
      { taskId: task.id },
    );
    return { commit: made.commit, branch: made.branch };
  } catch (error) {
    const failure = isAppError(error)
      ? { code: error.code, message: error.message }
      : { code: 'INTERNAL' as const, message: 'The commit could not be made.' };
    await audit(deps, actor, {
      action: 'git.auto_commit_failed',
      workspaceId: task.workspaceId,
      targetId: task.id,
      meta: { ...failure, paths: paths.length },
    });
    return { error: failure };
  }
}
