import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkWebhookAddresses,
  parseWebhookUrl,
  shouldRetryWebhook,
  signWebhook,
  verifyWebhookSignature,
} from './webhook.ts';

describe('webhook signature', () => {
  it('is HMAC-SHA256 over timestamp.body, as any receiver computes it', () => {
    const body = '{"kind":"admin_change"}';
    const expected = createHmac('sha256', 'a-secret-of-some-length')
      .update(`1700000000.${body}`)
      .digest('hex');
    expect(signWebhook('a-secret-of-some-length', '1700000000', body)).toBe(`sha256=${expected}`);
  });

  it('verifies only the same secret, timestamp and body', () => {
    const header = signWebhook('secret-secret-secret', '1', 'body');
    expect(verifyWebhookSignature('secret-secret-secret', '1', 'body', header)).toBe(true);
    expect(verifyWebhookSignature('secret-secret-secret', '2', 'body', header)).toBe(false);
    expect(verifyWebhookSignature('secret-secret-secret', '1', 'bodY', header)).toBe(false);
    expect(verifyWebhookSignature('other-secret-secret', '1', 'body', header)).toBe(false);
    expect(verifyWebhookSignature('secret-secret-secret', '1', 'body', undefined)).toBe(false);
  });
});

describe('shouldRetryWebhook', () => {
  it('retries network failures, 429 and 5xx, not other answers', () => {
    expect([undefined, 429, 500, 503].map(shouldRetryWebhook)).toEqual([true, true, true, true]);
    expect([200, 204, 400, 404].map(shouldRetryWebhook)).toEqual([false, false, false, false]);
  });
});

describe('webhook URL guard', () => {
  const refused = (fn: () => unknown) =>
    expect(fn).toThrow(expect.objectContaining({ code: 'WEBHOOK_URL_REFUSED' }));

  it('takes http and https URLs without credentials', () => {
    expect(parseWebhookUrl('https://Hooks.Example.com/a').host).toBe('hooks.example.com');
    expect(parseWebhookUrl('http://[::1]:8080/').host).toBe('::1');
    refused(() => parseWebhookUrl('ftp://example.com/'));
    refused(() => parseWebhookUrl('file:///etc/passwd'));
    refused(() => parseWebhookUrl('https://user:pw@example.com/'));
    refused(() => parseWebhookUrl('not a url'));
  });

  it('refuses private, loopback, link-local, unique-local, multicast, CGNAT and unspecified addresses', () => {
    const blocked = [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:7f00:1',
    ];
    for (const address of blocked) refused(() => checkWebhookAddresses('h.example', [address], false));
  });

  it('refuses a name that resolves to both a public and a private address', () => {
    refused(() => checkWebhookAddresses('h.example', ['93.184.216.34', '10.0.0.1'], false));
    expect(() =>
      checkWebhookAddresses('h.example', ['93.184.216.34', '2606:4700::1111'], false),
    ).not.toThrow();
  });

  it('admits private addresses only when the operator allows them, and never a host without addresses', () => {
    expect(() => checkWebhookAddresses('h.example', ['127.0.0.1'], true)).not.toThrow();
    refused(() => checkWebhookAddresses('h.example', [], true));
  });
});
