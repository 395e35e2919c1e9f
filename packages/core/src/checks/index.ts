export * from './findings.ts';
export * from './severity.ts';
export * from './parse-tools.ts';
export * from './map-hunks.ts';
export * from './settings.ts';
export * from './plan.ts';
export * from './run-checks.ts';
export * from './auto-apply.ts';
