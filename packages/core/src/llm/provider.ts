// The one LLM interface the orchestrator sees, and its implementation over the Vercel AI SDK for
// OpenAI-compatible endpoints and Anthropic. Retries, stall detection and error typing live here rather than
// in the SDK so that they behave the same for both providers and can be tested against a real socket.

import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  streamText,
  type FinishReason,
  type LanguageModel,
  type LanguageModelUsage,
  type ModelMessage,
} from 'ai';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { createIdleWatchdog, type FetchFunction } from './idle-watchdog.ts';
import { classifyLlmError, truncatedStream, type LlmFailure } from './map-error.ts';
import { abortedError, defaultRetryPolicy, retryDelayMs, sleep, type RetryPolicy } from './retry.ts';

export type LlmProviderKind = 'openai-compatible' | 'anthropic';

export interface LlmConfig {
  provider: LlmProviderKind;
  /** API root including the version segment, e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /**
   * Longest silence tolerated from the provider: waiting for response headers, or between two body chunks.
   * A long answer that keeps streaming never times out; a stalled one fails with LLM_TIMEOUT. For an overall
   * deadline pass `AbortSignal.timeout(ms)` as the request signal.
   */
  timeoutMs: number;
  /** Extra attempts after the first, only while no text has been streamed to the caller. */
  maxRetries: number;
}

/** Validates a config from env or the admin console before a client is built from it. */
export const llmConfigSchema: z.ZodType<LlmConfig> = z.object({
  provider: z.enum(['openai-compatible', 'anthropic']),
  baseUrl: z.url({ protocol: /^https?$/ }),
  apiKey: z.string().optional(),
  model: z.string().min(1),
  timeoutMs: z.number().int().positive(),
  maxRetries: z.number().int().min(0).max(10),
});

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface LlmRequest {
  system: string;
  messages: readonly LlmMessage[];
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export type LlmFinishReason = 'stop' | 'length' | 'content-filter' | 'other';

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported no counts and these are a characters/4 estimate. */
  estimated: boolean;
}

export type LlmChunk =
  { type: 'text'; text: string } | { type: 'finish'; finishReason: LlmFinishReason; usage: LlmUsage };

export interface LlmClient {
  readonly provider: LlmProviderKind;
  readonly model: string;
  /**
   * Streams the model's answer as text deltas followed by exactly one `finish` chunk. Failures are thrown as
   * AppError (LLM_AUTH, LLM_RATE_LIMITED, LLM_TIMEOUT, LLM_CONTEXT_LENGTH, LLM_UNREACHABLE, LLM_ERROR, or
   * CANCELLED when `signal` aborts). Stopping iteration early aborts the HTTP request.
   */
  stream(request: LlmRequest): AsyncIterable<LlmChunk>;
}

export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  error: AppError;
}

export interface LlmClientOptions {
  fetch?: FetchFunction;
  retryPolicy?: Partial<RetryPolicy>;
  /** Called before each backoff wait; for logs and metrics. */
  onRetry?: (event: RetryEvent) => void;
  /** Jitter source, replaceable for deterministic tests. */
  random?: () => number;
}

export function createLlmClient(input: LlmConfig, options: LlmClientOptions = {}): LlmClient {
  const parsed = llmConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError('BAD_INPUT', `Invalid LLM configuration: ${z.prettifyError(parsed.error)}`, {
      details: {
        issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      },
    });
  }
  const config = parsed.data;
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retryPolicy };
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const random = options.random ?? Math.random;
  return {
    provider: config.provider,
    model: config.model,
    stream: (request) =>
      streamWithRetries(config, request, { policy, fetchImpl, random, onRetry: options.onRetry }),
  };
}

