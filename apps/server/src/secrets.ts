// Secrets at rest (the LLM API key): AES-256-GCM under a key that never enters the database, so a copy of the
// database (a backup, PGlite's WAL, a PostgreSQL replica) does not hand out the key. Each ciphertext names the key it
// was sealed with, so the key can be replaced: the old one stays readable until everything is sealed again.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@tandem/core';

const PREFIX = 'tsk1';
const IV_BYTES = 12;
const KEY_BYTES = 32;

export interface SecretKey {
  /** Derived from the key itself, so nothing has to keep ids and keys in step. */
  id: string;
  key: Buffer;
}

export function secretKey(key: Buffer): SecretKey {
  if (key.length !== KEY_BYTES) throw new Error(`a secret key must be ${KEY_BYTES} bytes, not ${key.length}`);
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

/** Parses a base64 key as given in TANDEM_SECRET_KEY; `name` says which setting was wrong. */
export function parseSecretKey(base64: string, name: string): SecretKey {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `${name} must be ${KEY_BYTES} random bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes`,
    );
  }
  return secretKey(key);
}

export const isSealed = (value: string) => value.startsWith(`${PREFIX}.`);

export class SecretBox {
  private readonly keys: Map<string, SecretKey>;

  constructor(
    readonly current: SecretKey,
    previous: readonly SecretKey[] = [],
  ) {
    this.keys = new Map([...previous, current].map((k) => [k.id, k]));
  }

  /**
   * `purpose` is bound into the ciphertext (GCM additional data): a value sealed as one setting cannot be moved into
   * another and still open.
   */
  seal(plain: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      PREFIX,
      this.current.id,
      iv.toString('base64url'),
      body.toString('base64url'),
      tag.toString('base64url'),
    ].join('.');
  }

  open(sealed: string, purpose: string): string {
    const [prefix, id, iv, body, tag] = sealed.split('.');
    if (
      prefix !== PREFIX ||
      id === undefined ||
      iv === undefined ||
      body === undefined ||
      tag === undefined
    ) {
      throw new AppError('SECRET_UNREADABLE', `A stored ${purpose} is not in a format this server can read.`);
    }
    const key = this.keys.get(id);
    if (!key) {
      throw new AppError(
        'SECRET_UNREADABLE',
        `The stored ${purpose} was encrypted with secret key ${id}, which this server does not have. ` +
          'Set TANDEM_SECRET_KEY_PREVIOUS to that key, or enter the secret again.',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch (error) {
      throw new AppError('SECRET_UNREADABLE', `The stored ${purpose} failed its integrity check.`, {
        cause: error,
      });
    }
  }

  /** True when the value is plain text or sealed with an older key: it should be sealed again. */
  isStale(value: string): boolean {
    return !isSealed(value) || value.split('.')[1] !== this.current.id;
  }
}

export interface SecretKeySettings {
  secretKey: string | undefined;
  secretKeyPrevious: string | undefined;
  dataDir: string;
}

export const secretKeyFile = (dataDir: string) => path.join(dataDir, 'secret.key');

function readKeyFile(file: string): SecretKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseSecretKey(text, file);
}

/**
 * The key to seal with and the keys that may still open: TANDEM_SECRET_KEY, else the key file in the data directory,
 * created on first use (mode 0600). A key file left behind after switching to TANDEM_SECRET_KEY still opens what it
 * sealed, so the switch is a rotation too.
 */
export function loadSecretBox(settings: SecretKeySettings): SecretBox {
  const file = secretKeyFile(settings.dataDir);
  const previous: SecretKey[] = [];
  if (settings.secretKeyPrevious) {
    for (const part of settings.secretKeyPrevious.split(',')) {
      if (part.trim()) previous.push(parseSecretKey(part, 'TANDEM_SECRET_KEY_PREVIOUS'));
    }
  }
  if (settings.secretKey) {
    const fromFile = readKeyFile(file);
    if (fromFile) previous.push(fromFile);
    return new SecretBox(parseSecretKey(settings.secretKey, 'TANDEM_SECRET_KEY'), previous);
  }
  const existing = readKeyFile(file);
  if (existing) return new SecretBox(existing, previous);
  mkdirSync(settings.dataDir, { recursive: true });
  try {
    // `wx`: two instances starting on one data directory must not each write a key of their own.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const created = readKeyFile(file);
  if (!created) throw new Error(`the secret key file ${file} could not be created`);
  return new SecretBox(created, previous);
}

/**
 * The id of the key secrets would be sealed with (TANDEM_SECRET_KEY, else the key file), or null when there is none
 * yet; unlike loadSecretBox it never creates a key file.
 */
export function currentSecretKeyId(settings: SecretKeySettings): string | null {
  if (settings.secretKey) return parseSecretKey(settings.secretKey, 'TANDEM_SECRET_KEY').id;
  return readKeyFile(secretKeyFile(settings.dataDir))?.id ?? null;
}

/** Loads the keys on first use: an instance that never stores a secret never creates a key file. */
export function lazySecretBox(settings: SecretKeySettings): () => SecretBox {
  let box: SecretBox | undefined;
  return () => (box ??= loadSecretBox(settings));
}
