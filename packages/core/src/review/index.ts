export * from './schemas.ts';
export * from './approval.ts';
export * from './line-anchor.ts';
