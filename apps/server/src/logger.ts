// The one logger every part of the server writes through, with secrets taken out before a line is written:
// session cookies, authorization headers, API keys, passwords, invite tokens (in paths, query strings and error
// messages) and private keys. Child loggers (pino-http's per-request ones included) inherit the redaction.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './env.ts';

const REDACTED = '[Redacted]';

// Field names whose values are secrets wherever they appear.
const secretKeys = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'apiKey',
  'api_key',
  'secret',
  'privateKey',
  'authorization',
  'cookie',
];
const secretKey =
  /^(?:.*password|token|api[-_]?key|x-api-key|secret|private[-_]?key|authorization|proxy-authorization|cookie|set-cookie)$/i;
const secretParam = '(?:[a-z_]*password|token|api[-_]?key|secret|tandem_session)';

// Paths are matched by pino after serializers ran: `req`/`res` are the serialized request and response.
const redactPaths = [
  ...secretKeys.flatMap((key) => [key, `*.${key}`]),
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  // The invite page's own requests would carry its URL as Referer if a browser ignored Referrer-Policy.
  'req.headers.referer',
  'url',
  '*.url',
  'req.query',
  'err.message',
  'err.stack',
];

const textRules: [RegExp, string][] = [
  // A private key block (a git deploy key, a TLS key), whole or cut off at the end of the text.
  [
    /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    `-----BEGIN $1PRIVATE KEY----- ${REDACTED}`,
  ],
  // Invite links carry their token in the path.
  [/(\/invite\/)[^/?#\s"'&]+/g, `$1${REDACTED}`],
  // key=value in query strings, form bodies and cookie headers.
  [new RegExp(`(\\b${secretParam}=)[^&;#\\s"']*`, 'gi'), `$1${REDACTED}`],
  // "key": "value" in JSON text (tRPC inputs, error messages that quote a body).
  [new RegExp(`("${secretParam}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1"${REDACTED}"`],
  // Drizzle puts a failed query's parameters (which may be a session id or a hash) into the error message.
  [/(\n\s*params: ).*/g, `$1${REDACTED}`],
];

/** Takes secrets out of free text: messages, URLs, error messages and stacks. */
export function scrubText(text: string): string {
  return textRules.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** A URL with invite tokens and secret query parameters (also inside a tRPC `input` JSON) replaced. */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return scrubText(url);
  // URLSearchParams never throws, even on malformed percent-encoding, so any URL a client sends can be logged.
  const params = new URLSearchParams(url.slice(q + 1));
  const scrubbed = new URLSearchParams();
  for (const [key, value] of params) scrubbed.append(key, secretKey.test(key) ? REDACTED : scrubText(value));
  return `${scrubText(url.slice(0, q))}?${scrubbed.toString()}`;
}

const isPlain = (value: object) => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * Secret keys and secret text at any depth of plain data. Class instances (requests, responses, errors) are left
 * to their serializers, whose output the redact paths cover.
 */
function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  if (!isPlain(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      secretKey.test(key) ? REDACTED : scrubValue(item, depth + 1),
    ]),
  );
}

function censor(value: unknown, path: string[]): unknown {
  const key = path.at(-1);
  if (key === 'url' || key === 'referer' || key === 'message' || key === 'stack') {
    if (typeof value !== 'string') return value;
    return key === 'message' || key === 'stack' ? scrubText(value) : scrubUrl(value);
  }
  if (key === 'query') return scrubValue(value);
  return REDACTED;
}

export function createLogger(
  config: Pick<Config, 'env' | 'logLevel'>,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: redactPaths, censor },
    formatters: {
      log: (object: Record<string, unknown>) => scrubValue(object) as Record<string, unknown>,
      bindings: (bindings: Record<string, unknown>) => scrubValue(bindings) as Record<string, unknown>,
    },
    hooks: {
      // The message text itself (and any string argument interpolated into it).
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        const [first, second] = args;
        // An error logged without a message gets its own message as `msg`, which no redact path covers.
        const withMessage =
          first instanceof Error && typeof second !== 'string'
            ? [first, first.message, ...args.slice(1)]
            : args;
        method.apply(
          this,
          withMessage.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)),
        );
      },
    },
  };
  if (destination) return pino(options, destination);
  if (config.env === 'development') return pino({ ...options, transport: { target: 'pino-pretty' } });
  return pino(options);
}
