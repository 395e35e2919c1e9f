export * from './task-event.ts';
export * from './output-coalescer.ts';
