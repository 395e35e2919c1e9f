export * from './errors.ts';
export * from './auth/schemas.ts';
export * from './workspace/roles.ts';
export * from './workspace/schemas.ts';
export * from './workspace/membership.ts';
export * from './admin/schemas.ts';
export * from './sync/index.ts';
export * from './edits/index.ts';
