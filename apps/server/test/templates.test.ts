// Workspace templates end to end: listed, created from, attributed, and, for each one shipped, a project whose
// checks pass in the real sandbox (dependencies installed from the npm registry, type check, tests).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTemplatesDir } from '../src/services/templates.ts';
import { expectError, signedUpClient, startTestServer, type TestServer } from './harness.ts';
import { eventsUntilDone } from './trpc-ws.ts';

type User = Awaited<ReturnType<typeof signedUpClient>>;

const shipped = readdirSync(defaultTemplatesDir).sort();

describe('workspace templates', () => {
  let server: TestServer;
  let owner: User;

  beforeAll(async () => {
    server = await startTestServer('pglite');
    owner = await signedUpClient(server.url, 'Owner');
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists every shipped template in the order to offer them, with what each writes', async () => {
    const templates = await owner.trpc.workspace.templates.query();
    expect(templates.map((t) => t.id).sort()).toEqual(shipped);
    expect(templates.map((t) => t.id)).toEqual(['typescript-library', 'react-vite-app', 'express-api']);
    for (const template of templates) {
      const files = readdirSync(path.join(defaultTemplatesDir, template.id), {
        recursive: true,
        withFileTypes: true,
      }).filter((entry) => entry.isFile() && entry.name !== 'template.json');
      expect(template.files).toBe(files.length);
      expect(template.bytes).toBeGreaterThan(0);
    }
  });

  it('creates a workspace filled with the template, written as the creator, and audits which template', async () => {
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Lib', template: 'typescript-library' });
    expect(ws.role).toBe('owner');
    const { entries } = await owner.trpc.file.list.query({ workspaceId: ws.id });
    const paths = entries.map((entry) => entry.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'src/index.ts', 'src/index.test.ts']));
    expect(paths).not.toContain('template.json');
    const manifest = await owner.trpc.file.read.query({ workspaceId: ws.id, path: 'package.json' });
    expect(manifest).toMatchObject({ content: expect.stringContaining('"name": "my-library"') as string });
    const audit = await owner.trpc.admin.audit.list.query({ workspaceId: ws.id, limit: 5 });
    expect(audit.find((row) => row.action === 'workspace.create')?.meta).toEqual({
      name: 'Lib',
      template: 'typescript-library',
    });
  });

  it('refuses an unknown template before creating anything, naming the ones there are', async () => {
    const before = await owner.trpc.workspace.list.query();
    const error = await expectError(
      owner.trpc.workspace.create.mutate({ name: 'Nope', template: 'cobol-mainframe' }),
      'NOT_FOUND',
    );
    expect(error.details).toEqual({ templates: ['typescript-library', 'react-vite-app', 'express-api'] });
    expect(await owner.trpc.workspace.list.query()).toHaveLength(before.length);
  });

  it('fills an empty workspace from a template for editors, all or nothing, and not for reviewers', async () => {
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Empty' });
    const reviewer = await signedUpClient(server.url, 'Reviewer');
    const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'reviewer' });
    await reviewer.trpc.workspace.invite.accept.mutate({ token: invite.token });
    await expectError(
      reviewer.trpc.workspace.applyTemplate.mutate({ workspaceId: ws.id, template: 'express-api' }),
      'FORBIDDEN',
    );

    await owner.trpc.file.create.mutate({ workspaceId: ws.id, path: 'README.md', content: 'mine\n' });
    await expectError(
      owner.trpc.workspace.applyTemplate.mutate({ workspaceId: ws.id, template: 'express-api' }),
      'PATH_EXISTS',
    );
    // Nothing of the refused template was written, and the person's file is as they left it.
    const after = await owner.trpc.file.list.query({ workspaceId: ws.id });
    expect(after.entries.map((entry) => entry.path)).toEqual(['README.md']);

    await owner.trpc.file.delete.mutate({ workspaceId: ws.id, path: 'README.md' });
    const result = await owner.trpc.workspace.applyTemplate.mutate({
      workspaceId: ws.id,
      template: 'express-api',
    });
    const listed = await owner.trpc.workspace.templates.query();
    expect(result.files).toBe(listed.find((t) => t.id === 'express-api')?.files);
    expect((await owner.trpc.file.list.query({ workspaceId: ws.id })).entries.map((e) => e.path)).toContain(
      'src/app.ts',
    );
  });

  // Each install fetches the template's locked dependencies from the registry into the sandbox's cache.
  it.each(shipped)('%s: its checks pass in the sandbox', { timeout: 300_000 }, async (template) => {
    const ws = await owner.trpc.workspace.create.mutate({ name: template, template });
    const { runId } = await owner.trpc.check.run.mutate({ workspaceId: ws.id });
    const events = await eventsUntilDone(server.url, owner.jar.header(), { runId });
    const verdicts = Object.fromEntries(
      events
        .filter((e) => e.type === 'check' && e.status !== 'running')
        .map((e) => [String(e.check), String(e.status)]),
    );
    const why = JSON.stringify(events.filter((e) => e.type !== 'output'));
    expect(verdicts, why).toEqual({
      install: 'passed',
      typecheck: 'passed',
      lint: 'skipped',
      test: 'passed',
      security: 'passed',
    });
    expect(events.at(-1), why).toMatchObject({ type: 'done', status: 'passed' });
  });
});
