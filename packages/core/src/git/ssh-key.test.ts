import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sshFingerprintSchema } from './schemas.ts';
import {
  confirmedHostKeys,
  openSshPrivateKey,
  openSshPublicKey,
  parseKnownHosts,
  sshFingerprint,
  sshKeyComment,
} from './ssh-key.ts';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url');
  return { seed: new Uint8Array(Buffer.from(String(jwk.d), 'base64url')), pub: new Uint8Array(pub) };
}

const dir = mkdtempSync(path.join(tmpdir(), 'tandem-sshkey-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('OpenSSH key formats', () => {
  it('writes a private key file that ssh-keygen reads back to the same public key and fingerprint', () => {
    for (const comment of ['tandem-payments', 'a comment with spaces and ü']) {
      const { seed, pub } = keyPair();
      const file = path.join(dir, `key-${comment.length}`);
      writeFileSync(file, openSshPrivateKey(seed, pub, comment, 0x12345678), { mode: 0o600 });
      const line = openSshPublicKey(pub, comment);
      expect(line).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/=]+ [A-Za-z0-9._@-]+$/);
      const derived = execFileSync('ssh-keygen', ['-y', '-f', file]).toString().trim();
      // ssh-keygen -y prints `type key comment` (the comment from the private key file).
      expect(derived).toBe(line);
      const listed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file]).toString();
      expect(listed).toContain(sshFingerprint(line.split(' ')[1] ?? ''));
    }
  });

  it('refuses key parts of the wrong size', () => {
    expect(() => openSshPublicKey(new Uint8Array(31), 'x')).toThrow();
    expect(() => openSshPrivateKey(new Uint8Array(16), new Uint8Array(32), 'x', 1)).toThrow();
  });

  it('keeps comments to one printable word', () => {
    expect(sshKeyComment('tandem-My Payments/API')).toBe('tandem-My-Payments-API');
    expect(sshKeyComment('   ')).toBe('key');
    expect(sshKeyComment('x'.repeat(100))).toHaveLength(64);
  });
});

describe('known_hosts', () => {
  it('lists the recorded keys with the fingerprints ssh-keygen prints', () => {
    const hostKey = path.join(dir, 'host');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    const [type = '', key = ''] = execFileSync('ssh-keygen', ['-y', '-f', hostKey])
      .toString()
      .trim()
      .split(' ');
    const text = `# comment\n@revoked * ssh-rsa AAAA\n|1|hashed|x ssh-ed25519 ${key}\ngit.example.com ${type} ${key}\n\n`;
    const keys = parseKnownHosts(text);
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]).toString();
    expect(keys.map(({ host, type: t, key: k }) => ({ host, type: t, key: k }))).toEqual([
      { host: 'git.example.com', type, key },
    ]);
    expect(printed.split(' ')[1]).toBe(keys[0]?.fingerprint);
  });
});

describe('confirmedHostKeys', () => {
  const hostKey = (name: string) => {
    const file = path.join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    // `type key`, without the comment ssh-keygen -y adds.
    const line = execFileSync('ssh-keygen', ['-y', '-f', file]).toString().split(' ').slice(0, 2).join(' ');
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`]).toString();
    return { line, fingerprint: printed.split(' ')[1] ?? '' };
  };

  it('records only the presented key whose fingerprint the owner confirmed', () => {
    const first = hostKey('presented-1');
    const second = hostKey('presented-2');
    const presented = `git.example.com ${first.line}\ngit.example.com ${second.line}\n`;
    expect(confirmedHostKeys(presented, second.fingerprint)).toBe(`git.example.com ${second.line}\n`);
    // As typed or pasted: surrounding spaces do not matter, and it passes the input schema.
    expect(confirmedHostKeys(presented, ` ${first.fingerprint}\n`)).toBe(`git.example.com ${first.line}\n`);
    expect(sshFingerprintSchema.parse(` ${first.fingerprint} `)).toBe(first.fingerprint);
  });

  it('refuses a fingerprint the host does not present, naming the ones it does', () => {
    const shown = hostKey('presented-3');
    const other = hostKey('not-presented');
    const attempt = () => confirmedHostKeys(`git.example.com ${shown.line}\n`, other.fingerprint);
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'GIT_HOST_KEY_MISMATCH',
        details: { presented: [{ type: 'ssh-ed25519', fingerprint: shown.fingerprint }] },
      }),
    );
    // Nothing presented (no key could be read): nothing can be confirmed.
    expect(() => confirmedHostKeys('', shown.fingerprint)).toThrow(
      expect.objectContaining({ code: 'GIT_HOST_KEY_MISMATCH', details: { presented: [] } }),
    );
    // A fingerprint in another form (MD5, or SHA256 without its prefix) is refused by the schema.
    for (const bad of ['MD5:12:34', shown.fingerprint.slice('SHA256:'.length), `${shown.fingerprint}x`])
      expect(sshFingerprintSchema.safeParse(bad).success).toBe(false);
  });
});
