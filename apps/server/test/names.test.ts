// Names others see cannot carry text-direction controls or invisible characters, through the real API.
import { describe, expect, it } from 'vitest';
import { expectError, makeClient, signedUpClient, startTestServer } from './harness.ts';

describe('names', () => {
  it('refuses text-direction controls in display and workspace names with BAD_INPUT', async () => {
    const server = await startTestServer('pglite');
    try {
      const c = makeClient(server.url);
      const data = await expectError(
        c.trpc.auth.signUp.mutate({
          email: 'rlo@example.com',
          password: 'long enough pw',
          name: 'Bob\u202e',
        }),
        'BAD_INPUT',
      );
      expect(data.issues?.[0]?.path).toBe('name');
      expect(data.issues?.[0]?.message).toMatch(/direction/);
      const user = await signedUpClient(server.url, 'Namer');
      await expectError(user.trpc.workspace.create.mutate({ name: 'cod\u202eexe.js' }), 'BAD_INPUT');
      const { id } = await user.trpc.workspace.create.mutate({ name: 'fine' });
      await expectError(
        user.trpc.workspace.rename.mutate({ workspaceId: id, name: 'a\u200bb' }),
        'BAD_INPUT',
      );
      expect((await user.trpc.workspace.list.query()).map((w) => w.name)).toEqual(['fine']);
    } finally {
      await server.close();
    }
  });
});
