import { describe, expect, it } from 'vitest';
import {
  checkRemoteAddresses,
  isPrivateAddress,
  isSshRemoteUrl,
  parseAllowedHosts,
  parseRemoteUrl,
} from './remote-url.ts';

const refused = (fn: () => unknown) =>
  expect(fn).toThrow(expect.objectContaining({ code: 'GIT_URL_REFUSED' }));

describe('isSshRemoteUrl', () => {
  it('tells the URLs that take a deploy key from those that take a token, as typed', () => {
    for (const url of ['git@github.com:a/b.git', ' ssh://git@host.io:2222/a/b ', 'deploy@h:/srv/r.git'])
      expect(isSshRemoteUrl(url)).toBe(true);
    for (const url of [
      'https://github.com/a/b.git',
      'http://h/r',
      '',
      'git@',
      'file:///r',
      'ssh://-oProxy@h/r',
    ])
      expect(isSshRemoteUrl(url)).toBe(false);
  });
});

describe('parseRemoteUrl', () => {
  it('accepts https, http, ssh and scp-like ssh', () => {
    expect(parseRemoteUrl('https://github.com/a/b.git')).toMatchObject({
      protocol: 'https',
      host: 'github.com',
    });
    expect(parseRemoteUrl('http://Example.org:8080/r')).toMatchObject({
      protocol: 'http',
      host: 'example.org',
      port: 8080,
    });
    expect(parseRemoteUrl('ssh://git@host.io/a/b')).toMatchObject({ protocol: 'ssh', host: 'host.io' });
    expect(parseRemoteUrl('git@github.com:a/b.git')).toEqual({
      protocol: 'ssh',
      host: 'github.com',
      port: undefined,
      href: 'git@github.com:a/b.git',
    });
    // The scp-like path is relative to the remote user's home, so it is kept as written, not made ssh://host/a/b.
    expect(parseRemoteUrl('deploy@git.example.com:/srv/repo.git').href).toBe(
      'deploy@git.example.com:/srv/repo.git',
    );
    expect(parseRemoteUrl('http://[::1]:9/r')).toMatchObject({ host: '::1' });
  });

  it('refuses file://, other schemes, local paths and tokens in the URL', () => {
    refused(() => parseRemoteUrl('file:///srv/repo.git'));
    refused(() => parseRemoteUrl('git://host/repo'));
    refused(() => parseRemoteUrl('/srv/repo.git'));
    refused(() => parseRemoteUrl('../repo'));
    refused(() => parseRemoteUrl('C:\\repo'));
    refused(() => parseRemoteUrl('https://user:token@github.com/a/b'));
    refused(() => parseRemoteUrl(''));
    // Nothing ssh could read as an option.
    refused(() => parseRemoteUrl('-oProxyCommand=x@host:repo'));
    refused(() => parseRemoteUrl('ssh://-oProxyCommand=x@host/repo'));
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['8.8.8.8', '140.82.112.3', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', 'github.com'])(
    '%s is not private',
    (address) => expect(isPrivateAddress(address)).toBe(false),
  );
});

describe('checkRemoteAddresses', () => {
  it('refuses a name resolving to any private address unless the name or address is allowed', () => {
    refused(() => checkRemoteAddresses('evil.example', ['8.8.8.8', '127.0.0.1'], []));
    expect(() => checkRemoteAddresses('evil.example', ['127.0.0.1'], ['evil.example'])).not.toThrow();
    expect(() => checkRemoteAddresses('localhost', ['127.0.0.1'], ['127.0.0.1'])).not.toThrow();
    expect(() => checkRemoteAddresses('github.com', ['140.82.112.3'], [])).not.toThrow();
  });

  it('reports a host without addresses as unreachable', () => {
    expect(() => checkRemoteAddresses('nowhere.example', [], [])).toThrow(
      expect.objectContaining({ code: 'GIT_UNREACHABLE' }),
    );
  });

  it('parses the allowlist', () => {
    expect(parseAllowedHosts(' Git.Internal , 127.0.0.1,,[::1] ')).toEqual([
      'git.internal',
      '127.0.0.1',
      '::1',
    ]);
    expect(parseAllowedHosts(undefined)).toEqual([]);
  });
});
