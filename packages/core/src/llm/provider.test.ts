import { describe, expect, it } from 'vitest';
import { createLlmClient, type LlmConfig } from './provider.ts';
import { replay } from './testing/index.ts';
import { collect, serve } from './testing/provider-contract.ts';

describe('createLlmClient', () => {
  it('rejects an invalid configuration up front', () => {
    const valid: LlmConfig = {
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:1/v1',
      model: 'm',
      timeoutMs: 1_000,
      maxRetries: 0,
    };
    expect(() => createLlmClient({ ...valid, baseUrl: 'file:///etc/passwd' })).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT' }),
    );
    expect(() => createLlmClient({ ...valid, maxRetries: -1 })).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT' }),
    );
    expect(createLlmClient(valid)).toMatchObject({ provider: 'openai-compatible', model: 'm' });
  });
});

describe('usage estimation', () => {
  it('estimates tokens when an OpenAI-compatible server reports no usage', async (context) => {
    const server = await serve(context);
    // Servers that ignore stream_options send no usage chunk; the body below mimics one.
    server.route((info) => info.path === '/v1/chat/completions', [replay.text('12345678'), replay.finish()]);
    const client = createLlmClient(
      {
        provider: 'openai-compatible',
        baseUrl: `${server.url}/v1`,
        model: 'local',
        timeoutMs: 2_000,
        maxRetries: 0,
      },
      {
        fetch: async (input, init) => {
          if (typeof init?.body !== 'string') throw new Error('expected a JSON string body');
          const body = JSON.parse(init.body) as Record<string, unknown>;
          delete body.stream_options;
          return fetch(input, { ...init, body: JSON.stringify(body) });
        },
      },
    );
    const chunks = await collect(
      client.stream({ system: 'abcd', messages: [{ role: 'user', content: 'efgh' }] }),
    );
    expect(chunks.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 2, outputTokens: 2, estimated: true },
    });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });
});