interface StreamContext {
  policy: RetryPolicy;
  fetchImpl: FetchFunction;
  random: () => number;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

class AttemptFailed extends Error {
  constructor(readonly failure: LlmFailure) {
    super(failure.error.message);
  }
}

async function* streamWithRetries(
  config: LlmConfig,
  request: LlmRequest,
  context: StreamContext,
): AsyncGenerator<LlmChunk, void, undefined> {
  for (let attempt = 0; ; attempt++) {
    if (request.signal?.aborted) throw abortedError(request.signal);
    let streamedText = false;
    try {
      for await (const chunk of streamAttempt(config, request, context.fetchImpl)) {
        if (chunk.type === 'text') streamedText = true;
        yield chunk;
      }
      return;
    } catch (error) {
      const failure = error instanceof AttemptFailed ? error.failure : classifyLlmError(error);
      // Once the caller has seen text, a retry would make it see that text twice.
      if (streamedText || !failure.retryable || attempt >= config.maxRetries) throw failure.error;
      const delayMs = retryDelayMs(attempt, failure.retryAfterMs, context.policy, context.random);
      if (delayMs === undefined) throw failure.error;
      context.onRetry?.({ retry: attempt + 1, delayMs, error: failure.error });
      await sleep(delayMs, request.signal);
    }
  }
}

type StopCause = 'caller' | 'idle';

async function* streamAttempt(
  config: LlmConfig,
  request: LlmRequest,
  fetchImpl: FetchFunction,
): AsyncGenerator<LlmChunk, void, undefined> {
  const controller = new AbortController();
  let stopCause: StopCause | undefined;
  const stop = (cause: StopCause): void => {
    stopCause ??= cause;
    controller.abort(
      cause === 'idle'
        ? new DOMException(`No data from the model provider for ${config.timeoutMs} ms`, 'TimeoutError')
        : new DOMException('The model call was cancelled', 'AbortError'),
    );
  };
  const onCallerAbort = (): void => stop('caller');
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const watchdog = createIdleWatchdog(config.timeoutMs, () => stop('idle'));
  let completed = false;

  const failureFor = (error: unknown): AttemptFailed => {
    if (stopCause === 'caller') {
      return new AttemptFailed({ error: abortedError(request.signal), retryable: false });
    }
    if (stopCause === 'idle') {
      return new AttemptFailed({
        error: new AppError('LLM_TIMEOUT', `The model provider sent nothing for ${config.timeoutMs} ms.`, {
          details: { timeoutMs: config.timeoutMs },
        }),
        retryable: false,
      });
    }
    return new AttemptFailed(classifyLlmError(error));
  };

  try {
    if (request.signal?.aborted) stop('caller');
    watchdog.arm();
    const result = streamText({
      model: buildModel(config, watchdog.wrapFetch(fetchImpl)),
      system: request.system,
      messages: request.messages.map((message): ModelMessage => ({
        role: message.role,
        content: message.content,
      })),
      maxOutputTokens: request.maxOutputTokens,
      temperature: request.temperature,
      abortSignal: controller.signal,
      // Retries are ours: the SDK's wait is fixed at 2 s doubling, without jitter, and can't tell whether
      // text already reached the caller.
      maxRetries: 0,
      // Errors arrive as stream parts and are rethrown typed below; the SDK's default logs them to stderr.
      onError: () => undefined,
    });

    let outputChars = 0;
    let finish: { reason: FinishReason; raw: string | undefined; usage: LanguageModelUsage } | undefined;
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') {
        if (part.text === '') continue;
        outputChars += part.text.length;
        // The consumer may take its time with a chunk; that silence is not the provider's.
        watchdog.pause();
        yield { type: 'text', text: part.text };
        watchdog.arm();
      } else if (part.type === 'error') {
        throw failureFor(part.error);
      } else if (part.type === 'abort') {
        throw failureFor(undefined);
      } else if (part.type === 'finish') {
        finish = { reason: part.finishReason, raw: part.rawFinishReason, usage: part.totalUsage };
      }
    }
    if (stopCause !== undefined) throw failureFor(undefined);
    // Without a finish reason the answer may be cut short (a proxy closed the stream cleanly mid-answer);
    // handing a truncated edit to the parser as if complete would be worse than failing.
    if (finish?.raw === undefined) {
      throw new AttemptFailed(truncatedStream());
    }
    completed = true;
    yield {
      type: 'finish',
      finishReason: toLlmFinishReason(finish.reason),
      usage: toLlmUsage(finish.usage, request, outputChars),
    };
  } finally {
    watchdog.dispose();
    request.signal?.removeEventListener('abort', onCallerAbort);
    // Covers errors and a caller that stopped iterating early: either way the HTTP request must go.
    if (!completed && !controller.signal.aborted) controller.abort();
  }
}

function buildModel(config: LlmConfig, fetchImpl: FetchFunction): LanguageModel {
  if (config.provider === 'anthropic') {
    // Always pass a key: without one the SDK falls back to reading ANTHROPIC_API_KEY from process.env.
    return createAnthropic({ baseURL: config.baseUrl, apiKey: config.apiKey ?? '', fetch: fetchImpl })(
      config.model,
    );
  }
  return createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: config.baseUrl,
    ...(config.apiKey === undefined || config.apiKey === '' ? {} : { apiKey: config.apiKey }),
    includeUsage: true,
    fetch: fetchImpl,
  }).chatModel(config.model);
}

function toLlmFinishReason(reason: FinishReason): LlmFinishReason {
  return reason === 'stop' || reason === 'length' || reason === 'content-filter' ? reason : 'other';
}

function toLlmUsage(usage: LanguageModelUsage, request: LlmRequest, outputChars: number): LlmUsage {
  if (usage.inputTokens !== undefined && usage.outputTokens !== undefined) {
    return { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, estimated: false };
  }
  const inputChars = request.messages.reduce(
    (sum, message) => sum + message.content.length,
    request.system.length,
  );
  return {
    inputTokens: usage.inputTokens ?? Math.ceil(inputChars / 4),
    outputTokens: usage.outputTokens ?? Math.ceil(outputChars / 4),
    estimated: true,
  };
}
