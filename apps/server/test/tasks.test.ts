// AI tasks end to end against the real server and a loopback model server that speaks the OpenAI SSE protocol.
import { createFile } from '@tandem/core';
import {
  replay,
  searchReplaceBlock as block,
  startReplayServer,
  type ReplayServer,
} from '@tandem/core/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { tasks } from '../src/db/schema.ts';
import {
  backends,
  expectError,
  signedUpClient,
  startTestServer,
  type Client,
  type TestServer,
  replayModelEnv,
} from './harness.ts';
import { wsTrpc } from './trpc-ws.ts';
import { synced, textOf, until, yClient, type YClient } from './yjs-client.ts';

const FILE = [
  'export function add(a: number, b: number) {',
  '  return a + b;',
  '}',
  '',
  'export const name = "tandem";',
  '',
].join('\n');

type Event = { type: string; seq: number; [k: string]: unknown };

describe.each(backends)('tasks on %s', (backend) => {
  let llm: ReplayServer;
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof signedUpClient>>;
  let reviewer: Awaited<ReturnType<typeof signedUpClient>>;
  const yClients: YClient[] = [];

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer(backend, {
      env: {
        ...replayModelEnv(llm),
      },
    });
    owner = await signedUpClient(server.url, 'Owner');
    reviewer = await signedUpClient(server.url, 'Reviewer');
  });
  afterAll(async () => {
    for (const c of yClients) c.destroy();
    await server.close();
    await llm.close();
  });

  async function workspaceWithFile(text = FILE) {
    const ws = await owner.trpc.workspace.create.mutate({ name: 'AI' });
    const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'reviewer' });
    await reviewer.trpc.workspace.invite.accept.mutate({ token: invite.token });
    await server.app.deps.rooms.transact(ws.id, (doc) => createFile(doc, 'src/math.ts', text));
    return ws;
  }

  function live(workspaceId: string, c: Client = owner) {
    const y = yClient(server.url, workspaceId, c.jar.header());
    yClients.push(y);
    return y;
  }

  /** The workspace's decisions on AI changes in the audit log, oldest first (the owner is the instance admin). */
  async function decisionsOf(workspaceId: string) {
    const rows = await owner.trpc.admin.audit.list.query({ workspaceId, limit: 50 });
    return rows
      .filter((r) => r.action.startsWith('task.'))
      .reverse()
      .map((r) => ({ action: r.action, actorId: r.actorId, targetId: r.targetId, meta: r.meta }));
  }

  /** Collects a task's events through the real subscription until `done` (and `extra` more events). */
  function collect(c: Client, taskId: string, lastEventId?: string, untilType = 'done') {
    const ws = wsTrpc(server.url, c.jar.header());
    const events: Event[] = [];
    const finished = new Promise<Event[]>((resolve, reject) => {
      const sub = ws.trpc.task.events.subscribe(
        { taskId, lastEventId: lastEventId ?? null },
        {
          onData: (tracked) => {
            const event = tracked.data as unknown as Event;
            events.push(event);
            if (event.type === untilType) {
              sub.unsubscribe();
              ws.close();
              resolve(events);
            }
          },
          onError: reject,
        },
      );
    });
    return { events, finished };
  }

  it('streams every event to two subscribers and a late joiner exactly once, in order, and proposes a changeset', async () => {
    const ws = await workspaceWithFile();
    llm.enqueue([
      replay.delay(300),
      replay.text(
        'I will rename the function.\n\n' +
          block(
            'src/math.ts',
            'export function add(a: number, b: number) {',
            'export function sum(a: number, b: number) {',
          ),
        {
          chunks: 12,
          intervalMs: 25,
        },
      ),
      replay.finish({ usage: { inputTokens: 1200, outputTokens: 80 } }),
    ]);
    const { taskId } = await owner.trpc.task.create.mutate({
      workspaceId: ws.id,
      prompt: 'Rename add to sum',
    });
    const a = collect(owner, taskId);
    const b = collect(reviewer, taskId);
    const [ea, eb] = await Promise.all([a.finished, b.finished]);
    const late = await collect(reviewer, taskId).finished;
    const resumed = await collect(owner, taskId, '3').finished;

    const seqs = ea.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(eb).toEqual(ea);
    expect(late).toEqual(ea);
    expect(resumed).toEqual(ea.slice(3));
    const types = ea.map((e) => e.type);
    expect(types[0]).toBe('status');
    expect(types).toContain('context');
    expect(types).toContain('output');
    expect(types.indexOf('edit')).toBeLessThan(types.indexOf('proposal'));
    expect(types.at(-1)).toBe('done');
    expect(ea.at(-1)).toMatchObject({ outcome: 'proposed', tokensIn: 1200, tokensOut: 80 });

    const task = await reviewer.trpc.task.get.query({ taskId });
    expect(task.state).toBe('proposed');
    expect(task.tokensIn).toBe(1200);
    expect(task.changeset?.files[0]?.hunks).toHaveLength(1);
    const list = await owner.trpc.task.list.query({ workspaceId: ws.id });
    expect(list.map((t) => t.id)).toContain(taskId);
  });

  it('accepts one hunk, rejects another, rolls back — and the file follows exactly; reviewers cannot decide', async () => {
    const ws = await workspaceWithFile();
    const y = live(ws.id);
    await synced(y);
    llm.enqueue([
      replay.text(
        block('src/math.ts', '  return a + b;', '  return a + b + 0;') +
          block('src/math.ts', 'export const name = "tandem";', 'export const name = "TANDEM";'),
      ),
    ]);
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'tweak' });
    await collect(owner, taskId).finished;
    const task = await owner.trpc.task.get.query({ taskId });
    const [first, second] = task.changeset?.files[0]?.hunks ?? [];
    expect(first && second).toBeTruthy();

    await expectError(reviewer.trpc.task.accept.mutate({ taskId }), 'FORBIDDEN');
    await expectError(reviewer.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'x' }), 'FORBIDDEN');

    const accepted = await owner.trpc.task.accept.mutate({ taskId, hunkIds: [first!.id] });
    expect(accepted.applied).toEqual([first!.id]);
    await owner.trpc.task.reject.mutate({ taskId, hunkIds: [second!.id] });
    await until(() => textOf(y, 'src/math.ts').includes('a + b + 0'));
    expect(textOf(y, 'src/math.ts')).toBe(FILE.replace('return a + b;', 'return a + b + 0;'));

    // A human edit elsewhere after the merge survives the rollback.
    y.doc.getMap<Y.Text>('files').get('src/math.ts')!.insert(0, '// hello\n');
    await owner.trpc.task.rollback.mutate({ taskId });
    await until(() => !textOf(y, 'src/math.ts').includes('a + b + 0'));
    expect(textOf(y, 'src/math.ts')).toBe('// hello\n' + FILE);
    expect((await owner.trpc.task.get.query({ taskId })).state).toBe('rolled-back');

    // Every decision on the AI's changes is in the audit log, with who made it and what it touched.
    const by = { actorId: owner.user.id, targetId: taskId };
    expect(await decisionsOf(ws.id)).toEqual([
      { action: 'task.accept', ...by, meta: { hunkIds: [first!.id], conflicts: [] } },
      { action: 'task.reject', ...by, meta: { hunkIds: [second!.id] } },
      { action: 'task.rollback', ...by, meta: { restored: [first!.id], conflicts: [] } },
    ]);
  });

  it('lands hunks where the text moved when someone typed elsewhere, and reports a conflict when they typed inside', async () => {
    const ws = await workspaceWithFile();
    const y = live(ws.id);
    await synced(y);
    llm.enqueue([
      replay.delay(400),
      replay.text(
        block('src/math.ts', '  return a + b;', '  return b + a;') +
          block('src/math.ts', 'export const name = "tandem";', 'export const name = "duo";'),
      ),
    ]);
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'edit' });
    const run = collect(owner, taskId);
    // The snapshot is taken before context selection: type only once the task is past it.
    await until(() => run.events.some((e) => e.type === 'context'), 10_000, 'context');
    const text = () => y.doc.getMap<Y.Text>('files').get('src/math.ts')!;
    // While the model "thinks": a header above everything and a change inside the second hunk's line.
    text().insert(0, '/** header */\n');
    const at = text().toString().indexOf('"tandem"');
    text().insert(at + 1, 'my-');
    await run.finished;

    const result = await owner.trpc.task.accept.mutate({ taskId });
    expect(result.applied).toHaveLength(1);
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]).toMatchObject({ path: 'src/math.ts', reason: expect.any(String) as string });
    await until(() => textOf(y, 'src/math.ts').includes('return b + a;'));
    const after = textOf(y, 'src/math.ts');
    expect(after.startsWith('/** header */\n')).toBe(true);
    expect(after).toContain('"my-tandem"');

    const conflictId = result.conflicts[0]!.hunkId;
    await owner.trpc.task.resolveConflict.mutate({ taskId, hunkId: conflictId, choice: 'theirs' });
    await until(() => textOf(y, 'src/math.ts').includes('"duo"'));
    const resolved = await owner.trpc.task.get.query({ taskId });
    expect(resolved.changeset?.files[0]?.hunks.map((h) => h.status)).toEqual(['applied', 'applied']);
    const log = await collect(owner, taskId, undefined, 'conflict').finished;
    expect(log.at(-1)).toMatchObject({ type: 'conflict', hunkId: conflictId });
    expect((await decisionsOf(ws.id)).map((d) => [d.action, d.meta])).toEqual([
      ['task.accept', { hunkIds: [result.applied[0]], conflicts: [conflictId] }],
      ['task.resolve_conflict', { hunkId: conflictId, choice: 'theirs' }],
    ]);
  });

  it('auto-applies a clean proposal under the workspace policy and tells the workspace subscription', async () => {
    const ws = await workspaceWithFile();
    await owner.trpc.task.setAutoApply.mutate({ workspaceId: ws.id, autoApply: true });
    await expectError(
      reviewer.trpc.task.setAutoApply.mutate({ workspaceId: ws.id, autoApply: false }),
      'FORBIDDEN',
    );
    const y = live(ws.id);
    await synced(y);
    const watcher = wsTrpc(server.url, reviewer.jar.header());
    const changes: { taskId: string; state: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      watcher.trpc.task.onChange.subscribe(
        { workspaceId: ws.id },
        { onStarted: () => resolve(), onData: (c) => changes.push(c), onError: reject },
      );
    });
    await new Promise((r) => setTimeout(r, 200));
    llm.enqueue([replay.text(block('src/math.ts', '  return a + b;', '  return a - b;'))]);
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'subtract' });
    await until(() => textOf(y, 'src/math.ts').includes('return a - b;'));
    await until(() => changes.some((c) => c.taskId === taskId && c.state === 'applied'));
    expect(changes.filter((c) => c.taskId === taskId).map((c) => c.state)).toEqual([
      'queued',
      'running',
      'proposed',
      'applied',
    ]);
    // The policy's accept is audited as the task author's, marked automatic.
    expect(await decisionsOf(ws.id)).toMatchObject([
      { action: 'task.accept', actorId: owner.user.id, targetId: taskId, meta: { auto: true } },
    ]);
    watcher.close();
  });

  it('cancel mid-stream aborts the provider request and ends the task cancelled', async () => {
    const ws = await workspaceWithFile();
    llm.enqueue([replay.text('thinking '.repeat(200), { chunks: 200, intervalMs: 30 })]);
    const before = llm.requests.length;
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'slow' });
    const sub = collect(owner, taskId);
    await until(() => sub.events.some((e) => e.type === 'output'), 10_000, 'output');
    await owner.trpc.task.cancel.mutate({ taskId });
    const events = await sub.finished;
    expect(events.at(-1)).toMatchObject({ type: 'done', outcome: 'cancelled' });
    const request = llm.requests[before]!;
    await request.closed;
    expect(request.clientAborted).toBe(true);
    expect((await owner.trpc.task.get.query({ taskId })).state).toBe('cancelled');
  });

  it('reports a provider auth failure as a typed error and fails the task', async () => {
    const ws = await workspaceWithFile();
    llm.enqueue([replay.unauthorized()]);
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'x' });
    const events = await collect(owner, taskId).finished;
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'LLM_AUTH' });
    expect(events.at(-1)).toMatchObject({ outcome: 'failed' });
    expect((await owner.trpc.task.get.query({ taskId })).errorCode).toBe('LLM_AUTH');

    // Once the endpoint answers again, the same request runs again as a new task; the failed one keeps its story.
    await expectError(reviewer.trpc.task.retry.mutate({ taskId }), 'FORBIDDEN');
    llm.enqueue([replay.text('Nothing to change.')]);
    const again = await owner.trpc.task.retry.mutate({ taskId });
    expect(again.taskId).not.toBe(taskId);
    const retried = await collect(owner, again.taskId).finished;
    expect(retried.at(-1)).toMatchObject({ type: 'done', outcome: 'no-changes' });
    expect(await owner.trpc.task.get.query(again)).toMatchObject({ prompt: 'x', state: 'no-changes' });
    expect((await owner.trpc.task.get.query({ taskId })).state).toBe('failed');
  });

  it('stops a task over its token budget and refuses new tasks over the daily quota', async () => {
    const ws = await workspaceWithFile();
    await owner.trpc.admin.settings.setCost.mutate({
      dailyTokenQuota: 5_000,
      taskBudgetTokens: 1_000,
      taskBudgetUsd: 0,
    });
    try {
      llm.enqueue([
        replay.text('x '.repeat(3000), { chunks: 50 }),
        replay.finish({ usage: { inputTokens: 3000, outputTokens: 3000 } }),
      ]);
      const { taskId } = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'too much' });
      const events = await collect(owner, taskId).finished;
      expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'BUDGET_EXCEEDED' });
      // Today's usage now passes the 5,000-token quota.
      const spent = (await owner.trpc.task.get.query({ taskId })).tokensIn;
      await server.app.deps.db.update(tasks).set({ tokensIn: 6000 }).where(eq(tasks.id, taskId));
      expect(spent).toBeGreaterThan(0);
      const data = await expectError(
        owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'more' }),
        'QUOTA_EXCEEDED',
      );
      expect(data.httpStatus).toBe(429);
    } finally {
      await owner.trpc.admin.settings.setCost.mutate({
        dailyTokenQuota: 0,
        taskBudgetTokens: 0,
        taskBudgetUsd: 0,
      });
    }
  });

  it('scans the proposal in the real sandbox: eval of a request and a hard-coded key block auto-apply', async () => {
    // Last in this block: its reflection rounds spend much of the owner's daily token quota.
    const author = owner;
    const ws = await workspaceWithFile();
    await author.trpc.task.setAutoApply.mutate({ workspaceId: ws.id, autoApply: true });
    const risky = [
      'export function add(a: number, b: number) {',
      '  return a + b;',
      '}',
      'export const run = (req: { query: { x: string } }) => eval(req.query.x);',
      // Assembled so no credential-shaped string sits in the repository.
      `export const aws = { accessKeyId: '${['AKIA', '2E0A8F3B', '244C9986'].join('')}',`,
      `  secretAccessKey: '${['g7Hk2pQ9vX4mLr8Z', 'tW1yB6nC3sJ5dF0a', 'E2uK7oPq'].join('')}' };`,
    ].join('\n');
    // The model insists on the same change through every reflection round the findings cause.
    const reply = block(
      'src/math.ts',
      'export function add(a: number, b: number) {\n  return a + b;\n}',
      risky,
    );
    for (let round = 0; round <= 3; round++) llm.enqueue([replay.text(reply)]);
    const { taskId } = await owner.trpc.task.create.mutate({
      workspaceId: ws.id,
      prompt: 'run what they send',
    });
    const events = await collect(author, taskId).finished;
    const security = events.filter(
      (e) => e.type === 'check' && e.check === 'security' && e.status !== 'running',
    );
    expect(security.at(-1)).toMatchObject({ status: 'failed' });
    const findings = events.filter((e) => e.type === 'finding');
    expect(findings.some((f) => f.severity === 'high' && f.path === 'src/math.ts')).toBe(true);
    expect(findings.some((f) => f.severity === 'critical')).toBe(true);
    // Found, shown, and not applied: the live file is unchanged and the task waits for a person.
    const task = await author.trpc.task.get.query({ taskId });
    expect(task.state).toBe('proposed');
    const file = await author.trpc.file.read.query({ workspaceId: ws.id, path: 'src/math.ts' });
    expect(file.binary ? '' : file.content).not.toContain('eval(');

    // The proposal keeps its last checks and findings, on its hunks, for the review.
    expect(task.checkResults.find((c) => c.check === 'security')).toMatchObject({ status: 'failed' });
    const hunkIds = (task.changeset?.files ?? []).flatMap((f) => f.hunks.map((h) => h.id));
    const onHunks = task.findings.filter((f) => f.hunkId !== undefined && hunkIds.includes(f.hunkId));
    expect(onHunks.some((f) => f.severity === 'high')).toBe(true);
    // Accepting it by hand needs a confirmation: refused without one, nothing applied, nothing audited.
    const refused = await expectError(author.trpc.task.accept.mutate({ taskId }), 'CONFLICT');
    expect(refused.details).toMatchObject({ needsConfirmation: true });
    expect((await author.trpc.task.get.query({ taskId })).state).toBe('proposed');
    expect(await decisionsOf(ws.id)).toEqual([]);
    // Confirmed, it applies, and the audit log says it was flagged and what was found.
    await author.trpc.task.accept.mutate({ taskId, acceptFindings: true });
    const applied = await author.trpc.file.read.query({ workspaceId: ws.id, path: 'src/math.ts' });
    expect(applied.binary ? '' : applied.content).toContain('eval(');
    const [decision, ...rest] = await decisionsOf(ws.id);
    expect(rest).toEqual([]);
    expect(decision).toMatchObject({
      action: 'task.accept_flagged',
      actorId: author.user.id,
      targetId: taskId,
    });
    const audited = (decision?.meta as { findings: { severity: string; tool: string }[] }).findings;
    expect(audited.some((f) => f.severity === 'high')).toBe(true);
    expect(audited.some((f) => f.tool === 'secretlint')).toBe(true);
  });
});

