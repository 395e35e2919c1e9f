// The git work itself, on a bare repository in the data directory, run on a worker thread by git-runner.ts:
// fetching, reading and writing objects, pushing. The network goes through the git CLI (transport.ts); isomorphic-git
// walks histories and writes refs and commits; trees and blobs are read with object-store.ts and written with
// objects.ts (native zlib and sha1, an order of magnitude faster). Nothing here touches the workspace document; the
// service feeds it snapshots of files and takes back plain data.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import nodePath from 'node:path';
import {
  AppError,
  checkBlobSize,
  compareTrees,
  decodeText,
  describeSymlink,
  importArrivingIntoStoredDoc,
  isAppError,
  isBinaryContent,
  isLfsPointer,
  planCheckout,
  storedDocHasFiles,
  pullChangeset,
  unifiedDiff,
  type GitChange,
  type GitChangeWithDiff,
  type GitTreeEntry,
  type PullChangeset,
  type PulledFile,
  type RepositoryLimits,
  type SkippedEntry,
  type StoredDoc,
  type StoredImport,
} from '@tandem/core';
import git from 'isomorphic-git';
import { streamBlobs } from './cat-file.ts';
import { commitTree, ObjectStore, parseTree } from './object-store.ts';
import { treeContent, writeObject, type TreeEntryInput } from './objects.ts';
import { presentedHostKeys, withRemote, type RemoteAccess } from './transport.ts';

export type { RemoteAccess } from './transport.ts';

export interface LiveFile {
  path: string;
  content: Uint8Array;
}

export interface GitAuthor {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

export type GitJob =
  | {
      op: 'clone';
      gitdir: string;
      remote: RemoteAccess;
      branch: string | undefined;
      limits: RepositoryLimits;
      /**
       * The workspace's stored document when nobody has it open (`RoomManager.unloadedEdit`): the files are then
       * imported here too, and the service only stores the edit.
       */
      into: StoredDoc | null;
      /** An import heavier than `into` comes back as the document's whole state in parts this size (`StoredEdit`). */
      statePartBytes: number;
    }
  | {
      op: 'status';
      gitdir: string;
      base: string;
      live: LiveFile[];
      /** False: leave `diff` empty (a commit needs the changes and their base texts, not the diffs). */
      diffs?: boolean;
    }
  | {
      op: 'commit';
      gitdir: string;
      base: string;
      branch: string;
      /** Contents of the live files the commit includes (added, modified, renamed-to paths). */
      live: LiveFile[];
      changes: GitChange[];
      message: string;
      author: GitAuthor;
    }
  | {
      op: 'push';
      gitdir: string;
      remote: RemoteAccess;
      /** The workspace's current commit (`git_remotes.base_commit`): the local branch is set to it, then pushed. */
      commit: string;
      branch: string;
      remoteBranch: string;
    }
  | {
      op: 'fetch';
      gitdir: string;
      remote: RemoteAccess;
      /** The workspace's current commit: what the fetched one is compared with. */
      base: string;
      branch: string;
      limits: RepositoryLimits;
    }
  | { op: 'log'; gitdir: string; ref: string; depth: number }
  | { op: 'show'; gitdir: string; commit: string }
  /** The host keys an ssh remote's host presents now (nothing is written to the repository). */
  | { op: 'host-keys'; gitdir: string; remote: RemoteAccess }

