// The runnable API client in examples/api-client, against a real server and a scripted model: what an API client
// author copies from must work end to end (sign-up, workspace, file, invite, task followed live, accept, read).
import { replay, searchReplaceBlock, startReplayServer, type ReplayServer } from '@tandem/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../examples/api-client/client.ts';
import { startTestServer, type TestServer } from './harness.ts';

describe('examples/api-client', () => {
  let llm: ReplayServer;
  let server: TestServer;

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer('pglite', {
      env: {
        TANDEM_LLM_PROVIDER: 'openai-compatible',
        TANDEM_LLM_BASE_URL: `${llm.url}/v1`,
        TANDEM_LLM_MODEL: 'replay-model',
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await llm.close();
  });

  it('runs from sign-up to an accepted AI change, following the task over the WebSocket', async () => {
    llm.enqueue([
      replay.text(
        'Typing the parameter.\n\n' +
          searchReplaceBlock(
            'src/greet.ts',
            'export function greet(name) {',
            'export function greet(name: string) {',
          ),
      ),
      replay.finish({ usage: { inputTokens: 300, outputTokens: 40 } }),
    ]);
    const lines: string[] = [];
    const account = { email: 'client@example.com', password: 'correct horse battery', name: 'API Client' };
    const result = await run(server.url, account, (line) => lines.push(line));

    expect(lines[0]).toBe('signed in as API Client (instance admin)');
    expect(result.inviteUrl).toMatch(new RegExp(`/invite/[A-Za-z0-9_-]{43}$`));
    expect(result.outcome).toBe('proposed');
    expect(result.events[0]).toBe('status');
    expect(result.events).toEqual(expect.arrayContaining(['context', 'output', 'edit', 'proposal']));
    expect(result.events.at(-1)).toBe('done');
    expect(lines).toContain('applied 1 hunk(s), 0 conflict(s)');
    expect(result.finalText).toBe('export function greet(name: string) {\n  return "Hello " + name;\n}\n');

    // A second run signs the same account in instead of signing up again.
    const again = await run(server.url, account, () => undefined).catch((error: unknown) => error);
    expect(again).toMatchObject({ outcome: expect.any(String) as string });
  });
});
