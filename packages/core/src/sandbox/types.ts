// The contract between whatever runs checks on a work tree (the orchestrator, a human's "Run checks") and the
// thing that runs commands in isolation. The server implements it with bubblewrap; tests in core use an
// in-memory fake. Contracts a runner must keep:
// - nothing runs outside the sandbox: when isolation cannot be guaranteed, `run` rejects with
//   `AppError('SANDBOX_UNAVAILABLE')` and `status()` says why; it never falls back to running unsandboxed;
// - every limit applies to every run, and a run that hits one ends with that limit named in `end`, never by
//   hanging or by taking the server down;
// - output is captured up to `outputBytes` in total; the rest is counted, not kept.

export interface SandboxLimits {
  /** Wall-clock time; the whole process tree is killed when it passes. */
  wallMs: number;
  /** CPU time of the process tree. */
  cpuMs: number;
  /** Memory of the process tree (resident + tmpfs charged to it where the machine can account for it). */
  memoryBytes: number;
  /** Processes and threads at once. */
  processes: number;
  openFiles: number;
  /** Largest single file the run may write. */
  fileSizeBytes: number;
  /** Size of the tmpfs holding the work tree and /tmp. */
  workBytes: number;
  /** Captured stdout + stderr kept; the rest is counted in `droppedOutputBytes`. */
  outputBytes: number;
}

/** A host directory made visible read-only inside the sandbox, e.g. a dependency cache or the check toolchain. */
export interface SandboxMount {
  source: string;
  /** Absolute path inside the sandbox. */
  target: string;
}

export interface SandboxRunSpec {
  /** argv; `command[0]` is looked up on the sandbox's PATH. */
  command: readonly string[];
  /** The work tree, written into the sandbox's tmpfs at `/work` (the working directory) before the command. */
  files: ReadonlyMap<string, string | Uint8Array>;
  mounts?: readonly SandboxMount[];
  /** The whole environment of the command: nothing of the server's own environment is passed through. */
  env?: Readonly<Record<string, string>>;
  limits?: Partial<SandboxLimits>;
  /** Aborting kills the process tree; the run ends with `end: 'cancelled'`. */
  signal?: AbortSignal;
  /** Called with output as it arrives (already bounded by `outputBytes`), for live streaming. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Paths under /work to read back after the command ends (a tool's JSON report); missing ones are skipped. */
  collect?: readonly string[];
}

/** Why a run ended: normally (`exit`, any exit code) or because something stopped it. */
export type SandboxEnd = 'exit' | 'timeout' | 'cpu' | 'memory' | 'output' | 'signal' | 'cancelled';

export interface SandboxResult {
  end: SandboxEnd;
  /** The command's exit code; null when it was killed. */
  exitCode: number | null;
  /** The signal that ended it, e.g. `SIGKILL`, when one did. */
  signal: string | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Output bytes produced beyond `outputBytes` and not kept. */
  droppedOutputBytes: number;
  /** Contents of `collect`ed files that existed, path -> text. */
  collected: ReadonlyMap<string, string>;
}

export interface SandboxStatus {
  available: boolean;
  /** Why runs are refused, when they are. */
  reason?: string;
  /** The start-up self-check, one line per property checked (no network, no capabilities, limits enforced…). */
  checks: readonly { name: string; ok: boolean; detail?: string }[];
  /** How memory and CPU are limited on this machine, e.g. `cgroup-v1`, `cgroup-v2`, `rlimit`. */
  limitsBy: string;
}

export interface Sandbox {
  /**
   * Settles once the start-up self-check has finished; until then `status()` says the sandbox is not available
   * yet. Absent: ready at once.
   */
  readonly ready?: Promise<unknown>;
  status(): SandboxStatus;
  /** Rejects with `SANDBOX_UNAVAILABLE` when the sandbox is unavailable; otherwise resolves, whatever the command did. */
  run(spec: SandboxRunSpec): Promise<SandboxResult>;
}
