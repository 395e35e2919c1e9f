export type {
  Sandbox,
  SandboxEnd,
  SandboxLimits,
  SandboxMount,
  SandboxResult,
  SandboxRunSpec,
  SandboxStatus,
} from './types.ts';
export { FakeSandbox, type FakeSandboxHandler } from './fake.ts';
