import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, invites, members } from '../src/db/schema.ts';
import {
  backends,
  expectError,
  makeClient,
  signedUpClient,
  startTestServer,
  type TestServer,
} from './harness.ts';

describe.each(backends)('workspaces on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server.close());

  const team = async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const editor = await signedUpClient(server.url, 'Editor');
    const reviewer = await signedUpClient(server.url, 'Reviewer');
    const outsider = await signedUpClient(server.url, 'Outsider');
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Team space' });
    for (const [member, role] of [
      [editor, 'editor'],
      [reviewer, 'reviewer'],
    ] as const) {
      const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
      await member.trpc.workspace.invite.accept.mutate({ token: invite.token });
    }
    return { owner, editor, reviewer, outsider, ws };
  };

  it('creates, lists with role, renames, archives and deletes', async () => {
    const { owner, editor, ws } = await team();
    expect(ws.role).toBe('owner');
    const mine = await owner.trpc.workspace.list.query();
    expect(mine.find((w) => w.id === ws.id)).toMatchObject({
      name: 'Team space',
      role: 'owner',
      memberCount: 3,
    });
    expect((await editor.trpc.workspace.list.query()).find((w) => w.id === ws.id)?.role).toBe('editor');

    // Last activity follows edits to the files, not only changes to the workspace row.
    const before = mine.find((w) => w.id === ws.id)?.lastActivityAt;
    if (!before) throw new Error('no lastActivityAt');
    await new Promise((r) => setTimeout(r, 20));
    await editor.trpc.file.create.mutate({ workspaceId: ws.id, path: 'notes.md', content: 'hi' });
    const after = (await owner.trpc.workspace.list.query()).find((w) => w.id === ws.id)?.lastActivityAt;
    expect(after).toBeInstanceOf(Date);
    expect(after && after.getTime()).toBeGreaterThan(before.getTime());

    await owner.trpc.workspace.rename.mutate({ workspaceId: ws.id, name: 'Renamed' });
    expect((await editor.trpc.workspace.get.query({ workspaceId: ws.id })).name).toBe('Renamed');

    await owner.trpc.workspace.archive.mutate({ workspaceId: ws.id });
    expect((await owner.trpc.workspace.list.query()).some((w) => w.id === ws.id)).toBe(false);
    expect(
      (await owner.trpc.workspace.list.query({ includeArchived: true })).some((w) => w.id === ws.id),
    ).toBe(true);
    await owner.trpc.workspace.archive.mutate({ workspaceId: ws.id, archived: false });
    expect((await owner.trpc.workspace.list.query()).some((w) => w.id === ws.id)).toBe(true);

    await owner.trpc.workspace.delete.mutate({ workspaceId: ws.id });
    await expectError(owner.trpc.workspace.get.query({ workspaceId: ws.id }), 'NOT_FOUND');
  });

  it('keeps owner-only and editor procedures from lower roles and hides workspaces from non-members', async () => {
    const { editor, reviewer, outsider, ws } = await team();
    const data = await expectError(
      editor.trpc.workspace.rename.mutate({ workspaceId: ws.id, name: 'x' }),
      'FORBIDDEN',
    );
    expect(data.httpStatus).toBe(403);
    await expectError(
      reviewer.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'owner' }),
      'FORBIDDEN',
    );
    await expectError(reviewer.trpc.workspace.archive.mutate({ workspaceId: ws.id }), 'FORBIDDEN');
    await expectError(editor.trpc.workspace.delete.mutate({ workspaceId: ws.id }), 'FORBIDDEN');
    // Reviewers still read.
    expect((await reviewer.trpc.workspace.members.list.query({ workspaceId: ws.id })).length).toBe(3);
    // Non-members cannot tell the workspace exists.
    await expectError(outsider.trpc.workspace.get.query({ workspaceId: ws.id }), 'NOT_FOUND');
    await expectError(outsider.trpc.workspace.members.list.query({ workspaceId: ws.id }), 'NOT_FOUND');
    await expectError(
      outsider.trpc.workspace.get.query({ workspaceId: '00000000-0000-4000-8000-000000000000' }),
      'NOT_FOUND',
    );
  });

  it('invite tokens are stored hashed, single-use, and expire or get revoked', async () => {
    const { owner, outsider, ws } = await team();
    const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'editor' });
    expect(invite.url).toBe(`${server.url}/invite/${invite.token}`);
    const stored = await server.app.deps.db.select().from(invites).where(eq(invites.id, invite.inviteId));
    expect(stored[0]?.tokenHash).not.toContain(invite.token);
    expect(stored[0]?.tokenHash).toHaveLength(64);

    expect(await outsider.trpc.workspace.invite.accept.mutate({ token: invite.token })).toEqual({
      workspaceId: ws.id,
      role: 'editor',
    });
    const late = await signedUpClient(server.url, 'Late');
    await expectError(late.trpc.workspace.invite.accept.mutate({ token: invite.token }), 'INVITE_INVALID');

    const forged = 'A'.repeat(43);
    await expectError(late.trpc.workspace.invite.accept.mutate({ token: forged }), 'INVITE_INVALID');
    await expectError(late.trpc.workspace.invite.accept.mutate({ token: 'short' }), 'BAD_INPUT');

    const expiring = await owner.trpc.workspace.invite.create.mutate({
      workspaceId: ws.id,
      role: 'reviewer',
    });
    await server.app.deps.db
      .update(invites)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invites.id, expiring.inviteId));
    await expectError(late.trpc.workspace.invite.accept.mutate({ token: expiring.token }), 'INVITE_INVALID');

    const revoked = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'reviewer' });
    expect((await owner.trpc.workspace.invite.list.query({ workspaceId: ws.id })).map((i) => i.id)).toContain(
      revoked.inviteId,
    );
    await owner.trpc.workspace.invite.revoke.mutate({ workspaceId: ws.id, inviteId: revoked.inviteId });
    await expectError(late.trpc.workspace.invite.accept.mutate({ token: revoked.token }), 'INVITE_INVALID');
    await expectError(late.trpc.workspace.get.query({ workspaceId: ws.id }), 'NOT_FOUND');
  });

  it('tells a signed-out holder of an invite the workspace, the role and who invited, until it is used', async () => {
    const { owner, outsider, ws } = await team();
    const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'reviewer' });
    const anonymous = makeClient(server.url);
    expect(await anonymous.trpc.workspace.invite.preview.query({ token: invite.token })).toEqual({
      workspaceName: 'Team space',
      role: 'reviewer',
      invitedBy: 'Owner',
      expiresAt: invite.expiresAt,
    });
    await outsider.trpc.workspace.invite.accept.mutate({ token: invite.token });
    await expectError(
      anonymous.trpc.workspace.invite.preview.query({ token: invite.token }),
      'INVITE_INVALID',
    );
    await expectError(
      anonymous.trpc.workspace.invite.preview.query({ token: 'B'.repeat(43) }),
      'INVITE_INVALID',
    );
    await expectError(anonymous.trpc.workspace.invite.preview.query({ token: 'short' }), 'BAD_INPUT');
  });

  it('an invite never demotes an existing member', async () => {
    const { owner, editor, ws } = await team();
    const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'reviewer' });
    expect(await editor.trpc.workspace.invite.accept.mutate({ token: invite.token })).toMatchObject({
      role: 'editor',
    });
  });

  it('changes roles, removes members, lets members leave, and always keeps an owner', async () => {
    const { owner, editor, reviewer, ws } = await team();
    await owner.trpc.workspace.members.setRole.mutate({
      workspaceId: ws.id,
      userId: reviewer.user.id,
      role: 'editor',
    });
    expect((await reviewer.trpc.workspace.get.query({ workspaceId: ws.id })).role).toBe('editor');

    const last = await expectError(
      owner.trpc.workspace.members.setRole.mutate({
        workspaceId: ws.id,
        userId: owner.user.id,
        role: 'editor',
      }),
      'LAST_OWNER',
    );
    expect(last.httpStatus).toBe(412);
    await expectError(owner.trpc.workspace.leave.mutate({ workspaceId: ws.id }), 'LAST_OWNER');
    await expectError(
      owner.trpc.workspace.members.remove.mutate({ workspaceId: ws.id, userId: owner.user.id }),
      'LAST_OWNER',
    );

    await owner.trpc.workspace.members.setRole.mutate({
      workspaceId: ws.id,
      userId: editor.user.id,
      role: 'owner',
    });
    await owner.trpc.workspace.leave.mutate({ workspaceId: ws.id });
    await expectError(owner.trpc.workspace.get.query({ workspaceId: ws.id }), 'NOT_FOUND');

    await editor.trpc.workspace.members.remove.mutate({ workspaceId: ws.id, userId: reviewer.user.id });
    const left = await server.app.deps.db.select().from(members).where(eq(members.workspaceId, ws.id));
    expect(left.map((m) => [m.userId, m.role])).toEqual([[editor.user.id, 'owner']]);
    await expectError(
      editor.trpc.workspace.members.remove.mutate({ workspaceId: ws.id, userId: reviewer.user.id }),
      'NOT_FOUND',
    );
  });

  it('writes the audit log for sign-in, invites and role changes', async () => {
    const { owner, editor, ws } = await team();
    await owner.trpc.workspace.members.setRole.mutate({
      workspaceId: ws.id,
      userId: editor.user.id,
      role: 'reviewer',
    });
    await makeClient(server.url)
      .trpc.auth.signIn.mutate({ email: owner.email, password: 'wrong password!' })
      .catch(() => 0);
    const rows = await server.app.deps.db.select().from(auditLog);
    const actions = rows.map((r) => r.action);
    for (const action of [
      'auth.sign_up',
      'workspace.create',
      'invite.create',
      'invite.accept',
      'member.role_change',
      'auth.sign_in_failed',
    ]) {
      expect(actions).toContain(action);
    }
    const change = rows.find((r) => r.action === 'member.role_change' && r.targetId === editor.user.id);
    expect(change?.meta).toEqual({ from: 'editor', to: 'reviewer' });
    expect(change?.actorId).toBe(owner.user.id);
    expect(change?.requestId).toBeTruthy();
  });
});
