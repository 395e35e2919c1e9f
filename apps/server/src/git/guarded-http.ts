// The HTTP client isomorphic-git talks to remotes through, with the guards a server needs when members choose the
// URL: every request resolves the host, refuses private and loopback addresses unless allowed, and connects to the
// address it checked (no second lookup a DNS rebinding could answer differently). Redirects are not followed.
// Connecting and every pause in a reply are bounded, and so are the bytes a reply may bring.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { AppError, checkRemoteAddresses } from '@tandem/core';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

export interface GuardOptions {
  allowedHosts: readonly string[];
  /** No answer (connect, or a pause mid-reply) for this long fails the request with GIT_UNREACHABLE. */
  idleTimeoutMs: number;
  /** Bytes all replies of one job may bring together; past it the job fails with GIT_REPO_TOO_LARGE. */
  maxDownloadBytes: number;
}

async function collect(body: AsyncIterableIterator<Uint8Array> | undefined): Promise<Buffer | undefined> {
  if (!body) return undefined;
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

/** Resolves and checks `host`; the returned address is the one to connect to. */
export async function checkedAddress(
  host: string,
  allowedHosts: readonly string[],
): Promise<{ address: string; family: number }> {
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (error) {
    throw new AppError('GIT_UNREACHABLE', `The remote host ${host} could not be resolved.`, {
      details: { host },
      cause: error,
    });
  }
  checkRemoteAddresses(
    host,
    addresses.map((a) => a.address),
    allowedHosts,
  );
  const first = addresses[0];
  if (!first) throw new AppError('GIT_UNREACHABLE', `The remote host ${host} has no address.`);
  return first;
}

export function guardedHttp(options: GuardOptions): HttpClient & { downloaded: () => number } {
  let downloaded = 0;
  const request = async (req: GitHttpRequest): Promise<GitHttpResponse> => {
    const url = new URL(req.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new AppError('GIT_URL_REFUSED', `The remote asked for a ${url.protocol} URL.`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const target = await checkedAddress(host, options.allowedHosts);
    const pinned: LookupFunction = (_name, lookupOptions, callback) => {
      if (lookupOptions.all) callback(null, [target]);
      else callback(null, target.address, target.family);
    };
    const body = await collect(req.body);
    const transport = url.protocol === 'https:' ? https : http;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const outgoing = transport.request(
        url,
        {
          method: req.method ?? 'GET',
          headers: { ...req.headers, ...(body ? { 'content-length': String(body.byteLength) } : {}) },
          lookup: pinned,
          timeout: options.idleTimeoutMs,
        },
        resolve,
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(
          new AppError(
            'GIT_UNREACHABLE',
            `The remote ${host} did not answer within ${options.idleTimeoutMs} ms.`,
            {
              details: { host },
            },
          ),
        ),
      );
      outgoing.on('error', (error) =>
        reject(
          error instanceof AppError
            ? error
            : new AppError('GIT_UNREACHABLE', `The remote ${host} could not be reached: ${error.message}`, {
                details: { host },
                cause: error,
              }),
        ),
      );
      outgoing.end(body);
    });
    response.setTimeout(options.idleTimeoutMs, () =>
      response.destroy(
        new AppError(
          'GIT_UNREACHABLE',
          `The remote ${host} stopped sending for ${options.idleTimeoutMs} ms.`,
        ),
      ),
    );
    async function* limited(): AsyncIterableIterator<Uint8Array> {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        downloaded += chunk.byteLength;
        if (downloaded > options.maxDownloadBytes) {
          response.destroy();
          throw new AppError(
            'GIT_REPO_TOO_LARGE',
            `The repository is larger than the ${options.maxDownloadBytes} bytes a workspace may download.`,
            { details: { maxDownloadBytes: options.maxDownloadBytes } },
          );
        }
        yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') headers[name] = value;
      else if (Array.isArray(value)) headers[name] = value.join(', ');
    }
    return {
      url: req.url,
      method: req.method ?? 'GET',
      statusCode: response.statusCode ?? 0,
      statusMessage: response.statusMessage ?? '',
      headers,
      body: limited(),
    };
  };
  return { request, downloaded: () => downloaded };
}
