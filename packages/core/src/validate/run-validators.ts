// Runs a set of validators over the changed files. Validators run concurrently (each gets only the paths it
// applies to) and results come back in a fixed order: validator by validator as given, then by path as changed.
// A validator that throws or returns nonsense becomes a failed result naming it; only cancellation rejects.
import { cancelledError, throwIfAborted, untilAborted } from './cancel.ts';
import { capDiagnostics, clipMessage, hasErrors } from './diagnostics.ts';
import type { Diagnostic, ValidationResult, Validator, ValidatorInput } from './types.ts';

function describe(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}

function crashed(name: string, paths: readonly string[], error: unknown): ValidationResult[] {
  const message = clipMessage(`Validator "${name}" crashed: ${describe(error)}`);
  return paths.map((path) => ({
    validator: name,
    path,
    ok: false,
    diagnostics: [{ path, line: 1, column: 1, severity: 'error', message, rule: 'validator-crash' }],
  }));
}

function position(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(1, Math.trunc(value)) : 1;
}

const severities: ReadonlySet<unknown> = new Set(['error', 'warning', 'info']);

function cleanDiagnostic(raw: Partial<Diagnostic>, path: string): Diagnostic {
  const diagnostic: Diagnostic = {
    path: typeof raw.path === 'string' && raw.path !== '' ? raw.path : path,
    line: position(raw.line),
    column: position(raw.column),
    severity: severities.has(raw.severity) ? (raw.severity as Diagnostic['severity']) : 'error',
    message: clipMessage(
      typeof raw.message === 'string' && raw.message !== '' ? raw.message : '(no message)',
    ),
  };
  if (typeof raw.rule === 'string' && raw.rule !== '') diagnostic.rule = raw.rule;
  return diagnostic;
}

/** Makes a validator's output safe to emit: known shapes, bounded lists, and `ok` false whenever errors exist. */
function normalize(name: string, paths: readonly string[], output: unknown): ValidationResult[] {
  if (!Array.isArray(output)) throw new TypeError('validate() did not return a list of results');
  const order = new Map(paths.map((path, index) => [path, index]));
  const results = (output as Partial<ValidationResult>[]).map((raw) => {
    if (typeof raw.path !== 'string' || raw.path === '') throw new TypeError('a result has no path');
    const path = raw.path;
    const diagnostics = capDiagnostics(
      (Array.isArray(raw.diagnostics) ? raw.diagnostics : []).map((d: Partial<Diagnostic>) =>
        cleanDiagnostic(d, path),
      ),
    );
    return {
      validator: typeof raw.validator === 'string' && raw.validator !== '' ? raw.validator : name,
      path,
      ok: raw.ok === true && !hasErrors(diagnostics),
      diagnostics,
    };
  });
  const rank = (path: string): number => order.get(path) ?? paths.length;
  return results.sort(
    (a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

async function runOne(validator: Validator, input: ValidatorInput): Promise<ValidationResult[]> {
  let paths: string[];
  try {
    paths = input.changed.filter((path) => validator.appliesTo(path));
  } catch (error) {
    return crashed(validator.name, input.changed, error);
  }
  if (paths.length === 0) return [];
  try {
    return normalize(validator.name, paths, await validator.validate({ ...input, changed: paths }));
  } catch (error) {
    if (input.signal?.aborted === true) throw cancelledError();
    return crashed(validator.name, paths, error);
  }
}

/**
 * Validates `input.changed` with every validator that applies. Never rejects because of a validator; rejects
 * with `AppError('CANCELLED')` when `input.signal` aborts, without waiting for validators that ignore it.
 */
export async function runValidators(
  validators: readonly Validator[],
  input: ValidatorInput,
): Promise<ValidationResult[]> {
  throwIfAborted(input.signal);
  const changed = [...new Set(input.changed)];
  if (changed.length === 0 || validators.length === 0) return [];
  const scoped: ValidatorInput = { ...input, changed };
  const runs = validators.map((validator) => runOne(validator, scoped));
  const results = await untilAborted(Promise.all(runs), input.signal);
  return results.flat();
}
