import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { detectOllama, listModels, resolveLlmConfig } from './detect.ts';
import { replay, startReplayServer, type ReplayServer } from './testing/index.ts';

let server: ReplayServer;

beforeAll(async () => {
  server = await startReplayServer({
    models: ['gpt-4o-mini', 'gpt-4o'],
    ollamaModels: ['llama3.2:latest', 'qwen2.5-coder:7b'],
  });
});
afterAll(async () => {
  await server.close();
});

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return address.port;
}

function thrown(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('detectOllama', () => {
  it('lists the models of an Ollama answering /api/tags', async () => {
    expect(await detectOllama(server.url)).toEqual(['llama3.2:latest', 'qwen2.5-coder:7b']);
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/tags' });
  });

  it('returns [] for a closed port', async () => {
    expect(await detectOllama(`http://127.0.0.1:${await closedPort()}`)).toEqual([]);
  });

  it('returns [] quickly when the endpoint hangs', async () => {
    server.route((info) => info.path === '/api/tags', [replay.stall({ beforeHeaders: true })]);
    const started = Date.now();
    expect(await detectOllama(`${server.url}/`, fetch, 200)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
    server.reset();
  });

  it('returns [] for an error status or a body that is not an Ollama tag list', async () => {
    server.route((info) => info.path === '/api/tags', [replay.httpError(500, 'oops')]);
    expect(await detectOllama(server.url)).toEqual([]);
    server.reset();
    server.route((info) => info.path === '/api/tags', [replay.httpError(200, { unexpected: true })]);
    expect(await detectOllama(server.url)).toEqual([]);
    server.reset();
  });
});

describe('listModels', () => {
  it('lists an OpenAI-compatible endpoint with a bearer key', async () => {
    const ids = await listModels({
      provider: 'openai-compatible',
      baseUrl: `${server.url}/v1`,
      apiKey: 'k1',
    });
    expect(ids).toEqual(['gpt-4o-mini', 'gpt-4o']);
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer k1');
  });

  it('lists an Anthropic endpoint with its headers', async () => {
    server.setModels(['claude-sonnet-4-5']);
    const ids = await listModels({ provider: 'anthropic', baseUrl: `${server.url}/v1`, apiKey: 'k2' });
    expect(ids).toEqual(['claude-sonnet-4-5']);
    const sent = server.requests.at(-1);
    expect(sent?.headers['x-api-key']).toBe('k2');
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    server.setModels(['gpt-4o-mini', 'gpt-4o']);
  });

  it('types failures', async () => {
    server.route((info) => info.path === '/v1/models', [replay.unauthorized()]);
    await expect(
      listModels({ provider: 'openai-compatible', baseUrl: `${server.url}/v1` }),
    ).rejects.toMatchObject({
      code: 'LLM_AUTH',
    });
    server.reset();
    const port = await closedPort();
    await expect(
      listModels({ provider: 'openai-compatible', baseUrl: `http://127.0.0.1:${port}/v1` }),
    ).rejects.toMatchObject({ code: 'LLM_UNREACHABLE' });
    server.route((info) => info.path === '/v1/models', [replay.stall({ beforeHeaders: true })]);
    await expect(
      listModels({ provider: 'openai-compatible', baseUrl: `${server.url}/v1` }, { timeoutMs: 200 }),
    ).rejects.toMatchObject({ code: 'LLM_TIMEOUT' });
    server.reset();
  });
});

describe('resolveLlmConfig', () => {
  it('uses explicit settings as given', () => {
    expect(
      resolveLlmConfig(
        {
          TANDEM_LLM_PROVIDER: 'anthropic',
          TANDEM_LLM_BASE_URL: 'https://proxy.example.com/v1/',
          TANDEM_LLM_API_KEY: 'sk-ant',
          TANDEM_LLM_MODEL: 'claude-sonnet-4-5',
        },
        ['llama3.2'],
        { timeoutMs: 5_000, maxRetries: 1 },
      ),
    ).toEqual({
      provider: 'anthropic',
      baseUrl: 'https://proxy.example.com/v1',
      apiKey: 'sk-ant',
      model: 'claude-sonnet-4-5',
      timeoutMs: 5_000,
      maxRetries: 1,
    });
  });

  it('fills in the official base URLs', () => {
    expect(
      resolveLlmConfig(
        { TANDEM_LLM_PROVIDER: 'anthropic', TANDEM_LLM_API_KEY: 'k', TANDEM_LLM_MODEL: 'claude-haiku-4-5' },
        [],
      ).baseUrl,
    ).toBe('https://api.anthropic.com/v1');
    expect(resolveLlmConfig({ TANDEM_LLM_API_KEY: 'k', TANDEM_LLM_MODEL: 'gpt-4o' }, []).baseUrl).toBe(
      'https://api.openai.com/v1',
    );
  });

  it('treats a bare model name as a local Ollama model', () => {
    expect(resolveLlmConfig({ TANDEM_LLM_MODEL: 'llama3.2', TANDEM_LLM_API_KEY: '  ' }, [])).toMatchObject({
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3.2',
    });
  });

  it('picks a detected Ollama model when nothing is set, preferring a coding model', () => {
    const config = resolveLlmConfig({}, ['nomic-embed-text:latest', 'llama3.2:latest', 'qwen2.5-coder:7b']);
    expect(config).toEqual({
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'qwen2.5-coder:7b',
      timeoutMs: 120_000,
      maxRetries: 2,
    });
    expect(resolveLlmConfig({}, ['nomic-embed-text', 'llama3.2']).model).toBe('llama3.2');
    expect(config.apiKey).toBeUndefined();
  });

  it('explains how to configure a model when there is none', () => {
    const error = thrown(() => resolveLlmConfig({ TANDEM_LLM_MODEL: '' }, ['nomic-embed-text']));
    expect(error.code).toBe('NO_MODEL');
    for (const name of [
      'TANDEM_LLM_MODEL',
      'TANDEM_LLM_PROVIDER',
      'TANDEM_LLM_BASE_URL',
      'TANDEM_LLM_API_KEY',
    ]) {
      expect(error.message).toContain(name);
    }
    expect(error.message).toContain('Ollama');
  });

  it('does not silently fall back to Ollama when a hosted setup is half done', () => {
    const error = thrown(() => resolveLlmConfig({ TANDEM_LLM_API_KEY: 'k' }, ['llama3.2']));
    expect(error.code).toBe('NO_MODEL');
    expect(error.message).toMatch(/^TANDEM_LLM_MODEL is not set/);
  });

  it('rejects invalid values and missing keys for hosted APIs', () => {
    expect(
      thrown(() => resolveLlmConfig({ TANDEM_LLM_PROVIDER: 'openai', TANDEM_LLM_MODEL: 'x' }, [])).code,
    ).toBe('BAD_INPUT');
    expect(
      thrown(() => resolveLlmConfig({ TANDEM_LLM_BASE_URL: 'ftp://x', TANDEM_LLM_MODEL: 'x' }, [])).code,
    ).toBe('BAD_INPUT');
    const missingKey = thrown(() =>
      resolveLlmConfig({ TANDEM_LLM_PROVIDER: 'anthropic', TANDEM_LLM_MODEL: 'x' }, []),
    );
    expect(missingKey.code).toBe('NO_MODEL');
    expect(missingKey.message).toContain('TANDEM_LLM_API_KEY');
  });
});