describe('task creation rate limit', () => {
  it('refuses tasks beyond the per-user limit an operator set (TANDEM_LIMIT_TASKS_PER_USER) with RATE_LIMITED', async () => {
    const llm = await startReplayServer();
    const server = await startTestServer('pglite', {
      env: {
        TANDEM_LLM_PROVIDER: 'openai-compatible',
        TANDEM_LLM_BASE_URL: `${llm.url}/v1`,
        TANDEM_LLM_MODEL: 'm',
        TANDEM_LIMIT_TASKS_PER_USER: '1/1h',
      },
    });
    try {
      const user = await signedUpClient(server.url, 'Busy');
      const ws = await user.trpc.workspace.create.mutate({ name: 'x' });
      llm.enqueue([replay.text('Nothing to change.')]);
      await user.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'one' });
      const data = await expectError(
        user.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'two' }),
        'RATE_LIMITED',
      );
      expect(data.retryAfter).toBeGreaterThan(0);
      expect(await user.trpc.task.list.query({ workspaceId: ws.id })).toHaveLength(1);
      await server.app.deps.runner.idle();
    } finally {
      await server.close();
      await llm.close();
    }
  });
});

describe('without a model', () => {
  it('says plainly that no model is configured and how to fix it', async () => {
    const server = await startTestServer('pglite', { env: { TANDEM_OLLAMA_URL: 'http://127.0.0.1:9' } });
    try {
      const user = await signedUpClient(server.url, 'NoModel');
      const ws = await user.trpc.workspace.create.mutate({ name: 'x' });
      const models = await user.trpc.task.models.query();
      expect(models.configured).toBe(false);
      expect(models.problem).toMatch(/TANDEM_LLM_MODEL/);
      const data = await expectError(
        user.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'hi' }),
        'NO_MODEL',
      );
      expect(data.httpStatus).toBe(412);
    } finally {
      await server.close();
    }
  });

  it('detects a local Ollama when nothing is configured', async () => {
    const ollama = await startReplayServer({ ollamaModels: ['qwen2.5-coder:7b'] });
    const server = await startTestServer('pglite', { env: { TANDEM_OLLAMA_URL: ollama.url } });
    try {
      const user = await signedUpClient(server.url, 'Ollama');
      const models = await user.trpc.task.models.query();
      expect(models).toMatchObject({ configured: true, defaultModel: 'qwen2.5-coder:7b' });
    } finally {
      await server.close();
      await ollama.close();
    }
  });
});
