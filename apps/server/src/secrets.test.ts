import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSealed, loadSecretBox, parseSecretKey, SecretBox, secretKey, secretKeyFile } from './secrets.ts';

const newKey = () => secretKey(randomBytes(32));
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-secrets-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SecretBox', () => {
  it('seals to a value that holds no plain text and opens it again', () => {
    const box = new SecretBox(newKey());
    const sealed = box.seal('sk-live-123456', 'api key');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('sk-live');
    expect(box.seal('sk-live-123456', 'api key')).not.toBe(sealed);
    expect(box.open(sealed, 'api key')).toBe('sk-live-123456');
  });

  it('refuses a tampered value, another purpose and an unknown key with SECRET_UNREADABLE', () => {
    const box = new SecretBox(newKey());
    const sealed = box.seal('secret', 'api key');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => box.open(parts.join('.'), 'api key')).toThrow(
      expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
    );
    expect(() => box.open(sealed, 'other')).toThrow(expect.objectContaining({ code: 'SECRET_UNREADABLE' }));
    expect(() => new SecretBox(newKey()).open(sealed, 'api key')).toThrow(/TANDEM_SECRET_KEY_PREVIOUS/);
    expect(() => box.open('plain', 'api key')).toThrow(
      expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
    );
  });

  it('opens values of a previous key and marks them stale, so they can be sealed again under the new one', () => {
    const old = newKey();
    const sealed = new SecretBox(old).seal('secret', 'api key');
    const rotated = new SecretBox(newKey(), [old]);
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale('plain text')).toBe(true);
    const again = rotated.seal(rotated.open(sealed, 'api key'), 'api key');
    expect(rotated.isStale(again)).toBe(false);
    expect(rotated.open(again, 'api key')).toBe('secret');
  });

  it('rejects keys that are not 32 bytes of base64, naming the setting', () => {
    expect(() => parseSecretKey('c2hvcnQ=', 'TANDEM_SECRET_KEY')).toThrow(/TANDEM_SECRET_KEY must be 32/);
    expect(parseSecretKey(randomBytes(32).toString('base64'), 'x').key).toHaveLength(32);
  });
});

describe('loadSecretBox', () => {
  it('creates a 0600 key file on first use and reads the same key afterwards', () => {
    const dataDir = tempDir();
    const first = loadSecretBox({ dataDir, secretKey: undefined, secretKeyPrevious: undefined });
    expect(statSync(secretKeyFile(dataDir)).mode & 0o777).toBe(0o600);
    const second = loadSecretBox({ dataDir, secretKey: undefined, secretKeyPrevious: undefined });
    expect(second.current.id).toBe(first.current.id);
    expect(readFileSync(secretKeyFile(dataDir), 'utf8').trim()).toBe(first.current.key.toString('base64'));
  });

  it('prefers TANDEM_SECRET_KEY and keeps the key file and TANDEM_SECRET_KEY_PREVIOUS able to open', () => {
    const dataDir = tempDir();
    const fromFile = loadSecretBox({ dataDir, secretKey: undefined, secretKeyPrevious: undefined });
    const older = newKey();
    const env = randomBytes(32).toString('base64');
    const box = loadSecretBox({ dataDir, secretKey: env, secretKeyPrevious: older.key.toString('base64') });
    expect(box.current.id).toBe(parseSecretKey(env, 'x').id);
    expect(box.open(fromFile.seal('a', 'p'), 'p')).toBe('a');
    expect(box.open(new SecretBox(older).seal('b', 'p'), 'p')).toBe('b');
  });
});
