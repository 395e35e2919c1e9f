// The syntax validator: parses each changed file with the real parser for its language and reports where it
// does not parse. File types without a parser here pass silently (no result), deleted files are skipped.
import { throwIfAborted, yieldToEventLoop } from './cancel.ts';
import { checkCssSyntax, isCssFile } from './css-syntax.ts';
import { capDiagnostics, clipMessage, hasErrors } from './diagnostics.ts';
import { checkJsonSyntax, isJsonFile } from './json-syntax.ts';
import { checkScriptSyntax, isScriptFile } from './script-syntax.ts';
import type { Diagnostic, ValidationResult, Validator, ValidatorInput } from './types.ts';

export const SYNTAX_VALIDATOR = 'syntax';

/** Parsing is synchronous; after this long the validator lets the event loop (and an abort) in. */
const SLICE_MS = 20;

type Checker = (path: string, text: string) => Diagnostic[];

function checkerFor(path: string): Checker | undefined {
  if (isScriptFile(path)) return checkScriptSyntax;
  if (isJsonFile(path)) return checkJsonSyntax;
  if (isCssFile(path)) return checkCssSyntax;
  return undefined;
}

function check(checker: Checker, path: string, text: string): Diagnostic[] {
  try {
    return checker(path, text);
  } catch (error) {
    // A parser can overflow its stack on pathological nesting; that file fails, the others are still checked.
    const reason = error instanceof Error ? error.message : String(error);
    return [
      {
        path,
        line: 1,
        column: 1,
        severity: 'error',
        message: clipMessage(`The parser could not read this file: ${reason}`),
        rule: 'parser-crash',
      },
    ];
  }
}

export const syntaxValidator: Validator = {
  name: SYNTAX_VALIDATOR,
  appliesTo(path: string): boolean {
    return checkerFor(path) !== undefined;
  },
  async validate({ files, changed, signal }: ValidatorInput): Promise<ValidationResult[]> {
    const results: ValidationResult[] = [];
    let sliceStart = Date.now();
    for (const path of new Set(changed)) {
      throwIfAborted(signal);
      const checker = checkerFor(path);
      const text = files.get(path);
      if (checker === undefined || text === undefined) continue;
      const diagnostics = capDiagnostics(check(checker, path, text));
      results.push({ validator: SYNTAX_VALIDATOR, path, ok: !hasErrors(diagnostics), diagnostics });
      if (Date.now() - sliceStart >= SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = Date.now();
      }
    }
    throwIfAborted(signal);
    return results;
  },
};