  /** A pull's line merge (`pullChangeset`): no repository, just text work kept off the event loop. */
  | { op: 'pull-changeset'; files: PulledFile[]; live: Map<string, string>; taskId: string };

export interface CloneResult {
  commit: string;
  branch: string;
  /** The files to import, when the job did not import them itself (`into` is null). */
  files: LiveFile[];
  fileCount: number;
  skipped: SkippedEntry[];
  submodules: { path: string; commit: string }[];
  lfsPointers: string[];
  /** An ssh remote's host key as recorded on this first connection (known_hosts text); null for https. */
  knownHosts: string | null;
  /** The files imported into `into`, as the edit to store; null without `into`. */
  imported: StoredImport | null;
  /** What the stored document's damaged parts said when applied (`into`). */
  applyErrors: string[];
}

/** The refusal of a connect to a workspace that has files. */
export const workspaceNotEmpty = () =>
  new AppError(
    'GIT_WORKSPACE_NOT_EMPTY',
    'A repository can only be connected to an empty workspace; create a new workspace for it.',
  );

export interface StatusResult {
  changes: (GitChangeWithDiff & { baseText: string | null })[];
}

/** How the remote branch stands to the workspace's commit after a fetch. */
export type FetchRelation = 'up-to-date' | 'ahead' | 'fast-forward' | 'diverged';

export interface FetchResult {
  /** The remote branch's commit. */
  head: string;
  relation: FetchRelation;
  /** The newest commit both have: the remote's changes are counted from here. */
  mergeBase: string;
  /** Commits the remote has that the workspace does not (at most LOG_LIMIT are counted). */
  commits: number;
  /** Commits the workspace made that the remote does not have (a diverged history). */
  unpushed: number;
  /** The workspace files the remote changed since the merge base (a rename is a deletion and an addition). */
  files: { path: string; base: Uint8Array | null; theirs: Uint8Array | null }[];
}

export interface CommitInfo {
  commit: string;
  message: string;
  parents: string[];
  author: GitAuthor;
  committer: GitAuthor;
}

export type GitJobResult =
  | { op: 'clone'; result: CloneResult }
  | { op: 'status'; result: StatusResult }
  | { op: 'commit'; result: { commit: string } }
  | { op: 'push'; result: { remoteBranch: string; commit: string } }
  | { op: 'fetch'; result: FetchResult }
  | { op: 'log'; result: { commits: CommitInfo[] } }
  | { op: 'show'; result: CommitInfo & { changes: GitChangeWithDiff[] } }
  | { op: 'host-keys'; result: { knownHosts: string } }
  | { op: 'pull-changeset'; result: PullChangeset };

/** The git blob id of some content, as `git hash-object` computes it. */
export function blobId(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

const MAX_TREE_ENTRIES = 200_000;
const MAX_TREE_DEPTH = 64;

/**
 * Flattened trees of recent commits, by repository and commit (a commit's tree never changes). A commit reads its
 * base's tree right after the status did, and the next status reads the tree the commit just wrote.
 */
const flatTrees = new Map<string, readonly GitTreeEntry[]>();
const FLAT_TREES_KEPT = 4;

function rememberTree(gitdir: string, commit: string, entries: readonly GitTreeEntry[]): void {
  const key = `${gitdir}\0${commit}`;
  flatTrees.delete(key);
  flatTrees.set(key, entries);
  for (const old of flatTrees.keys()) {
    if (flatTrees.size <= FLAT_TREES_KEPT) break;
    flatTrees.delete(old);
  }
}

/** Every entry of a commit's tree, paths joined with `/`; bounded so a crafted tree cannot run forever. */
function flattenTree(store: ObjectStore, gitdir: string, commit: string): readonly GitTreeEntry[] {
  const known = flatTrees.get(`${gitdir}\0${commit}`);
  if (known) return known;
  const entries: GitTreeEntry[] = [];
  const walk = (oid: string, prefix: string, depth: number): void => {
    if (depth > MAX_TREE_DEPTH)
      throw new AppError('GIT_REPO_TOO_LARGE', 'The repository tree nests too deeply.');
    for (const entry of parseTree(store.get(oid, 'tree').content)) {
      const path = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
      entries.push({ path, mode: entry.mode, oid: entry.oid, type: entry.type });
      if (entries.length > MAX_TREE_ENTRIES) {
        throw new AppError('GIT_REPO_TOO_LARGE', `The repository has more than ${MAX_TREE_ENTRIES} entries.`);
      }
      // A name with `/` or `..` is reported by planCheckout; its subtree is not entered.
      if (
        entry.type === 'tree' &&
        !entry.path.includes('/') &&
        entry.path !== '..' &&
        entry.path !== '.git'
      ) {
        walk(entry.oid, path, depth + 1);
      }
    }
  };
  walk(commitTree(store.get(commit, 'commit').content), '', 0);
  rememberTree(gitdir, commit, entries);
  return entries;
}

/** path -> blob id of the committed entries that are workspace files (what status compares against). */
function workspaceBlobs(store: ObjectStore, gitdir: string, commit: string): Map<string, string> {
  const plan = planCheckout(flattenTree(store, gitdir, commit), {
    maxFiles: Number.MAX_SAFE_INTEGER,
    maxFileBytes: Number.MAX_SAFE_INTEGER,
    maxWorkspaceBytes: Number.MAX_SAFE_INTEGER,
  });
  return new Map(plan.files.map((file) => [file.path, file.oid]));
}

const textOf = (bytes: Uint8Array | null): string | null =>
  bytes === null || isBinaryContent(bytes) ? null : (decodeText(bytes) ?? null);

const readBlobBytes = (store: ObjectStore, oid: string): Uint8Array => store.get(oid, 'blob').content;

/** Runs `work` with the repository's objects open for reading; closes them afterwards. */
async function withStore<T>(gitdir: string, work: (store: ObjectStore) => Promise<T> | T): Promise<T> {
  const store = new ObjectStore(gitdir);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

const isBinaryPair = (before: Uint8Array | null, after: Uint8Array | null) =>
  (before !== null && isBinaryContent(before)) || (after !== null && isBinaryContent(after));

function withDiff(change: GitChange, before: Uint8Array | null, after: Uint8Array | null): GitChangeWithDiff {
  const binary = isBinaryPair(before, after);
  if (binary) return { ...change, binary: true, diff: `Binary files differ\n` };
  return { ...change, binary: false, diff: unifiedDiff(change, textOf(before), textOf(after)) };
}

/** Fetches the remote's `branch` into refs/remotes/origin/<branch>. */
function remoteFetch(job: Extract<GitJob, { op: 'fetch' }>): Promise<string> {
  return withRemote(job.remote, (session) =>
    session.git(
      job.gitdir,
      [
        'fetch',
        '--no-tags',
        '--no-write-fetch-head',
        '--no-recurse-submodules',
        session.url,
        `+refs/heads/${job.branch}:refs/remotes/origin/${job.branch}`,
      ],
      { maxDownloadBytes: job.limits.maxDownloadBytes },
    ),
  );
}

/** Turns isomorphic-git's errors into typed ones; AppErrors (the transport's among them) pass through. */
export function gitError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  if (e.code === 'NotFoundError') return new AppError('GIT_REMOTE_ERROR', `Not found: ${message}`);
  return new AppError('INTERNAL', `git failed: ${message}`, { cause: error });
}

/** A clone that fails keeps nothing: the workspace has no remote then, so its repository folder goes too. */
async function cloneJob(job: Extract<GitJob, { op: 'clone' }>): Promise<CloneResult> {
  try {
    return await cloneInto(job);
  } catch (error) {
    await fs.promises.rm(job.gitdir, { recursive: true, force: true });
    throw error;
  }
}

async function cloneInto(job: Extract<GitJob, { op: 'clone' }>): Promise<CloneResult> {
  const applyErrors: string[] = [];
  const onApplyError = (error: unknown) =>
    applyErrors.push(error instanceof Error ? error.message : String(error));
  // The import below applies `into` again and reports its damaged parts; reported here too, each would show twice.
  if (job.into !== null && storedDocHasFiles(job.into, () => undefined)) throw workspaceNotEmpty();
  await fs.promises.rm(job.gitdir, { recursive: true, force: true });
  await fs.promises.mkdir(nodePath.dirname(job.gitdir), { recursive: true });
  // One `git clone` learns the remote's HEAD and fetches its branch alone (an ls-remote first cost a round trip).
  const { knownHosts } = await withRemote(job.remote, async (session) => {
    await session.git(
      job.gitdir,
      [
        'clone',
        '--bare',
        '--single-branch',
        '--no-tags',
        '--template=',
        ...(job.branch === undefined ? [] : [`--branch=${job.branch}`]),
        '--',
        session.url,
        job.gitdir,
      ],
      { maxDownloadBytes: job.limits.maxDownloadBytes },
    );
    return { knownHosts: await session.knownHosts() };
  });
  const head = /^ref: refs\/heads\/(\S+)$/m.exec(
    await fs.promises.readFile(nodePath.join(job.gitdir, 'HEAD'), 'utf8'),
  );
  const branch = job.branch ?? head?.[1] ?? 'main';
  let commit: string;
  try {
    commit = await git.resolveRef({ fs, gitdir: job.gitdir, ref: `refs/heads/${branch}` });
  } catch {
    throw new AppError('GIT_REMOTE_ERROR', `The remote has no branch ${branch} (an empty repository?).`, {
      details: { branch },
    });
  }
  // Where a pull's fetch keeps the remote branch.
  await git.writeRef({
    fs,
    gitdir: job.gitdir,
    ref: `refs/remotes/origin/${branch}`,
    value: commit,
    force: true,
  });
  const checkout = await withStore(job.gitdir, async (store) => {
    if (job.into === null) return { ...(await readCheckout(job, store, commit)), imported: null };
    // Into the stored document as git reads each blob: building it overlaps the reading. The files then need not
    // cross to the event loop.
    const into = job.into;
    let read: Awaited<ReturnType<typeof readCheckout>> | undefined;
    const imported = await importArrivingIntoStoredDoc(
      into,
      async (add) => {
        read = await readCheckout(job, store, commit, add);
      },
      { statePartBytes: job.statePartBytes },
      onApplyError,
    );
    if (read === undefined) throw new AppError('INTERNAL', 'the checkout was not read');
    return { ...read, imported };
  });
  return { ...checkout, commit, branch, knownHosts, applyErrors };
}

/**
 * The files of `commit` a workspace takes, and what of its tree it leaves out. With `onFile`, each file goes there
 * as it is read instead of into `files`.
 */
async function readCheckout(
  job: Extract<GitJob, { op: 'clone' }>,
  store: ObjectStore,
  commit: string,
  onFile?: (file: LiveFile) => void,
): Promise<Pick<CloneResult, 'files' | 'fileCount' | 'skipped' | 'submodules' | 'lfsPointers'>> {
  const tree = flattenTree(store, job.gitdir, commit);
  const oids = new Map(tree.map((entry) => [entry.path, entry.oid]));
  const plan = planCheckout(tree, job.limits);
  const skipped = plan.skipped.filter((entry) => entry.reason !== 'symlink');
  for (const entry of plan.skipped) {
    if (entry.reason !== 'symlink') continue;
    // A symlink's blob is its target path.
    const bytes = readBlobBytes(store, oids.get(entry.path) ?? '');
    skipped.push(describeSymlink(entry.path, new TextDecoder().decode(bytes)));
  }
  const files: LiveFile[] = [];
  const lfsPointers: string[] = [];
  let total = 0;
  await streamBlobs(
    job.gitdir,
    plan.files.map((file) => file.oid),
    {
      searchPath: job.remote.searchPath,
      checkSize: (i, size) => {
        total += size;
        checkBlobSize(plan.files[i]?.path ?? '', size, total, job.limits);
      },
      onBlob: (i, content) => {
        const path = plan.files[i]?.path ?? '';
        if (isLfsPointer(content)) lfsPointers.push(path);
        if (onFile) onFile({ path, content });
        else files.push({ path, content });
      },
    },
  );
  return { files, fileCount: plan.files.length, skipped, submodules: plan.submodules, lfsPointers };
}

function statusJob(job: Extract<GitJob, { op: 'status' }>, store: ObjectStore): StatusResult {
  const base = workspaceBlobs(store, job.gitdir, job.base);
  const liveByPath = new Map(job.live.map((file) => [file.path, file.content]));
  const liveIds = new Map(job.live.map((file) => [file.path, blobId(file.content)]));
  const changes = compareTrees(base, liveIds);
  const result: StatusResult['changes'] = [];
  for (const change of changes) {
    const baseOid = change.kind === 'added' ? undefined : base.get(change.from ?? change.path);
    const before = baseOid === undefined ? null : readBlobBytes(store, baseOid);
    const after = change.kind === 'deleted' ? null : (liveByPath.get(change.path) ?? null);
    const described =
      job.diffs === false
        ? { ...change, binary: isBinaryPair(before, after), diff: '' }
        : withDiff(change, before, after);
    result.push({ ...described, baseText: textOf(before) });
  }
  return { changes: result };
}

interface TreeNode {
  files: Map<string, { mode: string; oid: string; type: 'blob' | 'commit' | 'tree' }>;
  dirs: Map<string, TreeNode>;
}

async function commitJob(
  job: Extract<GitJob, { op: 'commit' }>,
  store: ObjectStore,
): Promise<{ commit: string }> {
  const entries = flattenTree(store, job.gitdir, job.base);
  // Every entry of the base stays as it is (symlinks, submodules, skipped names too) unless a change names it.
  const flat = new Map<string, { mode: string; oid: string; type: 'blob' | 'commit' | 'tree' }>();
  for (const entry of entries) if (entry.type !== 'tree') flat.set(entry.path, entry);
  const contents = new Map(job.live.map((file) => [file.path, file.content]));
  const written: { path: string; content: Uint8Array }[] = [];
  for (const change of job.changes) {
    if (change.kind === 'deleted') {
      flat.delete(change.path);
      continue;
    }
    if (change.kind === 'renamed' && change.from) flat.delete(change.from);
    const content = contents.get(change.path);
    if (!content) throw new AppError('INTERNAL', `no content for ${change.path}`);
    written.push({ path: change.path, content });
  }
  for (const { path, content } of written) {
    const mode = flat.get(path)?.mode ?? '100644';
    flat.set(path, { mode, oid: writeObject(job.gitdir, 'blob', content), type: 'blob' });
  }
  const root: TreeNode = { files: new Map(), dirs: new Map() };
  for (const [path, entry] of flat) {
    const parts = path.split('/');
    const name = parts.pop() ?? path;
    let node = root;
    for (const part of parts) {
      let next = node.dirs.get(part);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        node.dirs.set(part, next);
      }
      node = next;
    }
    node.files.set(name, entry);
  }
  // The new tree, flattened as flattenTree would read it, so the next status finds it without reading it back.
  const flattened: GitTreeEntry[] = [];
  const writeNode = (node: TreeNode, prefix: string): string => {
    const tree: TreeEntryInput[] = [];
    for (const [name, dir] of node.dirs) {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      const oid = writeNode(dir, path);
      tree.push({ mode: '040000', name, oid });
      flattened.push({ path, mode: '040000', oid, type: 'tree' });
    }
    for (const [name, entry] of node.files) {
      tree.push({ mode: entry.mode, name, oid: entry.oid });
      flattened.push({ path: prefix === '' ? name : `${prefix}/${name}`, ...entry });
    }
    return writeObject(job.gitdir, 'tree', treeContent(tree));
  };
  const tree = writeNode(root, '');
  const commit = await git.writeCommit({
    fs,
    gitdir: job.gitdir,
    commit: {
      message: job.message,
      tree,
      parent: [job.base],
      author: { ...job.author, timezoneOffset: 0 },
      committer: { ...job.author, timezoneOffset: 0 },
    },
  });
  rememberTree(job.gitdir, commit, flattened);
  // The branch ref is moved by the push (to `base_commit`), not here: a commit that loses the compare-and-set in the
  // database must not become the branch.
  return { commit };
}

/** What a push may download: the remote's refs and its report. */
const PUSH_DOWNLOAD_LIMIT = 16 * 1024 * 1024;

async function pushJob(job: Extract<GitJob, { op: 'push' }>) {
  await git.writeRef({
    fs,
    gitdir: job.gitdir,
    ref: `refs/heads/${job.branch}`,
    value: job.commit,
    force: true,
  });
  await withRemote(job.remote, (session) =>
    session.git(
      job.gitdir,
      [
        'push',
        '--porcelain',
        '--no-verify',
        session.url,
        `refs/heads/${job.branch}:refs/heads/${job.remoteBranch}`,
      ],
      { maxDownloadBytes: PUSH_DOWNLOAD_LIMIT },
    ),
  );
  return { remoteBranch: job.remoteBranch, commit: job.commit };
}

/** Commits counted between a tip and an ancestor; a longer history counts as this many. */
const LOG_LIMIT = 1_000;

async function commitsBetween(gitdir: string, tip: string, ancestor: string, cache: object): Promise<number> {
  if (tip === ancestor) return 0;
  const entries = await git.log({ fs, gitdir, ref: tip, depth: LOG_LIMIT, cache });
  let n = 0;
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.oid === ancestor) break;
    if (!seen.has(entry.oid)) n += 1;
    seen.add(entry.oid);
  }
  return n;
}

