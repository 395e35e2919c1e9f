// Validators of a proposed change, and the syntax validator that parses TS/JS, JSON and CSS files.
export type { Diagnostic, ValidationResult, Validator, ValidatorInput } from './types.ts';
export { SYNTAX_VALIDATOR, syntaxValidator } from './syntax-validator.ts';
export { runValidators } from './run-validators.ts';
export { MAX_DIAGNOSTICS_PER_FILE } from './diagnostics.ts';
export { checkScriptSyntax } from './script-syntax.ts';
export { checkJsonSyntax, isJsoncFile } from './json-syntax.ts';
export { checkCssSyntax } from './css-syntax.ts';
