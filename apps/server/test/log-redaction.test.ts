// Every log line is free of secrets: session cookies, passwords, API keys, bearer tokens, invite tokens and private
// keys (git deploy keys), through
// the real logger (pino to a stream) and the real server.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { SESSION_COOKIE } from '../src/auth/lucia.ts';
import { gitCredentials } from '../src/db/schema.ts';
import { createLogger } from '../src/logger.ts';
import { makeClient, signedUpClient, startTestServer } from './harness.ts';

describe('logs', () => {
  it('never contain session cookies, passwords, API keys, bearer tokens, invite tokens or private keys', async () => {
    const lines: string[] = [];
    const logger = createLogger(
      { env: 'test', logLevel: 'trace' },
      { write: (line: string) => lines.push(line) },
    );
    const server = await startTestServer('pglite', { logger });
    try {
      const owner = await signedUpClient(server.url, 'Owner');
      // A fresh sign-in too: its Set-Cookie is a second session token.
      const again = makeClient(server.url);
      await again.trpc.auth.signIn.mutate({ email: owner.email, password: owner.password });
      const cookies = [owner.jar.cookies.get(SESSION_COOKIE), again.jar.cookies.get(SESSION_COOKIE)];
      expect(cookies.every((c) => typeof c === 'string' && c.length > 10)).toBe(true);

      const { id: workspaceId } = await owner.trpc.workspace.create.mutate({ name: 'Secret plans' });
      const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId, role: 'editor' });
      const guest = await signedUpClient(server.url, 'Guest');
      // The invite page, the token in a query string and in a tRPC GET input (wrong method, still logged).
      await fetch(`${server.url}/invite/${invite.token}?token=${invite.token}`, {
        headers: { cookie: guest.jar.header() },
      });
      const input = encodeURIComponent(JSON.stringify({ json: { token: invite.token } }));
      await fetch(`${server.url}/trpc/workspace.invite.accept?input=${input}`, {
        headers: { cookie: guest.jar.header() },
      });
      await guest.trpc.workspace.invite.accept.mutate({ token: invite.token });

      const apiKey = 'sk-live-0123456789abcdefSECRET';
      await owner.trpc.admin.settings.setLlm.mutate({
        provider: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:9/v1',
        apiKey,
        model: 'gpt-test',
      });
      const bearer = 'bearer-secret-9876543210';
      const headerKey = 'header-api-key-5555';
      await fetch(`${server.url}/trpc/auth.me?apiKey=${headerKey}`, {
        headers: {
          authorization: `Bearer ${bearer}`,
          'x-api-key': headerKey,
          referer: invite.url,
          cookie: owner.jar.header(),
        },
      });
      // Code that logs a URL or quotes a body in its message is covered by the same rules.
      server.app.deps.logger.info(
        { url: invite.url, input: { password: owner.password, nested: { apiKey } } },
        `opened ${invite.url} with {"token":"${invite.token}"}`,
      );
      // A workspace's SSH deploy key, as git.deployKey.create stores it, logged every way code might.
      const deployKey = await owner.trpc.git.deployKey.create.mutate({ workspaceId });
      const [row] = await server.app.deps.db
        .select()
        .from(gitCredentials)
        .where(eq(gitCredentials.id, deployKey.credentialId));
      const privateKey = server.app.deps
        .secrets()
        .open(row?.sealedSecret ?? '', `git.credential:${deployKey.credentialId}`);
      const keyLines = privateKey.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'));
      expect(keyLines.length).toBeGreaterThan(2);
      server.app.deps.logger.warn(
        { ssh: { privateKey }, job: { key: privateKey } },
        `ssh failed with ${privateKey}`,
      );
      // Cut off mid-key (a truncated message): what is there is still taken out.
      server.app.deps.logger.error(new Error(`bad key ${privateKey.slice(0, 200)}`));

      const log = lines.join('');
      const secrets = {
        cookie: cookies[0],
        secondCookie: cookies[1],
        password: owner.password,
        apiKey,
        token: invite.token,
        bearer,
        headerKey,
      };
      for (const [name, secret] of Object.entries(secrets)) {
        expect({ name, leaked: log.includes(String(secret)) }).toEqual({ name, leaked: false });
      }
      for (const [i, line] of keyLines.entries()) {
        expect({ line: i, leaked: log.includes(line) }).toEqual({ line: i, leaked: false });
      }
      expect(log).toContain('ssh failed with -----BEGIN OPENSSH PRIVATE KEY----- [Redacted]');
      // What is left is still useful: the request lines are there, with the secrets marked.
      expect(log).toContain('request completed');
      expect(log).toContain('/invite/[Redacted]');
    } finally {
      await server.close();
    }
  });
});