async function fetchJob(job: Extract<GitJob, { op: 'fetch' }>): Promise<FetchResult> {
  const cache = {};
  await remoteFetch(job);
  let head: string;
  try {
    head = await git.resolveRef({ fs, gitdir: job.gitdir, ref: `refs/remotes/origin/${job.branch}` });
  } catch {
    throw new AppError('GIT_REMOTE_ERROR', `The remote has no branch ${job.branch} any more.`, {
      details: { branch: job.branch },
    });
  }
  const none = { head, mergeBase: job.base, commits: 0, unpushed: 0, files: [] };
  if (head === job.base) return { ...none, relation: 'up-to-date' };
  const bases: unknown[] = await git.findMergeBase({ fs, gitdir: job.gitdir, oids: [job.base, head], cache });
  const mergeBase = bases[0];
  if (typeof mergeBase !== 'string') {
    throw new AppError(
      'GIT_REMOTE_ERROR',
      `The remote's ${job.branch} shares no history with this workspace.`,
      {
        details: { branch: job.branch },
      },
    );
  }
  const unpushed = await commitsBetween(job.gitdir, job.base, mergeBase, cache);
  if (mergeBase === head) return { ...none, relation: 'ahead', unpushed };
  return withStore(job.gitdir, async (store) => {
    const before = workspaceBlobs(store, job.gitdir, mergeBase);
    const after = workspaceBlobs(store, job.gitdir, head);
    const read = (oid: string | undefined) => (oid === undefined ? null : readBlobBytes(store, oid));
    const files: FetchResult['files'] = [];
    let total = 0;
    for (const change of compareTrees(before, after)) {
      const theirs = change.kind === 'deleted' ? null : read(after.get(change.path));
      total += theirs?.byteLength ?? 0;
      checkBlobSize(change.path, theirs?.byteLength ?? 0, total, job.limits);
      if (change.kind === 'renamed' && change.from) {
        files.push({ path: change.from, base: read(before.get(change.from)), theirs: null });
        files.push({ path: change.path, base: null, theirs });
      } else {
        files.push({ path: change.path, base: read(before.get(change.path)), theirs });
      }
    }
    return {
      head,
      relation: mergeBase === job.base ? 'fast-forward' : 'diverged',
      mergeBase,
      commits: await commitsBetween(job.gitdir, head, mergeBase, cache),
      unpushed,
      files,
    };
  });
}

