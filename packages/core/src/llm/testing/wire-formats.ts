// Byte-level shapes of the two provider protocols, as the real APIs send them: OpenAI chat-completions
// chunks (`data: {...}` ... `data: [DONE]`), Anthropic messages events (`event: x` + `data: {...}`), and
// each API's JSON error bodies. The replay server only sequences these.

import type { ReplayErrorKind, ReplayUsage } from './replay-script.ts';

export type Dialect = 'openai' | 'anthropic';

export interface StreamEncoder {
  /** Frames sent right after the headers, before any content; `inputTokens` is the prompt size. */
  start(inputTokens: number): string;
  text(delta: string): string;
  finish(reason: 'stop' | 'length', usage: ReplayUsage): string;
  streamError(kind: 'overloaded' | 'server'): string;
  malformed(data: string | undefined): string;
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const sseHeaders: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

export function createEncoder(dialect: Dialect, model: string, includeUsage: boolean): StreamEncoder {
  return dialect === 'openai' ? openAiEncoder(model, includeUsage) : anthropicEncoder(model);
}

function openAiEncoder(model: string, includeUsage: boolean): StreamEncoder {
  const id = `chatcmpl-${randomId(24)}`;
  const created = Math.floor(Date.now() / 1000);
  // With `stream_options.include_usage` every chunk carries `usage: null` and one extra chunk with empty
  // `choices` carries the totals; without it the field is absent.
  const chunk = (choices: unknown[], usage?: unknown): string =>
    data({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_replay',
      choices,
      ...(includeUsage ? { usage: usage ?? null } : {}),
    });
  return {
    start: () =>
      chunk([
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ]),
    text: (delta) => chunk([{ index: 0, delta: { content: delta }, logprobs: null, finish_reason: null }]),
    finish: (reason, usage) => {
      let frames = chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: reason }]);
      if (includeUsage) {
        frames += chunk([], {
          prompt_tokens: usage.inputTokens,
          completion_tokens: usage.outputTokens,
          total_tokens: usage.inputTokens + usage.outputTokens,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: 0,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        });
      }
      return `${frames}data: [DONE]\n\n`;
    },
    streamError: (kind) =>
      data({
        error: {
          message:
            kind === 'overloaded'
              ? 'The engine is currently overloaded, please try again later.'
              : 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
      }),
    malformed: (raw) =>
      `data: ${raw ?? `{"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"tru`}\n\n`,
  };
}

