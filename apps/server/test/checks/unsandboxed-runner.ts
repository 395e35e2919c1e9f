// TEST ONLY. Runs a check command directly on this machine, with no isolation at all, so the check pipeline can be
// tested against the real tools. It is only ever given the fixture projects written by these tests, never a
// workspace's files; production runs go through the bubblewrap runner. It plays the sandbox's visible contract:
// the work tree written to a fresh directory, the given environment only, a wall-time kill, reports read back,
// and the directory shown to tools as /work.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Sandbox, SandboxResult, SandboxRunSpec, SandboxStatus } from '@tandem/core';

export class UnsandboxedTestRunner implements Sandbox {
  readonly runs: SandboxRunSpec[] = [];

  status(): SandboxStatus {
    return { available: true, checks: [], limitsBy: 'none (test only)' };
  }

  async run(spec: SandboxRunSpec): Promise<SandboxResult> {
    this.runs.push(spec);
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-check-fixture-'));
    try {
      for (const [file, content] of spec.files) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), content);
      }
      const started = performance.now();
      // Mounts are where the sandbox would show them; here the tools run from their real place.
      const mounts = [...(spec.mounts ?? [])].sort((a, b) => b.target.length - a.target.length);
      const hostPath = (text: string) =>
        mounts.reduce((t, mount) => t.replaceAll(mount.target, mount.source), text);
      const [command = 'true', ...args] = spec.command.map(hostPath);
      const child = spawn(command, args, {
        cwd: dir,
        env: Object.fromEntries(Object.entries(spec.env ?? {}).map(([k, v]) => [k, hostPath(v)])),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const state = { timedOut: false };
      const timer = setTimeout(() => {
        state.timedOut = true;
        child.kill('SIGKILL');
      }, spec.limits?.wallMs ?? 60_000);
      const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('close', (code, sig) => resolve([code, sig])),
      );
      clearTimeout(timer);
      const asWork = (text: string): string => text.replaceAll(`${dir}/`, '/work/').replaceAll(dir, '/work');
      const collected = new Map<string, string>();
      for (const file of spec.collect ?? []) {
        try {
          collected.set(file, asWork(readFileSync(path.join(dir, file), 'utf8')));
        } catch {
          // Missing reports are skipped, as the contract says.
        }
      }
      return {
        end: state.timedOut ? 'timeout' : 'exit',
        exitCode,
        signal,
        durationMs: performance.now() - started,
        stdout: asWork(stdout),
        stderr: asWork(stderr),
        droppedOutputBytes: 0,
        collected,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