function commitInfo(oid: string, commit: Awaited<ReturnType<typeof git.readCommit>>['commit']): CommitInfo {
  return {
    commit: oid,
    message: commit.message,
    parents: commit.parent,
    author: { name: commit.author.name, email: commit.author.email, timestamp: commit.author.timestamp },
    committer: {
      name: commit.committer.name,
      email: commit.committer.email,
      timestamp: commit.committer.timestamp,
    },
  };
}

async function logJob(job: Extract<GitJob, { op: 'log' }>) {
  const entries = await git.log({ fs, gitdir: job.gitdir, ref: job.ref, depth: job.depth, cache: {} });
  return { commits: entries.map((entry) => commitInfo(entry.oid, entry.commit)) };
}

async function showJob(job: Extract<GitJob, { op: 'show' }>) {
  const cache = {};
  let read: Awaited<ReturnType<typeof git.readCommit>>;
  try {
    read = await git.readCommit({ fs, gitdir: job.gitdir, oid: job.commit, cache });
  } catch {
    throw new AppError('NOT_FOUND', `No commit ${job.commit} in this workspace's repository.`);
  }
  return withStore(job.gitdir, (store) => {
    const after = workspaceBlobs(store, job.gitdir, job.commit);
    const parent = read.commit.parent[0];
    const before = parent ? workspaceBlobs(store, job.gitdir, parent) : new Map<string, string>();
    const changes: GitChangeWithDiff[] = [];
    for (const change of compareTrees(before, after)) {
      const beforeOid = change.kind === 'added' ? undefined : before.get(change.from ?? change.path);
      const afterOid = change.kind === 'deleted' ? undefined : after.get(change.path);
      changes.push(
        withDiff(
          change,
          beforeOid ? readBlobBytes(store, beforeOid) : null,
          afterOid ? readBlobBytes(store, afterOid) : null,
        ),
      );
    }
    return { ...commitInfo(job.commit, read.commit), changes };
  });
}

