export * from './schemas.ts';
export * from './aggregate.ts';
export * from './survival.ts';
