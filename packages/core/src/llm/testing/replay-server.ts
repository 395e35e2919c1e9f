// A real loopback HTTP server that plays scripted provider responses, so tests and benchmarks exercise the
// production client path (AI SDK, fetch, sockets) unchanged. It speaks OpenAI chat-completions SSE, Anthropic
// messages SSE, `GET /v1/models` and Ollama's `GET /api/tags`, and records every request it receives.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { splitText, validateScript, type ReplayScript, type ReplayStep } from './replay-script.ts';
import {
  createEncoder,
  errorResponse,
  sseHeaders,
  type Dialect,
  type StreamEncoder,
} from './wire-formats.ts';

export interface ReplayRequestInfo {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
}

export interface ReplayRequest extends ReplayRequestInfo {
  rawBody: string;
  receivedAt: number;
  /** True once the client closed the connection before the response was complete. */
  clientAborted: boolean;
  /** Resolves when the exchange is over: response finished, connection dropped by either side. */
  closed: Promise<void>;
}

/** The text of each chat message a request carried (OpenAI-compatible and Anthropic bodies), for assertions. */
export function messagesOf(request: ReplayRequestInfo | undefined): { role: string; text: string }[] {
  const body = request?.body as { messages?: { role: string; content: unknown }[] } | undefined;
  return (body?.messages ?? []).map((m) => ({
    role: m.role,
    text:
      typeof m.content === 'string'
        ? m.content
        : (m.content as { text?: string }[]).map((part) => part.text ?? '').join(''),
  }));
}

export type ReplayMatcher = (request: ReplayRequestInfo) => boolean;

export interface ReplayServerOptions {
  /** Model ids listed by `GET /v1/models`. */
  models?: readonly string[];
  /** Model names listed by Ollama's `GET /api/tags`. */
  ollamaModels?: readonly string[];
}

