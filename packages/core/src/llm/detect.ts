// Finding a model to talk to: Ollama auto-detection, listing an endpoint's models, and turning the
// TANDEM_LLM_* settings into an LlmConfig or a NO_MODEL error that tells the admin what to set.

import { APICallError } from 'ai';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { FetchFunction } from './idle-watchdog.ts';
import { classifyLlmError } from './map-error.ts';
import type { LlmConfig, LlmProviderKind } from './provider.ts';
import { abortedError } from './retry.ts';

export const defaultOllamaBaseUrl = 'http://127.0.0.1:11434';
export const defaultLlmTimeoutMs = 120_000;
export const defaultLlmMaxRetries = 2;

const anthropicApiVersion = '2023-06-01';
const providerKinds: readonly LlmProviderKind[] = ['openai-compatible', 'anthropic'];

const ollamaTagsSchema = z.object({ models: z.array(z.object({ name: z.string() })) });

/**
 * Model names of a local Ollama, or [] when none answers. Never throws: a missing Ollama is the normal case
 * on most machines, and startup must not wait long for it.
 */
export async function detectOllama(
  baseUrl: string = defaultOllamaBaseUrl,
  fetchImpl: FetchFunction = globalThis.fetch,
  timeoutMs = 1_500,
): Promise<string[]> {
  try {
    const response = await fetchImpl(`${withoutTrailingSlash(baseUrl)}/api/tags`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return [];
    }
    const parsed = ollamaTagsSchema.safeParse(await response.json());
    return parsed.success ? parsed.data.models.map((model) => model.name) : [];
  } catch {
    return [];
  }
}

const openAiModelsSchema = z.object({ data: z.array(z.object({ id: z.string() })) });
const anthropicModelsSchema = z.object({
  data: z.array(z.object({ id: z.string() })),
  has_more: z.boolean().optional(),
  last_id: z.string().nullish(),
});

export interface ListModelsOptions {
  fetch?: FetchFunction;
  signal?: AbortSignal;
  /** Default 10 s. */
  timeoutMs?: number;
}

/**
 * Model ids offered by an endpoint (`GET {baseUrl}/models`), for the admin console's model picker.
 * Failures are typed like streaming failures (LLM_AUTH, LLM_UNREACHABLE, LLM_TIMEOUT, LLM_ERROR).
 */
export async function listModels(
  config: Pick<LlmConfig, 'provider' | 'baseUrl' | 'apiKey'>,
  options: ListModelsOptions = {},
): Promise<string[]> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  const headers: Record<string, string> =
    config.provider === 'anthropic'
      ? { 'x-api-key': config.apiKey ?? '', 'anthropic-version': anthropicApiVersion }
      : config.apiKey === undefined || config.apiKey === ''
        ? {}
        : { authorization: `Bearer ${config.apiKey}` };
  const base = `${withoutTrailingSlash(config.baseUrl)}/models`;

  const ids: string[] = [];
  let afterId: string | undefined;
  // Anthropic pages its list; OpenAI-compatible servers return everything at once.
  for (let page = 0; page < 50; page++) {
    const url =
      config.provider === 'anthropic'
        ? `${base}?limit=1000${afterId === undefined ? '' : `&after_id=${encodeURIComponent(afterId)}`}`
        : base;
    const body = await getJson(fetchImpl, url, headers, signal, options.signal);
    if (config.provider !== 'anthropic') {
      const parsed = openAiModelsSchema.safeParse(body);
      if (!parsed.success) throw malformedList(url);
      return parsed.data.data.map((model) => model.id);
    }
    const parsed = anthropicModelsSchema.safeParse(body);
    if (!parsed.success) throw malformedList(url);
    ids.push(...parsed.data.data.map((model) => model.id));
    if (parsed.data.has_more !== true || parsed.data.last_id == null) break;
    afterId = parsed.data.last_id;
  }
  return ids;
}

async function getJson(
  fetchImpl: FetchFunction,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): Promise<unknown> {
  try {
    const response = await fetchImpl(url, { headers, signal });
    const text = await response.text();
    if (!response.ok) {
      // Reuse the streaming classification so status codes mean the same thing everywhere.
      throw new APICallError({
        message: `GET ${url} failed with HTTP ${response.status}`,
        url,
        requestBodyValues: undefined,
        statusCode: response.status,
        responseHeaders: Object.fromEntries(response.headers),
        responseBody: text,
        data: parseJson(text),
      });
    }
    const body = parseJson(text);
    if (body === undefined) throw malformedList(url);
    return body;
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (callerSignal?.aborted === true) throw abortedError(callerSignal);
    if (signal.aborted) {
      throw new AppError('LLM_TIMEOUT', 'Listing models took too long.', { cause: error });
    }
    throw classifyLlmError(error).error;
  }
}

function malformedList(url: string): AppError {
  return new AppError('LLM_ERROR', 'The endpoint did not return a model list.', { details: { url } });
}

