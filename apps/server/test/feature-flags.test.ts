// Feature flags against the real server: an admin's (instance) or an owner's (workspace) "off" stops git push,
// auto-apply, a task's sandbox checks and a member's "Run checks", and turning it back on restores each.
import { createFile } from '@tandem/core';
import {
  replay,
  searchReplaceBlock as block,
  startReplayServer,
  type ReplayServer,
} from '@tandem/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  expectError,
  signedUpClient,
  startTestServer,
  type TestServer,
  replayModelEnv,
} from './harness.ts';

const FILE = 'export function add(a: number, b: number) {\n  return a + b;\n}\n';

describe.each(backends)('feature flags on %s', (backend) => {
  let llm: ReplayServer;
  let server: TestServer;
  let admin: Awaited<ReturnType<typeof signedUpClient>>;
  let owner: Awaited<ReturnType<typeof signedUpClient>>;

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer(backend, {
      env: {
        ...replayModelEnv(llm),
      },
    });
    // The first account is the instance's admin.
    admin = await signedUpClient(server.url, 'Admin');
    owner = await signedUpClient(server.url, 'Owner');
  });
  afterAll(async () => {
    await server.close();
    await llm.close();
  });

  async function workspaceWithFile() {
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Flags' });
    await server.app.deps.rooms.transact(ws.id, (doc) => createFile(doc, 'src/math.ts', FILE));
    return ws;
  }

  /** Starts a task that proposes one clean change and waits until it is in one of `states`. */
  async function taskIn(workspaceId: string, states: string[]) {
    llm.enqueue([replay.text(block('src/math.ts', '  return a + b;', '  return a - b;'))]);
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId, prompt: 'subtract' });
    const started = Date.now();
    for (;;) {
      const task = await owner.trpc.task.get.query({ taskId });
      if (states.includes(task.state)) return task;
      if (task.state === 'failed' || Date.now() - started > 60_000)
        throw new Error(`task ${taskId} ended ${task.state}: ${task.errorCode} ${task.errorMessage}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('refuses git.push with FEATURE_DISABLED when the workspace or the instance turned it off', async () => {
    const ws = await workspaceWithFile();
    // On (the default): the push gets as far as the missing remote.
    await expectError(owner.trpc.git.push.mutate({ workspaceId: ws.id }), 'GIT_NOT_CONNECTED');

    const set = await owner.trpc.workspace.setFeatures.mutate({
      workspaceId: ws.id,
      features: { gitPush: false },
    });
    expect(set.workspace).toEqual({ autoApply: true, sandboxChecks: true, gitPush: false });
    const byOwner = await expectError(owner.trpc.git.push.mutate({ workspaceId: ws.id }), 'FEATURE_DISABLED');
    expect(byOwner.httpStatus).toBe(403);
    expect(byOwner.details).toEqual({ feature: 'gitPush', by: 'workspace' });

    await owner.trpc.workspace.setFeatures.mutate({ workspaceId: ws.id, features: { gitPush: true } });
    await admin.trpc.admin.settings.setFeatures.mutate({ gitPush: false });
    try {
      const byAdmin = await expectError(
        owner.trpc.git.push.mutate({ workspaceId: ws.id }),
        'FEATURE_DISABLED',
      );
      expect(byAdmin.details).toEqual({ feature: 'gitPush', by: 'instance' });
      expect((await owner.trpc.workspace.features.query({ workspaceId: ws.id })).instance.gitPush).toBe(
        false,
      );
      // Only admins set the instance's flags.
      await expectError(owner.trpc.admin.settings.setFeatures.mutate({ gitPush: true }), 'FORBIDDEN');
    } finally {
      await admin.trpc.admin.settings.setFeatures.mutate({ gitPush: true });
    }
    await expectError(owner.trpc.git.push.mutate({ workspaceId: ws.id }), 'GIT_NOT_CONNECTED');
  });

  it('only owners set a workspace flag', async () => {
    const ws = await workspaceWithFile();
    const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'editor' });
    const editor = await signedUpClient(server.url, 'Editor');
    await editor.trpc.workspace.invite.accept.mutate({ token: invite.token });
    await expectError(
      editor.trpc.workspace.setFeatures.mutate({ workspaceId: ws.id, features: { gitPush: false } }),
      'FORBIDDEN',
    );
  });

  it('does not auto-apply when an admin turned auto-apply off, though the workspace has it on', async () => {
    const ws = await workspaceWithFile();
    await owner.trpc.task.setAutoApply.mutate({ workspaceId: ws.id, autoApply: true });
    await admin.trpc.admin.settings.setFeatures.mutate({ autoApply: false });
    let heldId: string;
    try {
      heldId = (await taskIn(ws.id, ['proposed', 'applied'])).id;
    } finally {
      await admin.trpc.admin.settings.setFeatures.mutate({ autoApply: true });
    }
    // Back on, the same change applies by itself: the flag, not the proposal, held the first one. The first
    // task's decision was made before this one started, and it still waits for a person.
    expect((await taskIn(ws.id, ['applied'])).state).toBe('applied');
    expect((await owner.trpc.task.get.query({ taskId: heldId })).state).toBe('proposed');
  });

  it("skips a task's checks, saying who turned them off, when the workspace turned sandbox checks off", async () => {
    const ws = await workspaceWithFile();
    await owner.trpc.workspace.setFeatures.mutate({ workspaceId: ws.id, features: { sandboxChecks: false } });
    const task = await taskIn(ws.id, ['proposed', 'applied']);
    expect(task.state).toBe('proposed');
    // Checks the plan skips anyway (no package.json here) keep their own reason; the rest say who turned them off.
    const planned = task.checkResults.filter((c) => c.status !== 'skipped');
    expect(planned.length).toBeGreaterThan(0);
    for (const check of planned) {
      expect(check.status).toBe('error');
      expect(check.summary).toContain("Sandbox checks disabled by the workspace's owners");
    }
  });

  it('refuses check.run with FEATURE_DISABLED, running nothing, when the workspace or the instance turned sandbox checks off', async () => {
    const ws = await workspaceWithFile();
    await owner.trpc.workspace.setFeatures.mutate({ workspaceId: ws.id, features: { sandboxChecks: false } });
    const byOwner = await expectError(
      owner.trpc.check.run.mutate({ workspaceId: ws.id }),
      'FEATURE_DISABLED',
    );
    expect(byOwner.httpStatus).toBe(403);
    expect(byOwner.details).toEqual({ feature: 'sandboxChecks', by: 'workspace' });

    await owner.trpc.workspace.setFeatures.mutate({ workspaceId: ws.id, features: { sandboxChecks: true } });
    await admin.trpc.admin.settings.setFeatures.mutate({ sandboxChecks: false });
    try {
      const byAdmin = await expectError(
        owner.trpc.check.run.mutate({ workspaceId: ws.id }),
        'FEATURE_DISABLED',
      );
      expect(byAdmin.details).toEqual({ feature: 'sandboxChecks', by: 'instance' });
    } finally {
      await admin.trpc.admin.settings.setFeatures.mutate({ sandboxChecks: true });
    }
    // No run was stored while it was off; back on, the run starts.
    expect(await owner.trpc.check.list.query({ workspaceId: ws.id, limit: 10 })).toEqual([]);
    const { runId } = await owner.trpc.check.run.mutate({ workspaceId: ws.id });
    expect((await owner.trpc.check.list.query({ workspaceId: ws.id, limit: 10 })).map((r) => r.id)).toEqual([
      runId,
    ]);
  });
});
