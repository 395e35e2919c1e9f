// What a task's checks need from this server: the bwrap sandbox, the security toolchain as it is installed here,
// and dependency installs through the sandbox's per-lockfile cache. The orchestrator (core) decides what runs.
import type { InstallDependencies } from '@tandem/core';
import type { TaskChecksOptions } from '@tandem/core/ai';
import type { Logger } from 'pino';
import { prepareDependencies } from '../sandbox/dependencies.ts';
import type { BwrapSandbox } from '../sandbox/bwrap.ts';
import { checkToolchain } from './toolchain.ts';

let toolchain: ReturnType<typeof checkToolchain> | null | undefined;

/** The toolchain, or undefined when it is not installed here (the security scan then ends `error`, saying so). */
function installedToolchain(logger: Logger) {
  if (toolchain === undefined) {
    try {
      toolchain = checkToolchain();
    } catch (error) {
      logger.warn(
        { err: error },
        'the check toolchain (apps/server/toolchain) is not installed; scans will fail',
      );
      toolchain = null;
    }
  }
  return toolchain ?? undefined;
}

export function taskChecks(sandbox: BwrapSandbox, logger: Logger): TaskChecksOptions {
  const installDependencies: InstallDependencies = async ({ files, signal }) => {
    const install = await prepareDependencies(sandbox, files, { signal });
    const ok = install.status === 'installed' || install.status === 'cached';
    return {
      status: ok ? 'passed' : install.result?.end === 'timeout' ? 'timeout' : 'failed',
      mounts: install.mount ? [install.mount] : [],
      durationMs: install.durationMs,
      summary: install.status === 'cached' ? 'dependencies from the cache' : `dependencies ${install.status}`,
      output: install.output,
    };
  };
  return { toolchain: installedToolchain(logger), installDependencies };
}
