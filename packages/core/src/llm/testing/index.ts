// Test and benchmark helpers only: this imports node:http, so it stays out of the llm barrel.
export { messagesOf, startReplayServer } from './replay-server.ts';
export type {
  ReplayMatcher,
  ReplayRequest,
  ReplayRequestInfo,
  ReplayServer,
  ReplayServerOptions,
} from './replay-server.ts';
export { replay, searchReplaceBlock } from './replay-script.ts';
export type { ReplayErrorKind, ReplayScript, ReplayStep, ReplayUsage } from './replay-script.ts';
