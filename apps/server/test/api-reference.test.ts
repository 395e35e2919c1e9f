// The API reference is read off the router (trpc/reference.ts); this holds every procedure to what the reference
// needs from it: a description, an example its own input schemas accept, and access set by its builder.
import { describe, expect, it } from 'vitest';
import { apiReference, checkExample, routerProcedures } from '../src/trpc/reference.ts';

const procedures = Object.entries(routerProcedures());

describe('API reference', () => {
  it('covers every procedure of the router, once', () => {
    const paths = apiReference().map((entry) => entry.path);
    expect(paths).toEqual(procedures.map(([path]) => path));
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.length).toBeGreaterThan(40);
  });

  it.each(procedures)('%s has a description and an example its input schemas accept', (_path, procedure) => {
    const meta = procedure._def.meta;
    expect(meta?.description?.trim().length ?? 0, 'description').toBeGreaterThan(10);
    expect(meta?.example, 'example').toBeDefined();
    expect(checkExample(procedure)).toEqual({ ok: true });
    if (procedure._def.inputs.length === 0) expect(meta?.example?.input).toBeUndefined();
  });

  it('takes access from the builder that checks it', () => {
    const byPath = new Map(apiReference().map((entry) => [entry.path, entry]));
    expect(byPath.get('auth.signIn')?.access).toEqual({ kind: 'public' });
    expect(byPath.get('workspace.create')?.access).toEqual({ kind: 'signed-in' });
    expect(byPath.get('admin.users.list')?.access).toEqual({ kind: 'admin' });
    expect(byPath.get('file.write')?.access).toEqual({ kind: 'member', role: 'editor', via: 'workspaceId' });
    expect(byPath.get('task.events')?.access).toEqual({ kind: 'member', role: 'reviewer', via: 'taskId' });
    expect(byPath.get('workspace.members.setRole')?.access).toEqual({
      kind: 'member',
      role: 'owner',
      via: 'workspaceId',
    });
  });

  it('lists error codes with the status they travel with, and inputs as JSON Schema', () => {
    const write = apiReference().find((entry) => entry.path === 'file.write');
    const codes = write?.errors.map((e) => e.code) ?? [];
    for (const code of [
      'BAD_INPUT',
      'UNAUTHENTICATED',
      'NOT_FOUND',
      'FORBIDDEN',
      'WORKSPACE_ARCHIVED',
      'BINARY_FILE',
    ])
      expect(codes).toContain(code);
    expect(write?.errors.find((e) => e.code === 'UNAUTHENTICATED')).toMatchObject({ httpStatus: 401 });
    expect(write?.input).toMatchObject({
      type: 'object',
      properties: { workspaceId: { type: 'string' }, path: { type: 'string' }, content: { type: 'string' } },
    });
    expect(write?.input?.required).toEqual(expect.arrayContaining(['workspaceId', 'path', 'content']));
  });

  it('fails a procedure whose example its schema refuses', () => {
    const [, write] = procedures.find(([path]) => path === 'file.write') ?? [];
    if (!write) throw new Error('file.write missing');
    const broken = { _def: { ...write._def, meta: { example: { input: { workspaceId: 'nope' } } } } };
    expect(checkExample(broken)).toMatchObject({ ok: false });
  });
});
