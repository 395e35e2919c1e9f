// One POST of a security webhook, with the guards a server needs when an admin names the URL: the host is resolved
// and every address checked (core `checkWebhookAddresses`), then the request connects to the address it checked,
// so a second DNS answer (rebinding) cannot send it elsewhere. Redirects are not followed; each attempt is bounded
// by a timeout.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { AppError, checkWebhookAddresses, parseWebhookUrl } from '@tandem/core';

export interface WebhookTarget {
  allowPrivate: boolean;
  timeoutMs: number;
}

/** Resolves and checks the URL's host; throws WEBHOOK_URL_REFUSED. Returns the address to connect to. */
export async function resolveWebhookUrl(
  text: string,
  allowPrivate: boolean,
): Promise<{ url: URL; address: string; family: number }> {
  const { url, host } = parseWebhookUrl(text);
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (error) {
    throw new AppError('WEBHOOK_URL_REFUSED', `The webhook host ${host} could not be resolved.`, {
      details: { reason: 'unresolved', host },
      cause: error,
    });
  }
  checkWebhookAddresses(
    host,
    addresses.map((a) => a.address),
    allowPrivate,
  );
  const first = addresses[0];
  if (!first) throw new AppError('WEBHOOK_URL_REFUSED', `The webhook host ${host} has no address.`);
  return { url, ...first };
}

/** Posts `body` once; resolves with the HTTP status, rejects on refusal, network failure or timeout. */
export async function postWebhook(
  target: WebhookTarget,
  urlText: string,
  headers: Record<string, string>,
  body: string,
): Promise<number> {
  const { url, address, family } = await resolveWebhookUrl(urlText, target.allowPrivate);
  const pinned: LookupFunction = (_name, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const transport = url.protocol === 'https:' ? https : http;
  const payload = Buffer.from(body);
  return new Promise<number>((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(payload.byteLength),
          'user-agent': 'Tandem-Security-Webhook',
        },
        lookup: pinned,
        timeout: target.timeoutMs,
      },
      (response) => {
        // The body is not needed; reading it frees the socket.
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${target.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}
