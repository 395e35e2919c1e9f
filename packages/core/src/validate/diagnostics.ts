// Shared helpers for building diagnostics: positions from offsets, bounded lists and messages.
import type { Diagnostic } from './types.ts';

/** A file reports at most this many diagnostics; past the first few, parser errors are mostly echoes. */
export const MAX_DIAGNOSTICS_PER_FILE = 20;
export const MAX_MESSAGE_CHARS = 1_000;

/** 1-based line and column of a UTF-16 offset; `\r\n`, `\r` and `\n` each end a line. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(Math.trunc(offset), text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export function clipMessage(message: string): string {
  const flat = message.trim();
  return flat.length <= MAX_MESSAGE_CHARS ? flat : `${flat.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

/**
 * Keeps the first diagnostics of a file, in position order, and when there were more replaces the last kept
 * one with a note saying how many were left out, so the list never exceeds `max`.
 */
export function capDiagnostics(
  diagnostics: readonly Diagnostic[],
  max = MAX_DIAGNOSTICS_PER_FILE,
): Diagnostic[] {
  const sorted = [...diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
  if (sorted.length <= max) return sorted;
  const kept = sorted.slice(0, Math.max(0, max - 1));
  const first = sorted[0];
  if (first !== undefined && max > 0) {
    const more = sorted.length - kept.length;
    kept.push({
      path: first.path,
      line: sorted[kept.length]?.line ?? first.line,
      column: sorted[kept.length]?.column ?? first.column,
      severity: 'info',
      message: `${more} more problem${more === 1 ? '' : 's'} in this file not shown.`,
    });
  }
  return kept;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error');
}
