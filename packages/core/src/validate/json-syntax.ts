// JSON syntax: strict files through `JSON.parse` (what every consumer of a package.json will use), and the
// JSON-with-comments family (tsconfig, jsconfig, VS Code settings, devcontainers, `.jsonc`) through the
// TypeScript JSON parser, which allows comments and trailing commas exactly as tsc and VS Code do.
import ts from 'typescript';
import { detectLanguage } from '../files/language.ts';
import { basename } from '../files/path.ts';
import { clipMessage, positionAt } from './diagnostics.ts';
import { parseDiagnosticsOf } from './script-syntax.ts';
import type { Diagnostic } from './types.ts';

const JSONC_NAMES =
  /^(?:[tj]sconfig(?:\..+)?\.json|devcontainer\.json|\.devcontainer\.json|\.eslintrc\.json|turbo\.json|deno\.json|\.babelrc\.json|api-extractor\.json)$/i;
const JSONC_FOLDERS = /(?:^|\/)(?:\.vscode|\.devcontainer)\//;

export function isJsonFile(path: string): boolean {
  const language = detectLanguage(path);
  return language === 'json' || language === 'jsonc';
}

/** True for JSON files whose tools accept comments and trailing commas. */
export function isJsoncFile(path: string): boolean {
  return detectLanguage(path) === 'jsonc' || JSONC_NAMES.test(basename(path)) || JSONC_FOLDERS.test(path);
}

const POSITION = /\bat position (\d+)/;
const BOM = '\uFEFF';

/** The first problem the TypeScript JSON parser sees, for when V8's message carries no position. */
function typescriptJsonError(path: string, text: string): { start: number; message: string } | undefined {
  const file = ts.parseJsonText(path, text);
  const errors: ts.Diagnostic[] = [...(parseDiagnosticsOf(file) ?? [])];
  // Values JSON does not allow (`tru`, `NaN`, `[1,,2]`) parse fine as expressions and are caught converting.
  if (errors.length === 0) ts.convertToObject(file, errors);
  const first = errors[0];
  if (first === undefined) return undefined;
  return { start: first.start ?? 0, message: ts.flattenDiagnosticMessageText(first.messageText, '\n') };
}

function strictDiagnostics(path: string, text: string): Diagnostic[] {
  // Editors save a byte-order mark that JSON.parse rejects but Node's and npm's readers strip first.
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  const offset = text.length - body.length;
  try {
    JSON.parse(body);
    return [];
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const at = POSITION.exec(raw)?.[1];
    let position = body.trim() === '' ? body.length : 0;
    let message = raw
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/\s*in JSON at position \d+/, '')
      .replace(/, ".*" is not valid JSON$/s, '');
    if (at !== undefined) position = Number(at);
    else if (body.trim() !== '') {
      // Some V8 messages quote the text instead of giving a position ("Unexpected token 'N', ...").
      const fallback = typescriptJsonError(path, body);
      if (fallback !== undefined) ({ start: position, message } = fallback);
    }
    return [
      {
        path,
        ...positionAt(text, position + offset),
        severity: 'error',
        message: clipMessage(message),
        rule: 'json',
      },
    ];
  }
}

function lenientDiagnostics(path: string, text: string): Diagnostic[] {
  const file = ts.parseJsonText(path, text);
  const diagnostics = parseDiagnosticsOf(file);
  if (diagnostics === undefined) {
    const { error } = ts.parseConfigFileTextToJson(path, text);
    if (error === undefined) return [];
    return [
      {
        path,
        ...positionAt(text, error.start ?? 0),
        severity: 'error',
        message: clipMessage(ts.flattenDiagnosticMessageText(error.messageText, '\n')),
        rule: 'jsonc',
      },
    ];
  }
  return diagnostics.map((diagnostic) => ({
    path,
    ...positionAt(text, diagnostic.start ?? 0),
    severity: 'error' as const,
    message: clipMessage(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
    rule: 'jsonc',
  }));
}

export function checkJsonSyntax(path: string, text: string): Diagnostic[] {
  return isJsoncFile(path) ? lenientDiagnostics(path, text) : strictDiagnostics(path, text);
}