function anthropicEncoder(model: string): StreamEncoder {
  let blockOpen = false;
  let reportedInputTokens = 0;
  const blockIndex = 0;
  const openBlock = (): string => {
    if (blockOpen) return '';
    blockOpen = true;
    return (
      event('content_block_start', {
        type: 'content_block_start',
        index: blockIndex,
        content_block: { type: 'text', text: '' },
      }) + event('ping', { type: 'ping' })
    );
  };
  return {
    start: (inputTokens) => {
      reportedInputTokens = inputTokens;
      return event('message_start', {
        type: 'message_start',
        message: {
          id: `msg_${randomId(24)}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // The real API reports input tokens here and output tokens in message_delta.
          usage: {
            input_tokens: inputTokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: 1,
            service_tier: 'standard',
          },
        },
      });
    },
    text: (delta) =>
      openBlock() +
      event('content_block_delta', {
        type: 'content_block_delta',
        index: blockIndex,
        delta: { type: 'text_delta', text: delta },
      }),
    finish: (reason, usage) => {
      const close = blockOpen
        ? event('content_block_stop', { type: 'content_block_stop', index: blockIndex })
        : '';
      blockOpen = false;
      return (
        close +
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: reason === 'stop' ? 'end_turn' : 'max_tokens', stop_sequence: null },
          // Input tokens are restated only when a script overrides the count announced in message_start.
          usage: {
            ...(usage.inputTokens === reportedInputTokens ? {} : { input_tokens: usage.inputTokens }),
            output_tokens: usage.outputTokens,
          },
        }) +
        event('message_stop', { type: 'message_stop' })
      );
    },
    streamError: (kind) =>
      event('error', {
        type: 'error',
        error:
          kind === 'overloaded'
            ? { type: 'overloaded_error', message: 'Overloaded' }
            : { type: 'api_error', message: 'Internal server error' },
      }),
    malformed: (raw) =>
      `event: content_block_delta\ndata: ${raw ?? `{"type":"content_block_delta","index":${blockIndex},"delta":{"type":"text_delta","text":"tru`}\n\n`,
  };
}

/** Default status per kind; Anthropic signals overload with its non-standard 529. */
export function defaultErrorStatus(dialect: Dialect, kind: ReplayErrorKind): number {
  switch (kind) {
    case 'auth':
      return 401;
    case 'rate-limit':
      return 429;
    case 'server':
      return 500;
    case 'overloaded':
      return dialect === 'anthropic' ? 529 : 503;
    case 'context-length':
      return 400;
  }
}

export function errorResponse(
  dialect: Dialect,
  step: {
    kind?: ReplayErrorKind;
    status?: number;
    body?: string | Record<string, unknown>;
    headers?: Record<string, string>;
  },
): ErrorResponse {
  const kind = step.kind ?? kindForStatus(step.status ?? 500);
  const status = step.status ?? defaultErrorStatus(dialect, kind);
  const body =
    step.body === undefined
      ? JSON.stringify(dialect === 'openai' ? openAiErrorBody(kind) : anthropicErrorBody(kind))
      : typeof step.body === 'string'
        ? step.body
        : JSON.stringify(step.body);
  const requestIdHeader = dialect === 'openai' ? 'x-request-id' : 'request-id';
  return {
    status,
    headers: {
      'content-type': 'application/json',
      [requestIdHeader]: `req_${randomId(20)}`,
      ...(dialect === 'anthropic' ? { 'x-should-retry': String(status === 429 || status >= 500) } : {}),
      ...step.headers,
    },
    body,
  };
}

function kindForStatus(status: number): ReplayErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate-limit';
  if (status === 529 || status === 503) return 'overloaded';
  if (status === 400 || status === 413) return 'context-length';
  return 'server';
}

function openAiErrorBody(kind: ReplayErrorKind): unknown {
  switch (kind) {
    case 'auth':
      return {
        error: {
          message:
            'Incorrect API key provided: sk-repla*****-key. You can find your API key at https://platform.openai.com/account/api-keys.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      };
    case 'rate-limit':
      return {
        error: {
          message:
            'Rate limit reached for gpt-4o in organization org-replay on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try again in 1.4s.',
          type: 'tokens',
          param: null,
          code: 'rate_limit_exceeded',
        },
      };
    case 'server':
      return {
        error: {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
      };
    case 'overloaded':
      return {
        error: {
          message: 'The engine is currently overloaded, please try again later.',
          type: 'server_error',
          param: null,
          code: null,
        },
      };
    case 'context-length':
      return {
        error: {
          message:
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      };
  }
}

function anthropicErrorBody(kind: ReplayErrorKind): unknown {
  const error = (type: string, message: string): unknown => ({
    type: 'error',
    error: { type, message },
    request_id: `req_${randomId(20)}`,
  });
  switch (kind) {
    case 'auth':
      return error('authentication_error', 'invalid x-api-key');
    case 'rate-limit':
      return error(
        'rate_limit_error',
        'This request would exceed the rate limit for your organization of 50,000 input tokens per minute.',
      );
    case 'server':
      return error('api_error', 'Internal server error');
    case 'overloaded':
      return error('overloaded_error', 'Overloaded');
    case 'context-length':
      return error('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum');
  }
}

function data(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

function event(name: string, value: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(value)}\n\n`;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomId(length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)] ?? 'x';
  return id;
}
