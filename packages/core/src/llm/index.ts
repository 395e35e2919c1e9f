// LLM providers behind one streaming interface. Test helpers (the replay server) live in ./testing and are
// deliberately not exported here: they import node:http.
export { createLlmClient, llmConfigSchema } from './provider.ts';
export type {
  LlmChunk,
  LlmClient,
  LlmClientOptions,
  LlmConfig,
  LlmFinishReason,
  LlmMessage,
  LlmProviderKind,
  LlmRequest,
  LlmUsage,
  RetryEvent,
} from './provider.ts';
export type { FetchFunction } from './idle-watchdog.ts';
export { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
export {
  defaultLlmMaxRetries,
  defaultLlmTimeoutMs,
  defaultOllamaBaseUrl,
  detectOllama,
  listModels,
  resolveLlmConfig,
} from './detect.ts';
export type { ListModelsOptions, LlmEnv, ResolveLlmConfigOptions } from './detect.ts';
export { costAt, costOf, defaultPriceTable, priceOf, priceTableSchema, modelPriceSchema } from './pricing.ts';
export type { ModelPrice, PriceTable } from './pricing.ts';
