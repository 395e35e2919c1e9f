// Git over SSH with a per-workspace deploy key, against a real OpenSSH server on loopback (test/ssh-server.ts) whose
// authorized key runs git-shell; the real git CLI checks what Tandem pushed. Logs are captured at trace level and
// must never hold the private key.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, gitCredentials } from '../src/db/schema.ts';
import { createLogger } from '../src/logger.ts';
import { backends, expectError, signedUpClient, startTestServer, type TestServer } from './harness.ts';
import { startSshServer, type SshServer } from './ssh-server.ts';

const run = promisify(execFile);
const cli = async (bare: string, ...args: string[]) =>
  (
    await run(
      'git',
      ['-c', 'user.name=Remote Dev', '-c', 'user.email=remote@example.com', `--git-dir=${bare}`, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
    )
  ).stdout;

/** The download limit of this file's server: each big repository below is several times over it. */
const LIMIT = 256 * 1024;
/** Text that does not compress (base64 of random bytes), under the 2 MiB file limit, about 1 MiB packed. */
const incompressible = () => randomBytes(1024 * 1024).toString('base64');

describe.each(backends)('git over SSH on %s', { timeout: 120_000 }, (backend) => {
  let sshd: SshServer;
  let server: TestServer;
  let dataDir: string;
  let alice: Awaited<ReturnType<typeof signedUpClient>>;
  let bob: Awaited<ReturnType<typeof signedUpClient>>;
  const lines: string[] = [];

  beforeAll(async () => {
    sshd = await startSshServer();
    dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-git-ssh-'));
    server = await startTestServer(backend, {
      env: { TANDEM_DATA_DIR: dataDir, TANDEM_GIT_ALLOWED_HOSTS: '127.0.0.1' },
      logger: createLogger({ env: 'test', logLevel: 'trace' }, { write: (line: string) => lines.push(line) }),
      // The other tests' repositories are a few hundred bytes; the limit test's are megabytes.
      git: { remoteIdleTimeoutMs: 5_000, limits: { maxDownloadBytes: LIMIT } },
    });
    alice = await signedUpClient(server.url, 'Alice');
    bob = await signedUpClient(server.url, 'Bob');
  });
  afterAll(async () => {
    await server.close();
    await sshd.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function workspace(name: string) {
    const ws = await alice.trpc.workspace.create.mutate({ name });
    const invite = await alice.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'editor' });
    await bob.trpc.workspace.invite.accept.mutate({ token: invite.token });
    return ws;
  }

  /** The private key as stored, opened with the instance secret: what must never appear anywhere else. */
  async function privateKeyOf(credentialId: string) {
    const [row] = await server.app.deps.db
      .select()
      .from(gitCredentials)
      .where(eq(gitCredentials.id, credentialId));
    return server.app.deps.secrets().open(row?.sealedSecret ?? '', `git.credential:${credentialId}`);
  }

  const keyBody = (privateKey: string) =>
    privateKey
      .split('\n')
      .filter((line) => line.length > 0 && !line.startsWith('-----'))
      .join('');

  it('generates a deploy key, connects, commits, pushes and pulls over SSH, and records the host key', async () => {
    const { url, bare } = await sshd.createRepo('app', {
      'src/main.ts': 'export const a = 1;\n',
      'README.md': '# App\n',
    });
    const ws = await workspace('Payments API');
    await expectError(bob.trpc.git.deployKey.create.mutate({ workspaceId: ws.id }), 'FORBIDDEN');
    const key = await alice.trpc.git.deployKey.create.mutate({ workspaceId: ws.id });
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\S+ tandem-Payments-API$/);
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const listed = await alice.trpc.git.credential.list.query({ workspaceId: ws.id });
    expect(listed).toEqual([
      expect.objectContaining({
        id: key.credentialId,
        kind: 'ssh-key',
        publicKey: key.publicKey,
        fingerprint: key.fingerprint,
      }),
    ]);
    const privateKey = await privateKeyOf(key.credentialId);
    expect(privateKey).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(JSON.stringify(listed)).not.toContain('PRIVATE');

    // Not yet on the host: the key is refused, with a typed error.
    await expectError(
      alice.trpc.git.connect.mutate({ workspaceId: ws.id, url, credentialId: key.credentialId }),
      'GIT_AUTH',
    );
    await sshd.authorize(key.publicKey);
    const connected = await alice.trpc.git.connect.mutate({
      workspaceId: ws.id,
      url,
      credentialId: key.credentialId,
    });
    expect(connected).toMatchObject({ branch: 'main', files: 2 });
    const hostKey = await sshd.hostKeyFingerprint();
    expect(connected.hostKeys).toEqual([{ type: 'ssh-ed25519', fingerprint: hostKey }]);
    expect((await alice.trpc.git.remote.query({ workspaceId: ws.id }))?.hostKeys).toEqual(connected.hostKeys);

    await bob.trpc.file.write.mutate({
      workspaceId: ws.id,
      path: 'src/main.ts',
      content: 'export const a = 2;\n',
    });
    await bob.trpc.file.create.mutate({ workspaceId: ws.id, path: 'docs/ssh.md', content: 'over ssh\n' });
    const made = await bob.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'Change a over SSH' });
    await bob.trpc.git.push.mutate({ workspaceId: ws.id });
    expect((await cli(bare, 'rev-parse', 'main')).trim()).toBe(made.commit);
    expect(await cli(bare, 'show', 'main:src/main.ts')).toBe('export const a = 2;\n');
    expect(await cli(bare, 'show', 'main:docs/ssh.md')).toBe('over ssh\n');
    expect((await cli(bare, 'log', '-1', '--format=%an|%s', 'main')).trim()).toBe('Bob|Change a over SSH');

    // Someone pushes to the remote directly; the pull brings it in.
    const work = await mkdtemp(path.join(sshd.root, 'work-'));
    await run('git', ['clone', '-q', bare, work]);
    await run('sh', ['-c', 'echo "# App, by the remote" > README.md'], { cwd: work });
    await run(
      'git',
      ['-c', 'user.name=R', '-c', 'user.email=r@example.com', 'commit', '-qam', 'Remote README'],
      {
        cwd: work,
      },
    );
    await run('git', ['push', '-q', 'origin', 'main'], { cwd: work });
    const pulled = await alice.trpc.git.pull.mutate({ workspaceId: ws.id });
    expect(pulled).toMatchObject({ relation: 'fast-forward', commits: 1, conflicts: [] });
    expect(await alice.trpc.file.read.query({ workspaceId: ws.id, path: 'README.md' })).toMatchObject({
      binary: false,
      content: '# App, by the remote\n',
    });

    // A push the remote moved past is refused with the same typed error as over HTTPS.
    await run('sh', ['-c', 'echo more >> README.md'], { cwd: work });
    await run('git', ['-c', 'user.name=R', '-c', 'user.email=r@example.com', 'commit', '-qam', 'More'], {
      cwd: work,
    });
    await run('git', ['push', '-q', 'origin', 'main'], { cwd: work });
    await alice.trpc.file.write.mutate({
      workspaceId: ws.id,
      path: 'src/main.ts',
      content: 'export const a = 3;\n',
    });
    await alice.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'Three' });
    await expectError(alice.trpc.git.push.mutate({ workspaceId: ws.id }), 'GIT_NON_FAST_FORWARD');

    // Rotating replaces the key under the same id: the host still knows only the old one, so it refuses.
    const rotated = await alice.trpc.git.deployKey.rotate.mutate({
      workspaceId: ws.id,
      credentialId: key.credentialId,
    });
    expect(rotated.credentialId).toBe(key.credentialId);
    expect(rotated.publicKey).not.toBe(key.publicKey);
    await expectError(alice.trpc.git.pull.mutate({ workspaceId: ws.id }), 'GIT_AUTH');
    await sshd.authorize(rotated.publicKey);
    expect((await alice.trpc.git.pull.mutate({ workspaceId: ws.id })).commits).toBe(1);

    const log = lines.join('');
    for (const secret of [privateKey, await privateKeyOf(key.credentialId)]) {
      expect(log.includes(keyBody(secret))).toBe(false);
      for (const line of secret.split('\n').filter((l) => l.length > 40))
        expect(log.includes(line)).toBe(false);
    }
    // Nothing of the key stays on disk after an operation.
    const leftovers = (await run('sh', ['-c', `ls -d ${tmpdir()}/tandem-ssh-* 2>/dev/null || true`])).stdout;
    expect(leftovers.trim()).toBe('');

    // Deleting the key leaves the remote without one (a typed error, not a crash); a new key becomes its key.
    expect((await alice.trpc.git.deployKey.create.mutate({ workspaceId: ws.id })).attached).toBe(false);
    await alice.trpc.git.credential.delete.mutate({ workspaceId: ws.id, credentialId: key.credentialId });
    expect((await alice.trpc.git.remote.query({ workspaceId: ws.id }))?.credentialId).toBeNull();
    await expectError(alice.trpc.git.pull.mutate({ workspaceId: ws.id }), 'GIT_AUTH');
    const replacement = await alice.trpc.git.deployKey.create.mutate({ workspaceId: ws.id });
    expect(replacement.attached).toBe(true);
    expect((await alice.trpc.git.remote.query({ workspaceId: ws.id }))?.credentialId).toBe(
      replacement.credentialId,
    );
    await sshd.authorize(replacement.publicKey);
    expect(await alice.trpc.git.pull.mutate({ workspaceId: ws.id })).toMatchObject({
      relation: 'up-to-date',
    });
  });

  it('refuses an SSH remote without a deploy key, a key over https, and a private address not allowed', async () => {
    const { url } = await sshd.createRepo('rules', { 'a.txt': 'a\n' });
    const ws = await workspace('Rules');
    await expectError(alice.trpc.git.connect.mutate({ workspaceId: ws.id, url }), 'GIT_AUTH');
    const key = await alice.trpc.git.deployKey.create.mutate({ workspaceId: ws.id });
    await expectError(
      alice.trpc.git.connect.mutate({
        workspaceId: ws.id,
        url: 'http://127.0.0.1:9/repo.git',
        credentialId: key.credentialId,
      }),
      'BAD_INPUT',
    );
    // ::1 is loopback and not on the allowlist: refused before any connection.
    await expectError(
      alice.trpc.git.connect.mutate({
        workspaceId: ws.id,
        url: `ssh://${sshd.user}@[::1]:${sshd.port}/x.git`,
        credentialId: key.credentialId,
      }),
      'GIT_URL_REFUSED',
    );
    await alice.trpc.git.credential.delete.mutate({ workspaceId: ws.id, credentialId: key.credentialId });
    expect(await alice.trpc.git.credential.list.query({ workspaceId: ws.id })).toEqual([]);
  });

  it('refuses a clone or a pull over the download limit with a typed error and keeps nothing of it', async () => {
    const packsOf = async (workspaceId: string) =>
      (await readdir(path.join(dataDir, 'git', workspaceId, 'objects', 'pack')).catch(() => [])).sort();

    // A clone over the limit: the workspace stays empty and unconnected, and no pack is left behind.
    const big = await sshd.createRepo('big', { 'blob.txt': incompressible() });
    const ws = await workspace('Too big');
    const key = await alice.trpc.git.deployKey.create.mutate({ workspaceId: ws.id });
    await sshd.authorize(key.publicKey);
    const refused = await expectError(
      alice.trpc.git.connect.mutate({ workspaceId: ws.id, url: big.url, credentialId: key.credentialId }),
      'GIT_REPO_TOO_LARGE',
    );
    expect(refused.details).toEqual({ maxDownloadBytes: LIMIT });
    expect(await alice.trpc.git.remote.query({ workspaceId: ws.id })).toBeNull();
    expect((await alice.trpc.file.list.query({ workspaceId: ws.id })).entries).toEqual([]);
    expect(await packsOf(ws.id)).toEqual([]);

    // A pull over the limit: the workspace stays on its commit, with its files, refs and packs as they were.
    const small = await sshd.createRepo('grows', { 'a.txt': 'a\n' });
    const connected = await alice.trpc.git.connect.mutate({
      workspaceId: ws.id,
      url: small.url,
      credentialId: key.credentialId,
    });
    const gitdir = path.join(dataDir, 'git', ws.id);
    const packsBefore = await packsOf(ws.id);
    const refsBefore = await cli(gitdir, 'for-each-ref');
    const work = await mkdtemp(path.join(sshd.root, 'work-'));
    await run('git', ['clone', '-q', small.bare, work]);
    for (const name of ['one', 'two']) await writeFile(path.join(work, `${name}.txt`), incompressible());
    await run('git', ['add', '-A'], { cwd: work });
    await run('git', ['-c', 'user.name=R', '-c', 'user.email=r@example.com', 'commit', '-qm', 'Big'], {
      cwd: work,
    });
    await run('git', ['push', '-q', 'origin', 'main'], { cwd: work });
    const pullRefused = await expectError(
      alice.trpc.git.pull.mutate({ workspaceId: ws.id }),
      'GIT_REPO_TOO_LARGE',
    );
    expect(pullRefused.details).toEqual({ maxDownloadBytes: LIMIT });
    expect(await alice.trpc.git.remote.query({ workspaceId: ws.id })).toMatchObject({
      baseCommit: connected.commit,
    });
    expect((await alice.trpc.file.list.query({ workspaceId: ws.id })).entries.map((e) => e.path)).toEqual([
      'a.txt',
    ]);
    expect(await alice.trpc.task.list.query({ workspaceId: ws.id })).toEqual([]);
    expect(await packsOf(ws.id)).toEqual(packsBefore);
    expect(await cli(gitdir, 'for-each-ref')).toBe(refsBefore);
    await cli(gitdir, 'fsck', '--no-progress');
  });

  // Last: it restarts sshd with another host key.
  it('refuses a host whose key changed, names both keys, and lets only an owner accept the new one by its fingerprint', async () => {
    const { url, bare } = await sshd.createRepo('moved', { 'a.txt': 'a\n' });
    const ws = await workspace('Moved');
    const carol = await signedUpClient(server.url, 'Carol');
    const invite = await alice.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'reviewer' });
    await carol.trpc.workspace.invite.accept.mutate({ token: invite.token });
    const key = await alice.trpc.git.deployKey.create.mutate({ workspaceId: ws.id });
    await sshd.authorize(key.publicKey);
    const connected = await alice.trpc.git.connect.mutate({
      workspaceId: ws.id,
      url,
      credentialId: key.credentialId,
    });
    const recorded = connected.hostKeys;
    await sshd.changeHostKey();
    const presented = [{ type: 'ssh-ed25519', fingerprint: await sshd.hostKeyFingerprint() }];
    expect(presented).not.toEqual(recorded);

    // The error names the recorded key and the one the host presents now, for the owner to compare.
    const error = await expectError(
      alice.trpc.git.pull.mutate({ workspaceId: ws.id }),
      'GIT_HOST_KEY_CHANGED',
    );
    expect(error.details).toEqual({ reason: 'host key', recorded, presented });
    await alice.trpc.file.write.mutate({ workspaceId: ws.id, path: 'a.txt', content: 'b\n' });
    await alice.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'b' });
    const pushError = await expectError(
      bob.trpc.git.push.mutate({ workspaceId: ws.id }),
      'GIT_HOST_KEY_CHANGED',
    );
    expect(pushError.details).toMatchObject({ recorded, presented });
    expect((await alice.trpc.git.remote.query({ workspaceId: ws.id }))?.hostKeys).toEqual(recorded);

    // Only an owner may accept a key, even the right one.
    const fingerprint = presented[0]?.fingerprint ?? '';
    for (const member of [bob, carol]) {
      await expectError(
        member.trpc.git.trustHostKey.mutate({ workspaceId: ws.id, fingerprint }),
        'FORBIDDEN',
      );
    }
    // A fingerprint the host does not present (here the old one) is refused, naming the one it does present.
    const mismatch = await expectError(
      alice.trpc.git.trustHostKey.mutate({ workspaceId: ws.id, fingerprint: recorded[0]?.fingerprint ?? '' }),
      'GIT_HOST_KEY_MISMATCH',
    );
    expect(mismatch.details).toEqual({ presented });
    await expectError(
      alice.trpc.git.trustHostKey.mutate({ workspaceId: ws.id, fingerprint: 'MD5:00:11' }),
      'BAD_INPUT',
    );
    expect((await alice.trpc.git.remote.query({ workspaceId: ws.id }))?.hostKeys).toEqual(recorded);
    await expectError(bob.trpc.git.push.mutate({ workspaceId: ws.id }), 'GIT_HOST_KEY_CHANGED');

    // The right fingerprint is recorded and audited; push and pull work again.
    expect(await alice.trpc.git.trustHostKey.mutate({ workspaceId: ws.id, fingerprint })).toEqual({
      hostKeys: presented,
      previous: recorded,
      changed: true,
    });
    expect((await alice.trpc.git.remote.query({ workspaceId: ws.id }))?.hostKeys).toEqual(presented);
    const audited = await server.app.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'git.host_key_trust'), eq(auditLog.workspaceId, ws.id)));
    expect(audited).toEqual([
      expect.objectContaining({
        actorId: alice.user.id,
        meta: { url, previous: [recorded[0]?.fingerprint], fingerprint },
      }),
    ]);
    const pushed = await bob.trpc.git.push.mutate({ workspaceId: ws.id });
    expect((await cli(bare, 'rev-parse', 'main')).trim()).toBe(pushed.commit);
    expect(await cli(bare, 'show', 'main:a.txt')).toBe('b\n');
    expect(await bob.trpc.git.pull.mutate({ workspaceId: ws.id })).toMatchObject({ relation: 'up-to-date' });
    // Confirming the key that is already recorded changes nothing (and is not audited again).
    expect(await alice.trpc.git.trustHostKey.mutate({ workspaceId: ws.id, fingerprint })).toMatchObject({
      changed: false,
    });

    // A host that now presents a key of another type: named the same way, accepted the same way.
    await sshd.changeHostKey('ecdsa');
    const ecdsa = [{ type: 'ecdsa-sha2-nistp256', fingerprint: await sshd.hostKeyFingerprint() }];
    const changedType = await expectError(
      alice.trpc.git.pull.mutate({ workspaceId: ws.id }),
      'GIT_HOST_KEY_CHANGED',
    );
    expect(changedType.details).toMatchObject({ recorded: presented, presented: ecdsa });
    await alice.trpc.git.trustHostKey.mutate({
      workspaceId: ws.id,
      fingerprint: ecdsa[0]?.fingerprint ?? '',
    });
    expect(await bob.trpc.git.pull.mutate({ workspaceId: ws.id })).toMatchObject({ relation: 'up-to-date' });
  });
});
