export type {
  Sandbox,
  SandboxEnd,
  SandboxLimits,
  SandboxMount,
  SandboxResult,
  SandboxRunSpec,
  SandboxStatus,
} from './types.ts';
