// The one place that decides what a workspace path is. Every path that enters the file model, an archive or an
// API call goes through `normalizePath`, so the rest of the code can treat a path string as already safe.

import { AppError } from '../errors.ts';
// Counted, not encoded: a TextEncoder buffer per name made normalizing 1,600 archive paths take some 50 ms.
import { utf8ByteLength } from './content.ts';

export const MAX_PATH_BYTES = 1024;
export const MAX_SEGMENT_BYTES = 255;
export const MAX_PATH_DEPTH = 32;

// C0/C1 controls and DEL break terminals, logs and archive tools; bidi overrides and zero-width joiners let a
// name render as something it is not ("Trojan Source"-style spoofing in the file tree and in reviews).
function isForbiddenCharacter(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

function hasForbiddenCharacter(input: string): boolean {
  for (let i = 0; i < input.length; i += 1) {
    if (isForbiddenCharacter(input.charCodeAt(i))) return true;
  }
  return false;
}

const LONE_SURROGATE = /\p{Cs}/u;
const DRIVE_PREFIX = /^[A-Za-z]:/;
const DOT_ONLY = /^\.+$/;

function invalid(input: string, reason: string): AppError {
  const shown = input.length > 80 ? `${input.slice(0, 77)}...` : input;
  return new AppError('INVALID_PATH', `Invalid path ${JSON.stringify(shown)}: ${reason}.`, {
    details: { reason },
  });
}

/**
 * Returns the canonical form of a workspace-relative path or throws `AppError('INVALID_PATH')`.
 * Canonical means: `/`-separated, no duplicate slashes, no leading `./`, Unicode NFC (so a name typed on macOS
 * and on Linux is the same key), and within the length and depth bounds.
 */
export function normalizePath(input: string): string {
  // Checked before any work so a megabyte-long "path" costs nothing.
  if (input.length > MAX_PATH_BYTES * 4) throw invalid(input, `longer than ${MAX_PATH_BYTES} bytes`);
  if (input.length === 0) throw invalid(input, 'empty');
  if (hasForbiddenCharacter(input))
    throw invalid(input, 'contains a control or invisible formatting character');
  if (LONE_SURROGATE.test(input)) throw invalid(input, 'contains malformed Unicode');

  let path = input.replace(/\\/g, '/');
  if (path.startsWith('/')) throw invalid(input, 'absolute paths are not allowed');
  if (DRIVE_PREFIX.test(path)) throw invalid(input, 'drive-letter paths are not allowed');

  path = path.replace(/\/{2,}/g, '/');
  while (path.startsWith('./')) path = path.slice(2);
  path = path.normalize('NFC');

  if (path.length === 0) throw invalid(input, 'empty');
  if (path.endsWith('/')) throw invalid(input, "ends with '/'");

  const segments = path.split('/');
  if (segments.length > MAX_PATH_DEPTH) throw invalid(input, `deeper than ${MAX_PATH_DEPTH} levels`);
  for (const segment of segments) {
    if (segment === '..') throw invalid(input, "'..' is not allowed");
    if (DOT_ONLY.test(segment)) throw invalid(input, `'${segment}' is not a valid name`);
    if (segment.trim().length === 0) throw invalid(input, 'a name is blank');
    if (utf8ByteLength(segment) > MAX_SEGMENT_BYTES) {
      throw invalid(input, `a name is longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
  }
  if (utf8ByteLength(path) > MAX_PATH_BYTES) throw invalid(input, `longer than ${MAX_PATH_BYTES} bytes`);
  return path;
}

/** Like `normalizePath` but returns `undefined` instead of throwing. */
export function tryNormalizePath(input: string): string | undefined {
  try {
    return normalizePath(input);
  } catch {
    return undefined;
  }
}

export function isValidPath(input: string): boolean {
  return tryNormalizePath(input) !== undefined;
}

/** Joins segments (or partial paths) and normalizes the result. */
export function joinPath(...parts: string[]): string {
  return normalizePath(parts.filter((part) => part.length > 0).join('/'));
}

// The helpers below take already-normalized paths; the root folder is the empty string.

export function splitPath(path: string): string[] {
  return path === '' ? [] : path.split('/');
}

/** The containing folder: `parentOf('a/b/c.ts') === 'a/b'`, `parentOf('c.ts') === ''` (the root). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The last extension including its dot, as written (`.ts`, `.GZ`); dotfiles such as `.gitignore` have none. */
export function extname(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot);
}

/** Every folder that contains `path`, outermost first: `a/b/c.ts` -> `['a', 'a/b']`. */
export function ancestorsOf(path: string): string[] {
  const result: string[] = [];
  let slash = path.indexOf('/');
  while (slash !== -1) {
    result.push(path.slice(0, slash));
    slash = path.indexOf('/', slash + 1);
  }
  return result;
}

/** True when `path` lies strictly inside `folder` (at any depth). Every path is inside the root `''`. */
export function isInside(folder: string, path: string): boolean {
  if (folder === '') return path !== '';
  return path.length > folder.length + 1 && path.startsWith(folder) && path[folder.length] === '/';
}

/** Re-roots `path` from folder `from` to folder `to`; `path` must be inside `from`. */
export function rebasePath(path: string, from: string, to: string): string {
  const rest = from === '' ? path : path.slice(from.length + 1);
  return to === '' ? rest : `${to}/${rest}`;
}

/**
 * The key two paths share when a case-insensitive file system (macOS, Windows) would treat them as the same
 * file. Used to refuse `Src/A.ts` next to `src/a.ts` so a workspace always survives a checkout anywhere.
 */
export function pathKey(path: string): string {
  return path.toLowerCase();
}

/** Orders paths folder by folder, so `a/b` sorts right after `a` and before `a-b`. Deterministic, locale-free. */
export function comparePaths(a: string, b: string): number {
  const left = splitPath(a);
  const right = splitPath(b);
  const shared = Math.min(left.length, right.length);
  for (let i = 0; i < shared; i += 1) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}