export async function runGitJob(job: GitJob): Promise<GitJobResult> {
  if (job.op === 'pull-changeset') {
    return { op: job.op, result: pullChangeset(job.files, job.live, { taskId: job.taskId }) };
  }
  if (job.op !== 'clone' && !fs.existsSync(nodePath.join(job.gitdir, 'HEAD'))) {
    // The repository is kept on the disk of the instance that connected it (see the README's notes on git).
    throw new AppError(
      'GIT_NOT_CONNECTED',
      "This server instance does not hold the workspace's repository: it is kept on the disk of the instance that connected it.",
    );
  }
  try {
    switch (job.op) {
      case 'clone':
        return { op: 'clone', result: await cloneJob(job) };
      case 'status':
        return { op: 'status', result: await withStore(job.gitdir, (store) => statusJob(job, store)) };
      case 'commit':
        return { op: 'commit', result: await withStore(job.gitdir, (store) => commitJob(job, store)) };
      case 'push':
        return { op: 'push', result: await pushJob(job) };
      case 'fetch':
        return { op: 'fetch', result: await fetchJob(job) };
      case 'log':
        return { op: 'log', result: await logJob(job) };
      case 'show':
        return { op: 'show', result: await showJob(job) };
      case 'host-keys':
        return { op: 'host-keys', result: { knownHosts: await presentedHostKeys(job.remote, job.gitdir) } };
    }
  } catch (error) {
    throw gitError(error);
  }
}