/** The TANDEM_LLM_* settings, as read by the app's env module; empty strings count as unset. */
export interface LlmEnv {
  TANDEM_LLM_PROVIDER?: string | undefined;
  TANDEM_LLM_BASE_URL?: string | undefined;
  TANDEM_LLM_API_KEY?: string | undefined;
  TANDEM_LLM_MODEL?: string | undefined;
}

export interface ResolveLlmConfigOptions {
  ollamaBaseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

const noModelHelp = [
  'No language model is configured.',
  'To use a hosted API, set TANDEM_LLM_MODEL (for example gpt-4o-mini or claude-sonnet-4-5),',
  'TANDEM_LLM_API_KEY, and TANDEM_LLM_PROVIDER=anthropic for Anthropic (the default is openai-compatible).',
  'For any other OpenAI-compatible server (vLLM, LM Studio, OpenRouter …) also set TANDEM_LLM_BASE_URL,',
  'e.g. http://localhost:8000/v1.',
  'Or run Ollama on 127.0.0.1:11434 with a model pulled (ollama pull qwen2.5-coder) and leave these unset:',
  'Tandem picks it up automatically.',
].join(' ');

/**
 * Decides which model Tandem talks to. Explicit settings win; with none at all, a detected Ollama model is
 * used (a coding model when one is installed). `detectedOllamaModels` is the result of `detectOllama()`.
 */
export function resolveLlmConfig(
  env: LlmEnv,
  detectedOllamaModels: readonly string[],
  options: ResolveLlmConfigOptions = {},
): LlmConfig {
  const providerSetting = setting(env.TANDEM_LLM_PROVIDER);
  const baseUrlSetting = setting(env.TANDEM_LLM_BASE_URL);
  const apiKey = setting(env.TANDEM_LLM_API_KEY);
  const model = setting(env.TANDEM_LLM_MODEL);
  const ollamaBaseUrl = withoutTrailingSlash(options.ollamaBaseUrl ?? defaultOllamaBaseUrl);
  const common = {
    timeoutMs: options.timeoutMs ?? defaultLlmTimeoutMs,
    maxRetries: options.maxRetries ?? defaultLlmMaxRetries,
  };

  if (providerSetting !== undefined && !isProviderKind(providerSetting)) {
    throw new AppError(
      'BAD_INPUT',
      `TANDEM_LLM_PROVIDER must be "openai-compatible" or "anthropic", not "${providerSetting}".`,
      { details: { setting: 'TANDEM_LLM_PROVIDER' } },
    );
  }
  const provider: LlmProviderKind = providerSetting ?? 'openai-compatible';

  if (model === undefined) {
    const configuredSomething =
      providerSetting !== undefined || baseUrlSetting !== undefined || apiKey !== undefined;
    const chosen = configuredSomething ? undefined : pickOllamaModel(detectedOllamaModels);
    if (chosen === undefined) {
      throw new AppError(
        'NO_MODEL',
        configuredSomething ? `TANDEM_LLM_MODEL is not set. ${noModelHelp}` : noModelHelp,
        { details: { detectedOllamaModels: [...detectedOllamaModels] } },
      );
    }
    return { provider: 'openai-compatible', baseUrl: `${ollamaBaseUrl}/v1`, model: chosen, ...common };
  }

  const baseUrl = withoutTrailingSlash(
    baseUrlSetting ??
      (provider === 'anthropic'
        ? 'https://api.anthropic.com/v1'
        : // A bare model name with no key most likely means a local Ollama model.
          apiKey === undefined
          ? `${ollamaBaseUrl}/v1`
          : 'https://api.openai.com/v1'),
  );
  if (!isHttpUrl(baseUrl)) {
    throw new AppError('BAD_INPUT', `TANDEM_LLM_BASE_URL must be an http(s) URL, not "${baseUrl}".`, {
      details: { setting: 'TANDEM_LLM_BASE_URL' },
    });
  }
  if (apiKey === undefined && requiresApiKey(baseUrl)) {
    throw new AppError(
      'NO_MODEL',
      `TANDEM_LLM_API_KEY is required for ${new URL(baseUrl).host}. ${noModelHelp}`,
      {
        details: { setting: 'TANDEM_LLM_API_KEY' },
      },
    );
  }
  return { provider, baseUrl, model, ...(apiKey === undefined ? {} : { apiKey }), ...common };
}

function pickOllamaModel(models: readonly string[]): string | undefined {
  // Embedding models are listed by /api/tags too but cannot chat.
  const chatModels = models.filter((name) => !/embed/i.test(name));
  return chatModels.find((name) => /coder|code/i.test(name)) ?? chatModels[0];
}

function requiresApiKey(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return host === 'api.openai.com' || host === 'api.anthropic.com' || host === 'openrouter.ai';
}

function isProviderKind(value: string): value is LlmProviderKind {
  return (providerKinds as readonly string[]).includes(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function setting(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
