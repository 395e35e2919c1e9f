import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from './replay-script.ts';
import { startReplayServer, type ReplayServer } from './replay-server.ts';

let server: ReplayServer;

beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(async () => {
  await server.close();
});

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('replay server wire formats', () => {
  it('frames OpenAI chunks with a usage chunk and [DONE] when usage is requested', async () => {
    server.enqueue([replay.text('hey', { chunks: 2 })]);
    const response = await post('/v1/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const frames = (await response.text()).split('\n\n').filter((frame) => frame !== '');
    expect(frames.at(-1)).toBe('data: [DONE]');
    const chunks = frames
      .slice(0, -1)
      .map((frame) => JSON.parse(frame.replace(/^data: /, '')) as Record<string, unknown>);
    expect(chunks.map((chunk) => chunk.object)).toEqual(Array(5).fill('chat.completion.chunk'));
    expect(chunks[0]).toMatchObject({
      choices: [{ delta: { role: 'assistant', content: '' } }],
      usage: null,
    });
    expect(chunks[1]).toMatchObject({ choices: [{ delta: { content: 'he' }, finish_reason: null }] });
    expect(chunks[3]).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }] });
    expect(chunks[4]).toMatchObject({ choices: [], usage: { completion_tokens: 2 } });
  });

  it('sends Anthropic events in protocol order', async () => {
    server.enqueue([
      replay.text('hey'),
      replay.finish({ finishReason: 'length', usage: { inputTokens: 9, outputTokens: 4 } }),
    ]);
    const response = await post('/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const frames = (await response.text()).split('\n\n').filter((frame) => frame !== '');
    const events = frames.map((frame) => /^event: (\w+)/.exec(frame)?.[1]);
    expect(events).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const delta = JSON.parse(frames[5]?.split('data: ')[1] ?? '') as unknown;
    expect(delta).toMatchObject({
      delta: { stop_reason: 'max_tokens' },
      usage: { input_tokens: 9, output_tokens: 4 },
    });
  });

  it('answers with the real error shapes and rejects requests it cannot replay', async () => {
    server.enqueue([replay.rateLimited(1)]);
    const limited = await post('/v1/messages', { model: 'm', max_tokens: 1, messages: [], stream: true });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });

    const notStreaming = await post('/v1/chat/completions', { model: 'm', messages: [] });
    expect(notStreaming.status).toBe(400);
    const unscripted = await post('/v1/chat/completions', { model: 'm', messages: [], stream: true });
    expect(await unscripted.text()).toContain('no script queued');
  });

  it('rejects scripts it could not play faithfully', () => {
    expect(() => server.enqueue([replay.text('a'), replay.unauthorized()])).toThrow(/only follow delay/);
    expect(() => server.enqueue([replay.unauthorized(), replay.text('a')])).toThrow(/last step/);
  });
});
