import { describe, expect, it } from 'vitest';
import { loadConfig } from '../env.ts';
import { parseTrustProxy, rateLimitAddress, resolveClientAddress } from './trust-proxy.ts';

const resolve = (setting: string | undefined, socket: string, xff?: string) =>
  resolveClientAddress(socket, xff, parseTrustProxy(setting));

describe('resolveClientAddress', () => {
  it('believes no header without a setting', () => {
    expect(resolve(undefined, '127.0.0.1', '203.0.113.1')).toBe('127.0.0.1');
    expect(resolve('false', '127.0.0.1', '203.0.113.1')).toBe('127.0.0.1');
    expect(resolve('0', '127.0.0.1', '203.0.113.1')).toBe('127.0.0.1');
  });

  it('walks right to left past trusted proxies only', () => {
    const xff = '6.6.6.6, 203.0.113.1, 10.0.0.2';
    expect(resolve('loopback', '127.0.0.1', xff)).toBe('10.0.0.2');
    expect(resolve('loopback,uniquelocal', '127.0.0.1', xff)).toBe('203.0.113.1');
    expect(resolve('127.0.0.1, 10.0.0.0/8', '127.0.0.1', xff)).toBe('203.0.113.1');
    // A peer that is not a trusted proxy is the client, whatever it claims.
    expect(resolve('loopback', '198.51.100.1', xff)).toBe('198.51.100.1');
  });

  it('counts hops like Express', () => {
    const xff = '6.6.6.6, 203.0.113.1, 10.0.0.2';
    expect(resolve('1', '10.0.0.3', xff)).toBe('10.0.0.2');
    expect(resolve('2', '10.0.0.3', xff)).toBe('203.0.113.1');
    // More hops than entries: the leftmost is all there is.
    expect(resolve('9', '10.0.0.3', xff)).toBe('6.6.6.6');
  });

  it('reads dual-stack, bracketed and ported forms, and stops at garbage', () => {
    expect(resolve('loopback', '::ffff:127.0.0.1', '203.0.113.1:4711')).toBe('203.0.113.1');
    expect(resolve('loopback', '::1', '[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(resolve(undefined, '::ffff:198.51.100.1')).toBe('198.51.100.1');
    expect(resolve('loopback', '127.0.0.1', '203.0.113.1, not-an-ip')).toBe('127.0.0.1');
    expect(resolve('loopback', '127.0.0.1', '')).toBe('127.0.0.1');
  });
});

describe('TANDEM_TRUST_PROXY', () => {
  it.each([
    ['true', /number of proxies/],
    ['10.0.0.0/33', /not an IP address or CIDR/],
    ['proxy.example.com', /not an IP address or CIDR/],
  ])('refuses %s at start', (value, message) => {
    expect(() => loadConfig({ TANDEM_TRUST_PROXY: value })).toThrow(message);
  });
});

describe('rateLimitAddress', () => {
  it('counts an IPv6 /64 as one address and IPv4 addresses alone', () => {
    expect(rateLimitAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateLimitAddress('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(rateLimitAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitAddress('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(rateLimitAddress('unknown')).toBe('unknown');
  });
});