export interface ReplayServer {
  /** `http://127.0.0.1:<port>`; provider base URLs are `${url}/v1`. */
  readonly url: string;
  readonly requests: readonly ReplayRequest[];
  /** Queues a script for the next chat/messages request that no route matches. */
  enqueue(script: ReplayScript): void;
  /** Answers every request the matcher accepts with `script`, before the queue is consulted. */
  route(matcher: ReplayMatcher, script: ReplayScript): void;
  setModels(ids: readonly string[]): void;
  setOllamaModels(names: readonly string[]): void;
  /** Scripts enqueued but not yet played. */
  pendingScripts(): number;
  /** Forgets queued scripts, routes and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

export async function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  const queue: ReplayScript[] = [];
  let routes: { matcher: ReplayMatcher; script: ReplayScript }[] = [];
  const requests: ReplayRequest[] = [];
  let models = [...(options.models ?? ['replay-model'])];
  let ollamaModels = [...(options.ollamaModels ?? [])];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      // A bug in a test's script must be loud, not a silent hang.
      console.error('replay server failed', error);
      res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const record = recordRequest(req, res, path, rawBody);
    requests.push(record);

    const routed = routes.find((route) => route.matcher(record));
    const dialect = dialectOf(req.method, path, record.headers);
    if (routed !== undefined) {
      await play(routed.script, dialect ?? 'openai', record, res);
      return;
    }
    if (req.method === 'GET' && path.endsWith('/models')) {
      sendJson(res, 200, modelsBody(record.headers, models));
      return;
    }
    if (req.method === 'GET' && path === '/api/tags') {
      sendJson(res, 200, ollamaTagsBody(ollamaModels));
      return;
    }
    if (dialect === undefined) {
      sendJson(res, 404, {
        error: { message: `replay server: no such endpoint ${req.method ?? ''} ${path}` },
      });
      return;
    }
    const problem = requestProblem(dialect, record.body);
    if (problem !== undefined) {
      sendJson(res, 400, { error: { message: `replay server: ${problem}`, type: 'invalid_request_error' } });
      return;
    }
    const script = queue.shift();
    if (script === undefined) {
      // 400, not 5xx, so a missing script fails the test at once instead of being retried.
      sendJson(res, 400, {
        error: { message: `replay server: no script queued for ${path}`, type: 'replay_error' },
      });
      return;
    }
    await play(script, dialect, record, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (script) => {
      validateScript(script);
      queue.push(script);
    },
    route: (matcher, script) => {
      validateScript(script);
      routes.push({ matcher, script });
    },
    setModels: (ids) => {
      models = [...ids];
    },
    setOllamaModels: (names) => {
      ollamaModels = [...names];
    },
    pendingScripts: () => queue.length,
    reset: () => {
      queue.length = 0;
      routes = [];
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Stalled exchanges never end by themselves; cut them so close() cannot hang a test run.
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

function recordRequest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  rawBody: string,
): ReplayRequest {
  let markClosed: () => void = () => undefined;
  const record: ReplayRequest = {
    method: req.method ?? 'GET',
    path,
    headers: req.headers,
    body: parseJson(rawBody),
    rawBody,
    receivedAt: Date.now(),
    clientAborted: false,
    closed: new Promise<void>((resolve) => {
      markClosed = resolve;
    }),
  };
  res.once('close', () => {
    if (!res.writableFinished && !serverDropped.has(res)) record.clientAborted = true;
    markClosed();
  });
  return record;
}

// Responses the script itself cut off, so their close is not mistaken for a client abort.
const serverDropped = new WeakSet<ServerResponse>();

function dialectOf(
  method: string | undefined,
  path: string,
  headers: IncomingHttpHeaders,
): Dialect | undefined {
  if (method === 'POST' && path.endsWith('/chat/completions')) return 'openai';
  if (method === 'POST' && path.endsWith('/messages')) return 'anthropic';
  if (path.endsWith('/models')) return isAnthropicClient(headers) ? 'anthropic' : 'openai';
  return undefined;
}

function isAnthropicClient(headers: IncomingHttpHeaders): boolean {
  return headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined;
}

// Just enough validation to catch a client that stopped sending what the real APIs require.
function requestProblem(dialect: Dialect, body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'request body must be a JSON object';
  const fields = body as Record<string, unknown>;
  if (typeof fields.model !== 'string') return '`model` is required';
  if (!Array.isArray(fields.messages)) return '`messages` must be an array';
  if (fields.stream !== true) return 'only streaming requests are replayed';
  if (dialect === 'anthropic' && typeof fields.max_tokens !== 'number') return '`max_tokens` is required';
  return undefined;
}

interface Exchange {
  res: ServerResponse;
  encoder: StreamEncoder;
  dialect: Dialect;
  inputTokens: number;
  started: boolean;
  finished: boolean;
  deltas: number;
}

async function play(
  script: ReplayScript,
  dialect: Dialect,
  record: ReplayRequest,
  res: ServerResponse,
): Promise<void> {
  const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<
    string,
    unknown
  >;
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  const exchange: Exchange = {
    res,
    encoder: createEncoder(
      dialect,
      typeof body.model === 'string' ? body.model : 'replay-model',
      streamOptions?.include_usage === true,
    ),
    dialect,
    inputTokens: estimateInputTokens(body),
    started: false,
    finished: false,
    deltas: 0,
  };
  const isOpen = (): boolean => !res.destroyed && !res.writableEnded;

  for (const step of script) {
    if (!isOpen()) return;
    const done = await playStep(step, exchange, record);
    if (done) return;
  }
  if (!isOpen()) return;
  if (!exchange.started) startStream(exchange);
  if (!exchange.finished) writeFinish(exchange, {});
  res.end();
}

/** Plays one step; true when the exchange is over (or must be left hanging). */
async function playStep(step: ReplayStep, exchange: Exchange, record: ReplayRequest): Promise<boolean> {
  const { res } = exchange;
  switch (step.type) {
    case 'delay':
      await wait(step.ms, record);
      return false;
    case 'http-error': {
      const response = errorResponse(exchange.dialect, step);
      res.writeHead(response.status, response.headers);
      res.end(response.body);
      return true;
    }
    case 'stall':
      if (step.beforeHeaders !== true && !exchange.started) startStream(exchange);
      await record.closed;
      return true;
    case 'disconnect':
      if (!exchange.started) startStream(exchange);
      // Let the bytes already written reach the client before the socket goes, like a real mid-stream drop.
      await wait(10, record);
      serverDropped.add(res);
      res.socket?.destroy();
      return true;
    case 'close':
      if (!exchange.started) startStream(exchange);
      res.end();
      return true;
    case 'text': {
      if (!exchange.started) startStream(exchange);
      const deltas = splitText(step.text, step.chunks ?? 1);
      for (const [index, delta] of deltas.entries()) {
        if (index > 0 && step.intervalMs !== undefined) await wait(step.intervalMs, record);
        if (res.destroyed) return true;
        res.write(exchange.encoder.text(delta));
        exchange.deltas++;
      }
      return false;
    }
    case 'malformed':
      if (!exchange.started) startStream(exchange);
      res.write(exchange.encoder.malformed(step.data));
      return false;
    case 'stream-error':
      // A provider that fails before generating sends the error as the very first event (Anthropic's
      // overload case), without the usual message_start / role chunk.
      if (!exchange.started) startStream(exchange, false);
      res.end(exchange.encoder.streamError(step.kind));
      return true;
    case 'finish':
      if (!exchange.started) startStream(exchange);
      writeFinish(exchange, step);
      return false;
  }
}

function startStream(exchange: Exchange, preamble = true): void {
  exchange.started = true;
  exchange.res.writeHead(200, {
    ...sseHeaders,
    [exchange.dialect === 'openai' ? 'x-request-id' : 'request-id']: `req_replay_${Date.now()}`,
  });
  exchange.res.flushHeaders();
  if (preamble) exchange.res.write(exchange.encoder.start(exchange.inputTokens));
}

function writeFinish(
  exchange: Exchange,
  step: { finishReason?: 'stop' | 'length'; usage?: { inputTokens: number; outputTokens: number } },
): void {
  exchange.finished = true;
  exchange.res.write(
    exchange.encoder.finish(
      step.finishReason ?? 'stop',
      step.usage ?? { inputTokens: exchange.inputTokens, outputTokens: exchange.deltas },
    ),
  );
}

function wait(ms: number, record: ReplayRequest): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void record.closed.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function estimateInputTokens(body: Record<string, unknown>): number {
  const text = JSON.stringify([body.system ?? '', body.messages ?? []]);
  return Math.max(1, Math.ceil(text.length / 4));
}

function modelsBody(headers: IncomingHttpHeaders, ids: readonly string[]): unknown {
  if (isAnthropicClient(headers)) {
    const data = ids.map((id) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: '2025-01-01T00:00:00Z',
    }));
    return { data, has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null };
  }
  return {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'replay' })),
  };
}

function ollamaTagsBody(names: readonly string[]): unknown {
  return {
    models: names.map((name) => ({
      name,
      model: name,
      modified_at: '2025-01-01T00:00:00.000000000Z',
      size: 2_019_393_189,
      digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '3.2B',
        quantization_level: 'Q4_K_M',
      },
    })),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
