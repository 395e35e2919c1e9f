// CSS syntax through PostCSS's parser, the one most CSS tooling builds on: unclosed blocks, strings and
// comments, unknown words and missing semicolons. It stops at the first error, so a file reports one.
import { CssSyntaxError, parse } from 'postcss';
import { detectLanguage } from '../files/language.ts';
import { clipMessage } from './diagnostics.ts';
import type { Diagnostic } from './types.ts';

export function isCssFile(path: string): boolean {
  return detectLanguage(path) === 'css';
}

export function checkCssSyntax(path: string, text: string): Diagnostic[] {
  try {
    parse(text, { from: undefined });
    return [];
  } catch (error) {
    if (!(error instanceof CssSyntaxError)) throw error;
    return [
      {
        path,
        line: error.line ?? 1,
        column: error.column ?? 1,
        severity: 'error',
        message: clipMessage(error.reason),
        rule: 'css',
      },
    ];
  }
}
