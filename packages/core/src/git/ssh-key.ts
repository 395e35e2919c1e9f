// SSH deploy keys and host keys in OpenSSH's text formats, from raw ed25519 bytes: the public key line a git host
// takes (`ssh-ed25519 AAAA… comment`), the private key file `ssh -i` reads (openssh-key-v1, unencrypted: it is
// sealed at rest by the server and only ever written to a 0600 file for one operation), the SHA256 fingerprint
// OpenSSH prints, and the host keys recorded in a known_hosts text. Generating the key pair is the server's job.
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { AppError } from '../errors.ts';
import { concatBytes } from '../bytes.ts';

const KEY_TYPE = 'ssh-ed25519';
const encoder = new TextEncoder();

function sshString(bytes: Uint8Array | string): Uint8Array {
  const body = typeof bytes === 'string' ? encoder.encode(bytes) : bytes;
  const out = new Uint8Array(4 + body.byteLength);
  new DataView(out.buffer).setUint32(0, body.byteLength);
  out.set(body, 4);
  return out;
}

function uint32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

function checkKeyBytes(publicKey: Uint8Array, seed?: Uint8Array): void {
  if (publicKey.byteLength !== 32 || (seed !== undefined && seed.byteLength !== 32)) {
    throw new AppError('INTERNAL', 'an ed25519 key has 32-byte public and private parts');
  }
}

/** The SSH wire encoding of an ed25519 public key (what the base64 of a public key line holds). */
export function ed25519PublicBlob(publicKey: Uint8Array): Uint8Array {
  checkKeyBytes(publicKey);
  return concatBytes([sshString(KEY_TYPE), sshString(publicKey)]);
}

/** A comment for a key line: printable ASCII without spaces, so the line stays one `type key comment`. */
export function sshKeyComment(text: string): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._@-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return cleaned.length > 0 ? cleaned : 'key';
}

/** `ssh-ed25519 AAAA… comment`, the line to paste into a git host's deploy keys. */
export function openSshPublicKey(publicKey: Uint8Array, comment: string): string {
  return `${KEY_TYPE} ${toBase64(ed25519PublicBlob(publicKey))} ${sshKeyComment(comment)}`;
}

/**
 * An unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` file for an ed25519 key (PROTOCOL.key in OpenSSH's sources).
 * `checkint` is any 32-bit number (OpenSSH uses it to detect a wrong passphrase; it is random there).
 */
export function openSshPrivateKey(
  seed: Uint8Array,
  publicKey: Uint8Array,
  comment: string,
  checkint: number,
): string {
  checkKeyBytes(publicKey, seed);
  const blob = ed25519PublicBlob(publicKey);
  const secret = concatBytes([
    uint32(checkint),
    uint32(checkint),
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(concatBytes([seed, publicKey])),
    sshString(sshKeyComment(comment)),
  ]);
  // Padded with 1, 2, 3, … to the cipher block size (8 for "none").
  const padding = (8 - (secret.byteLength % 8)) % 8;
  const padded = concatBytes([secret, Uint8Array.from({ length: padding }, (_, i) => i + 1)]);
  const body = concatBytes([
    encoder.encode('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(blob),
    sshString(padded),
  ]);
  const lines = toBase64(body).match(/.{1,70}/g) ?? [];
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join(
    '\n',
  );
}

/** `SHA256:…`, the fingerprint `ssh-keygen -lf` and `ssh` print for a key, from the base64 of its wire blob. */
export function sshFingerprint(base64Blob: string): string {
  return `SHA256:${toBase64(sha256(fromBase64(base64Blob))).replace(/=+$/, '')}`;
}

export interface KnownHostKey {
  /** The host pattern the key was recorded under. */
  host: string;
  type: string;
  /** Base64 of the key's wire blob. */
  key: string;
  fingerprint: string;
}

/** The host keys in a known_hosts text (plain lines; comments, markers and hashed host names are skipped). */
export function parseKnownHosts(text: string): KnownHostKey[] {
  const keys: KnownHostKey[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [host, type, key] = fields;
    if (!host || !type || !key || host.startsWith('#') || host.startsWith('@') || host.startsWith('|'))
      continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) continue;
    keys.push({ host, type, key, fingerprint: sshFingerprint(key) });
  }
  return keys;
}

/**
 * The known_hosts text to record when an owner accepts a host's new key: the lines of the keys the host presents
 * now (`presented`, as a first connection records them) whose fingerprint is the one the owner confirmed. A key is
 * never accepted unseen: a fingerprint the host does not present is refused with GIT_HOST_KEY_MISMATCH, naming what
 * it does present.
 */
export function confirmedHostKeys(presented: string, fingerprint: string): string {
  const keys = parseKnownHosts(presented);
  const chosen = keys.filter((key) => key.fingerprint === fingerprint.trim());
  if (chosen.length === 0) {
    throw new AppError(
      'GIT_HOST_KEY_MISMATCH',
      'The SSH host does not present a key with this fingerprint; nothing was accepted. Compare again with the fingerprint it presents now.',
      { details: { presented: keys.map(({ type, fingerprint: f }) => ({ type, fingerprint: f })) } },
    );
  }
  return chosen.map((key) => `${key.host} ${key.type} ${key.key}\n`).join('');
}
