// The vocabulary of a replay "recording": what the fake provider does, step by step, in answer to one
// request. Steps are provider-neutral; the server renders them in the wire format of the endpoint hit.

export type ReplayErrorKind = 'auth' | 'rate-limit' | 'server' | 'overloaded' | 'context-length';

export interface ReplayUsage {
  inputTokens: number;
  outputTokens: number;
}

export type ReplayStep =
  /** Text deltas; `chunks` splits the text into that many deltas, `intervalMs` waits between them. */
  | { type: 'text'; text: string; chunks?: number; intervalMs?: number }
  /** Waits; before any stream step this delays the response headers. */
  | { type: 'delay'; ms: number }
  /** An SSE event whose JSON is cut off; `data` replaces the default payload. */
  | { type: 'malformed'; data?: string }
  /**
   * The provider's own in-stream error event (OpenAI `{error}` chunk, Anthropic `event: error`), after which
   * the stream ends. As the first stream step it is sent right after the headers, as providers do on overload.
   */
  | { type: 'stream-error'; kind: 'overloaded' | 'server' }
  /** Destroys the socket without finishing the chunked response. */
  | { type: 'disconnect' }
  /** Sends nothing more until the client gives up; `beforeHeaders` withholds even the status line. */
  | { type: 'stall'; beforeHeaders?: boolean }
  /** Ends the response cleanly without the provider's finish events. */
  | { type: 'close' }
  /** The provider's finish events; added automatically when a script ends without one. */
  | { type: 'finish'; finishReason?: 'stop' | 'length'; usage?: ReplayUsage }
  /**
   * A non-2xx response in the provider's real error shape. `kind` picks a realistic body and default status;
   * `status`, `body` and `headers` override. Only `delay` steps may come before it.
   */
  | {
      type: 'http-error';
      kind?: ReplayErrorKind;
      status?: number;
      body?: string | Record<string, unknown>;
      headers?: Record<string, string>;
    };

export type ReplayScript = readonly ReplayStep[];

/**
 * One search/replace edit as a model writes it (the path, then a fenced block); `search` and `replace` are whole
 * lines without their final newline. For scripting answers that change files.
 */
export function searchReplaceBlock(path: string, search: string, replace: string): string {
  const fence = '```';
  return `${path}\n${fence}ts\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n${fence}\n`;
}

/** Step builders, so tests read like the recording they describe. */
export const replay = {
  text: (text: string, options: { chunks?: number; intervalMs?: number } = {}): ReplayStep => ({
    type: 'text',
    text,
    ...options,
  }),
  delay: (ms: number): ReplayStep => ({ type: 'delay', ms }),
  malformed: (data?: string): ReplayStep =>
    data === undefined ? { type: 'malformed' } : { type: 'malformed', data },
  streamError: (kind: 'overloaded' | 'server' = 'overloaded'): ReplayStep => ({ type: 'stream-error', kind }),
  disconnect: (): ReplayStep => ({ type: 'disconnect' }),
  stall: (options: { beforeHeaders?: boolean } = {}): ReplayStep => ({ type: 'stall', ...options }),
  close: (): ReplayStep => ({ type: 'close' }),
  finish: (options: { finishReason?: 'stop' | 'length'; usage?: ReplayUsage } = {}): ReplayStep => ({
    type: 'finish',
    ...options,
  }),
  unauthorized: (): ReplayStep => ({ type: 'http-error', kind: 'auth' }),
  /** `retryAfterSeconds` may be fractional ("0.2"), which both SDK parsers and ours accept. */
  rateLimited: (retryAfterSeconds?: number): ReplayStep => ({
    type: 'http-error',
    kind: 'rate-limit',
    ...(retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
  }),
  serverError: (status = 500): ReplayStep => ({ type: 'http-error', kind: 'server', status }),
  overloaded: (): ReplayStep => ({ type: 'http-error', kind: 'overloaded' }),
  contextLengthExceeded: (): ReplayStep => ({ type: 'http-error', kind: 'context-length' }),
  httpError: (
    status: number,
    body?: string | Record<string, unknown>,
    headers?: Record<string, string>,
  ): ReplayStep => ({
    type: 'http-error',
    status,
    ...(body === undefined ? {} : { body }),
    ...(headers === undefined ? {} : { headers }),
  }),
};

/** Rejects scripts the server could not play faithfully, at enqueue time rather than mid-test. */
export function validateScript(script: ReplayScript): void {
  script.forEach((step, index) => {
    if (step.type === 'http-error') {
      const before = script.slice(0, index);
      if (before.some((earlier) => earlier.type !== 'delay')) {
        throw new Error(`replay script step ${index}: http-error may only follow delay steps`);
      }
      if (index !== script.length - 1)
        throw new Error(`replay script step ${index}: http-error must be the last step`);
      if (step.kind === undefined && step.status === undefined) {
        throw new Error(`replay script step ${index}: http-error needs a kind or a status`);
      }
    }
    if (
      step.type === 'text' &&
      step.chunks !== undefined &&
      (!Number.isInteger(step.chunks) || step.chunks < 1)
    ) {
      throw new Error(`replay script step ${index}: chunks must be a positive integer`);
    }
  });
}

/** Splits text into `parts` deltas of near-equal length without cutting a surrogate pair. */
export function splitText(text: string, parts: number): string[] {
  const codePoints = Array.from(text);
  const size = Math.max(1, Math.ceil(codePoints.length / parts));
  const deltas: string[] = [];
  for (let start = 0; start < codePoints.length; start += size) {
    deltas.push(codePoints.slice(start, start + size).join(''));
  }
  return deltas;
}
