// Syntax errors of TS/TSX/JS/JSX files from the TypeScript parser alone: no program, no type checker, so only
// what would stop the file from parsing is reported, never a type error, and a file costs one parse.
import ts from 'typescript';
import { detectLanguage } from '../files/language.ts';
import { clipMessage } from './diagnostics.ts';
import type { Diagnostic } from './types.ts';

const scriptKinds: ReadonlyMap<string, ts.ScriptKind> = new Map([
  ['typescript', ts.ScriptKind.TS],
  ['tsx', ts.ScriptKind.TSX],
  ['javascript', ts.ScriptKind.JS],
  ['jsx', ts.ScriptKind.JSX],
]);

export function isScriptFile(path: string): boolean {
  return scriptKinds.has(detectLanguage(path));
}

/**
 * The parser's own diagnostics. `parseDiagnostics` is internal API (stable for a decade, used by many tools);
 * it is read defensively and `undefined` means this TypeScript no longer has it.
 */
export function parseDiagnosticsOf(file: ts.SourceFile): readonly ts.Diagnostic[] | undefined {
  const value: unknown = (file as { parseDiagnostics?: unknown }).parseDiagnostics;
  return Array.isArray(value) ? (value as ts.Diagnostic[]) : undefined;
}

/** The public route to the same errors: `transpileModule` reports the syntactic diagnostics of its one file. */
export function transpileDiagnostics(path: string, text: string): readonly ts.Diagnostic[] {
  const output = ts.transpileModule(text, {
    fileName: path,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      jsx: ts.JsxEmit.Preserve,
    },
  });
  // Option diagnostics carry no file; only the file's own syntax errors are wanted.
  return (output.diagnostics ?? []).filter((diagnostic) => diagnostic.file !== undefined);
}

function severityOf(category: ts.DiagnosticCategory): Diagnostic['severity'] {
  switch (category) {
    case ts.DiagnosticCategory.Error:
      return 'error';
    case ts.DiagnosticCategory.Warning:
      return 'warning';
    default:
      return 'info';
  }
}

export function checkScriptSyntax(path: string, text: string): Diagnostic[] {
  const kind = scriptKinds.get(detectLanguage(path)) ?? ts.ScriptKind.TS;
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, kind);
  const diagnostics = parseDiagnosticsOf(file) ?? transpileDiagnostics(path, text);
  return diagnostics.map((diagnostic) => {
    const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    return {
      path,
      line: line + 1,
      column: character + 1,
      severity: severityOf(diagnostic.category),
      message: clipMessage(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
      rule: `TS${diagnostic.code}`,
    };
  });
}
