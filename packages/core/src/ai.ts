// The AI pipeline entry: heavy dependencies (the AI SDK, TypeScript's parser, a tokenizer, PostCSS) live here.
export * from './llm/index.ts';
export * from './context/index.ts';
export * from './validate/index.ts';
export * from './orchestrator/index.ts';
