// The contract between the orchestrator and whatever checks a proposed change: syntax parsers here, a security
// scan and a test runner elsewhere. Positions are 1-based like every editor shows them, and severities are the
// event union's own, so a result becomes a `validation` event by renaming `column` to `col`.
import type { DiagnosticSeverity } from '../events/task-event.ts';

export interface Diagnostic {
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like editors and the TypeScript parser count. */
  column: number;
  severity: DiagnosticSeverity;
  message: string;
  /** The checker's own id for the problem, e.g. `TS1005`, `json`, `css`. */
  rule?: string;
}

export interface ValidationResult {
  validator: string;
  path: string;
  /** False when any diagnostic is an error. */
  ok: boolean;
  diagnostics: Diagnostic[];
}

export interface ValidatorInput {
  /** The whole virtual working copy, path -> text, so a validator can look at files it was not asked about. */
  files: ReadonlyMap<string, string>;
  /** Paths to check; a path missing from `files` was deleted and has nothing to check. */
  changed: readonly string[];
  signal?: AbortSignal;
}

export interface Validator {
  name: string;
  /** Which paths this validator looks at. */
  appliesTo(path: string): boolean;
  validate(input: ValidatorInput): Promise<ValidationResult[]>;
}
