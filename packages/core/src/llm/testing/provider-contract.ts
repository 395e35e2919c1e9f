// Shared by the per-provider test files; not exported from ./index.ts because it imports vitest.

import { createServer } from 'node:net';
import { describe, expect, it, type TestContext } from 'vitest';
import { AppError } from '../../errors.ts';
import {
  createLlmClient,
  type LlmChunk,
  type LlmConfig,
  type LlmProviderKind,
  type RetryEvent,
} from '../provider.ts';
import { replay } from './replay-script.ts';
import { startReplayServer, type ReplayServer } from './replay-server.ts';

// A fresh server per test keeps recorded requests and queued scripts from leaking between tests.
export async function serve(context: TestContext): Promise<ReplayServer> {
  const server = await startReplayServer();
  context.onTestFinished(() => server.close());
  return server;
}

const request = {
  system: 'You edit code.',
  messages: [
    { role: 'user' as const, content: 'Rename foo to bar.' },
    { role: 'assistant' as const, content: 'Which file?' },
    { role: 'user' as const, content: 'src/a.ts' },
  ],
};

export async function collect(stream: AsyncIterable<LlmChunk>): Promise<LlmChunk[]> {
  const chunks: LlmChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function failureOf(stream: AsyncIterable<LlmChunk>, seen: LlmChunk[] = []): Promise<AppError> {
  try {
    for await (const chunk of stream) seen.push(chunk);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the stream to fail');
}

function textOf(chunks: readonly LlmChunk[]): string {
  return chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('');
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return address.port;
}

const models: Record<LlmProviderKind, string> = {
  'openai-compatible': 'gpt-4o-mini',
  anthropic: 'claude-sonnet-4-5',
};

/**
 * The behaviour every provider must show through a real socket: streaming, cancellation, retries, timeouts and
 * error typing. Each provider's test file runs it, so the two run in parallel workers.
 */
export function describeProviderContract(provider: LlmProviderKind): void {
  describe(`${provider} through the replay server`, () => {
    const config = (server: ReplayServer, overrides: Partial<LlmConfig> = {}): LlmConfig => ({
      provider,
      baseUrl: `${server.url}/v1`,
      apiKey: 'test-key',
      model: models[provider],
      timeoutMs: 2_000,
      maxRetries: 2,
      ...overrides,
    });
    const fastRetries = { retryPolicy: { baseDelayMs: 20, maxDelayMs: 100 } };

    it('streams text deltas in order and ends with the reported usage', async (context) => {
      const server = await serve(context);
      server.enqueue([
        replay.text('function bar() {\n', { chunks: 5 }),
        replay.text('  return 1;\n}\n', { chunks: 3 }),
        replay.finish({ usage: { inputTokens: 321, outputTokens: 17 } }),
      ]);
      const chunks = await collect(
        createLlmClient(config(server)).stream({ ...request, maxOutputTokens: 512, temperature: 0 }),
      );

      const texts = chunks.filter((chunk) => chunk.type === 'text');
      expect(texts.length).toBe(8);
      expect(textOf(chunks)).toBe('function bar() {\n  return 1;\n}\n');
      expect(chunks.at(-1)).toEqual({
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 321, outputTokens: 17, estimated: false },
      });

      const [sent] = server.requests;
      expect(server.requests).toHaveLength(1);
      const body = sent?.body as Record<string, unknown>;
      expect(body.model).toBe(models[provider]);
      expect(body.stream).toBe(true);
      if (provider === 'openai-compatible') {
        expect(sent?.path).toBe('/v1/chat/completions');
        expect(sent?.headers.authorization).toBe('Bearer test-key');
        expect(body.stream_options).toEqual({ include_usage: true });
        expect(body.max_tokens).toBe(512);
        expect(body.messages).toEqual([
          { role: 'system', content: 'You edit code.' },
          { role: 'user', content: 'Rename foo to bar.' },
          { role: 'assistant', content: 'Which file?' },
          { role: 'user', content: 'src/a.ts' },
        ]);
      } else {
        expect(sent?.path).toBe('/v1/messages');
        expect(sent?.headers['x-api-key']).toBe('test-key');
        expect(sent?.headers['anthropic-version']).toBeDefined();
        expect(body.max_tokens).toBe(512);
        expect(body.system).toEqual([{ type: 'text', text: 'You edit code.' }]);
        expect(body.messages).toEqual([
          { role: 'user', content: [{ type: 'text', text: 'Rename foo to bar.' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Which file?' }] },
          { role: 'user', content: [{ type: 'text', text: 'src/a.ts' }] },
        ]);
      }
    });

    it('reports a length stop', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('partial'), replay.finish({ finishReason: 'length' })]);
      const chunks = await collect(createLlmClient(config(server)).stream(request));
      expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });
    });

    it('aborting mid-stream rejects with CANCELLED and closes the server-side request', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('first '), replay.delay(10_000), replay.text('never sent')]);
      const controller = new AbortController();
      const seen: LlmChunk[] = [];
      const started = Date.now();
      const stream = createLlmClient(config(server)).stream({ ...request, signal: controller.signal });
      const failure = failureOf(
        {
          async *[Symbol.asyncIterator]() {
            for await (const chunk of stream) {
              yield chunk;
              controller.abort();
            }
          },
        },
        seen,
      );

      expect((await failure).code).toBe('CANCELLED');
      expect(textOf(seen)).toBe('first ');
      const [sent] = server.requests;
      await sent?.closed;
      expect(sent?.clientAborted).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('stopping iteration early also closes the request', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('one '), replay.delay(5_000), replay.text('two')]);
      for await (const chunk of createLlmClient(config(server)).stream(request)) {
        expect(chunk).toEqual({ type: 'text', text: 'one ' });
        break;
      }
      const [sent] = server.requests;
      await sent?.closed;
      expect(sent?.clientAborted).toBe(true);
    });

    it('maps 401 to LLM_AUTH without retrying', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.unauthorized()]);
      server.enqueue([replay.text('must not be requested')]);
      const error = await failureOf(createLlmClient(config(server), fastRetries).stream(request));
      expect(error.code).toBe('LLM_AUTH');
      expect(error.details).toMatchObject({ status: 401 });
      expect(server.requests).toHaveLength(1);
    });

    it('retries a 429 after its retry-after and then succeeds', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.rateLimited(0.3)]);
      server.enqueue([replay.text('ok')]);
      const retries: RetryEvent[] = [];
      const chunks = await collect(
        createLlmClient(config(server), { ...fastRetries, onRetry: (event) => retries.push(event) }).stream(
          request,
        ),
      );

      expect(textOf(chunks)).toBe('ok');
      expect(server.requests).toHaveLength(2);
      const [first, second] = server.requests;
      expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(300);
      expect(retries).toHaveLength(1);
      expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(300);
      expect(retries[0]?.error.code).toBe('LLM_RATE_LIMITED');
    });

    it('gives up on a 429 whose retry-after exceeds the policy, reporting retryAfter', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.rateLimited(120)]);
      const error = await failureOf(createLlmClient(config(server), fastRetries).stream(request));
      expect(error.code).toBe('LLM_RATE_LIMITED');
      expect(error.retryAfter).toBe(120);
      expect(server.requests).toHaveLength(1);
    });

    it('maps repeated 500s to LLM_ERROR after maxRetries', async (context) => {
      const server = await serve(context);
      for (let i = 0; i < 3; i++) server.enqueue([replay.serverError()]);
      server.enqueue([replay.text('must not be requested')]);
      const error = await failureOf(
        createLlmClient(config(server, { maxRetries: 2 }), fastRetries).stream(request),
      );
      expect(error.code).toBe('LLM_ERROR');
      expect(error.details).toMatchObject({ status: 500 });
      expect(server.requests).toHaveLength(3);
      expect(server.pendingScripts()).toBe(1);
    });

    it('retries an overloaded provider', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.overloaded()]);
      server.enqueue([replay.text('after overload')]);
      const chunks = await collect(createLlmClient(config(server), fastRetries).stream(request));
      expect(textOf(chunks)).toBe('after overload');
      expect(server.requests).toHaveLength(2);
    });

    it('times out a stream that stalls after the headers', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.stall()]);
      const started = Date.now();
      const error = await failureOf(
        createLlmClient(config(server, { timeoutMs: 300 }), fastRetries).stream(request),
      );
      const elapsed = Date.now() - started;
      expect(error.code).toBe('LLM_TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1_500);
      const [sent] = server.requests;
      await sent?.closed;
      expect(sent?.clientAborted).toBe(true);
      expect(server.requests).toHaveLength(1);
    });

    it('times out a stall between chunks and one before any headers', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('a'), replay.stall()]);
      server.enqueue([replay.stall({ beforeHeaders: true })]);
      const client = createLlmClient(config(server, { timeoutMs: 300, maxRetries: 0 }));
      const seen: LlmChunk[] = [];
      expect((await failureOf(client.stream(request), seen)).code).toBe('LLM_TIMEOUT');
      expect(textOf(seen)).toBe('a');
      expect((await failureOf(client.stream(request))).code).toBe('LLM_TIMEOUT');
    });

    it('keeps a slow but steady stream alive past the idle timeout', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('tick tock tick', { chunks: 4, intervalMs: 150 })]);
      const chunks = await collect(createLlmClient(config(server, { timeoutMs: 300 })).stream(request));
      expect(textOf(chunks)).toBe('tick tock tick');
    });

    it('does not blame the provider for a slow consumer', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('abc', { chunks: 3 })]);
      const texts: string[] = [];
      for await (const chunk of createLlmClient(config(server, { timeoutMs: 200 })).stream(request)) {
        if (chunk.type === 'text') texts.push(chunk.text);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(texts.join('')).toBe('abc');
    });

    it('treats a caller deadline signal as LLM_TIMEOUT', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('a', { chunks: 1 }), replay.delay(2_000), replay.text('b')]);
      const error = await failureOf(
        createLlmClient(config(server)).stream({ ...request, signal: AbortSignal.timeout(200) }),
      );
      expect(error.code).toBe('LLM_TIMEOUT');
    });

    it('maps a context-length rejection to LLM_CONTEXT_LENGTH without retrying', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.contextLengthExceeded()]);
      const error = await failureOf(createLlmClient(config(server), fastRetries).stream(request));
      expect(error.code).toBe('LLM_CONTEXT_LENGTH');
      expect(server.requests).toHaveLength(1);
    });

    it('fails on a malformed chunk instead of dropping text silently', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('good '), replay.malformed(), replay.text('more')]);
      const seen: LlmChunk[] = [];
      const error = await failureOf(createLlmClient(config(server), fastRetries).stream(request), seen);
      expect(error.code).toBe('LLM_ERROR');
      expect(error.details).toMatchObject({ reason: 'malformed-chunk' });
      expect(textOf(seen)).toBe('good ');
      expect(server.requests).toHaveLength(1);
    });

    it('maps a mid-stream disconnect to LLM_ERROR and does not retry once text was streamed', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('half an ans'), replay.disconnect()]);
      server.enqueue([replay.text('must not be requested')]);
      const seen: LlmChunk[] = [];
      const error = await failureOf(createLlmClient(config(server), fastRetries).stream(request), seen);
      expect(error.code).toBe('LLM_ERROR');
      expect(error.details).toMatchObject({ reason: 'disconnected' });
      expect(textOf(seen)).toBe('half an ans');
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.clientAborted).toBe(false);
    });

    it('retries a disconnect that happens before the first token', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.disconnect()]);
      server.enqueue([replay.text('second try')]);
      const chunks = await collect(createLlmClient(config(server), fastRetries).stream(request));
      expect(textOf(chunks)).toBe('second try');
      expect(server.requests).toHaveLength(2);
    });

    it('retries an in-stream overload error that arrives before any text', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.streamError('overloaded')]);
      server.enqueue([replay.text('recovered')]);
      const chunks = await collect(createLlmClient(config(server), fastRetries).stream(request));
      expect(textOf(chunks)).toBe('recovered');
      expect(server.requests).toHaveLength(2);
    });

    it('fails on an in-stream error after text without retrying', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('partial '), replay.streamError('server')]);
      server.enqueue([replay.text('must not be requested')]);
      const seen: LlmChunk[] = [];
      const error = await failureOf(createLlmClient(config(server), fastRetries).stream(request), seen);
      expect(error.code).toBe('LLM_ERROR');
      expect(textOf(seen)).toBe('partial ');
      expect(server.requests).toHaveLength(1);
    });

    it('rejects a stream that ends without a finish reason', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.text('cut'), replay.close()]);
      const error = await failureOf(createLlmClient(config(server, { maxRetries: 0 })).stream(request));
      expect(error.code).toBe('LLM_ERROR');
      expect(error.details).toMatchObject({ reason: 'truncated' });
    });

    it('maps a refused connection to LLM_UNREACHABLE after retrying', async (context) => {
      const server = await serve(context);
      const port = await closedPort();
      const retries: RetryEvent[] = [];
      const client = createLlmClient(
        config(server, { baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 1 }),
        {
          ...fastRetries,
          onRetry: (event) => retries.push(event),
        },
      );
      const error = await failureOf(client.stream(request));
      expect(error.code).toBe('LLM_UNREACHABLE');
      expect(error.details).toMatchObject({ networkCode: 'ECONNREFUSED' });
      expect(retries).toHaveLength(1);
    });

    it('stops waiting for a retry when the caller aborts', async (context) => {
      const server = await serve(context);
      server.enqueue([replay.rateLimited(5)]);
      const controller = new AbortController();
      const client = createLlmClient(config(server), {
        onRetry: () => setTimeout(() => controller.abort(), 20),
      });
      const started = Date.now();
      const error = await failureOf(client.stream({ ...request, signal: controller.signal }));
      expect(error.code).toBe('CANCELLED');
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });
}
