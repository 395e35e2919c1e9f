// The light domain: schemas, errors, file model, sync room, edits, events, changesets. The AI pipeline (LLM
// providers, context selection with TypeScript and a tokenizer, validators, the orchestrator) is the separate
// entry `@tandem/core/ai`, so servers load it on first use and browsers never bundle it.
export * from './errors.ts';
export { ownsWholeBuffer } from './bytes.ts';
export * from './names/name-schema.ts';
export * from './auth/schemas.ts';
export * from './workspace/roles.ts';
export * from './workspace/schemas.ts';
export * from './workspace/membership.ts';
export * from './workspace/presence-colors.ts';
export * from './workspace/templates.ts';
export * from './workspace/features.ts';
export * from './admin/schemas.ts';
export * from './admin/limits.ts';
export * from './admin/audit-format.ts';
export * from './admin/security-alerts.ts';
export * from './admin/webhook.ts';
export * from './sync/index.ts';
export * from './edits/index.ts';
export * from './files/index.ts';
export * from './events/index.ts';
export * from './changeset/index.ts';
export * from './tasks/schemas.ts';
export * from './tasks/overlap.ts';
export * from './llm/pricing.ts';
export * from './sandbox/index.ts';
export * from './checks/index.ts';
export * from './git/index.ts';
export * from './search/index.ts';
export * from './review/index.ts';
export * from './quality/index.ts';
