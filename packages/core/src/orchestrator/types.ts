// What a task run takes and gives back. Everything the pipeline touches outside plain data comes in through
// `RunTaskDeps`, so the server wires real providers and storage and tests wire a replay server.
import type { Changeset } from '../changeset/index.ts';
import type {
  CheckName,
  CheckResult,
  CheckSettings,
  CheckToolchain,
  Finding,
  InstallDependencies,
} from '../checks/index.ts';
import type { EditFailed } from '../edits/index.ts';
import type { AppError } from '../errors.ts';
import type { Schedule, TaskEvent, TaskOutcome, TaskPhase } from '../events/index.ts';
import type { LlmClient, PriceTable } from '../llm/index.ts';
import type { Sandbox, SandboxLimits } from '../sandbox/index.ts';
import type { ValidationResult, Validator } from '../validate/index.ts';
import type { TaskLimits } from './limits.ts';
import type { TaskUsage } from './usage-meter.ts';

export interface RunTaskInput {
  taskId: string;
  /** The user's request. */
  prompt: string;
  /** Text files of the workspace at task start, by normalized path: the snapshot every edit is made against. */
  files: ReadonlyMap<string, string>;
  /** Files the requester has open in the editor. */
  openPaths?: readonly string[];
  /** `paths` passed to task.create. */
  pinnedPaths?: readonly string[];
  /**
   * A follow-up: the revision this run makes (2 and up), carried on its `proposal` event. Absent for a task's
   * first run.
   */
  revision?: number;
  /** A follow-up: the task's earlier requests and the model's answers to them, oldest first. */
  conversation?: readonly ConversationTurn[];
  /** A follow-up: review comments the request asks the model to address. */
  comments?: readonly PromptComment[];
  /**
   * What the changeset is computed against: the live text. Defaults to `files`. A follow-up shows the model the
   * live text with its previous revision's open changes applied (`files`), and proposes everything that differs
   * from the live text, so those changes carry over into the new revision unless the model undoes them.
   */
  baseFiles?: ReadonlyMap<string, string>;
}

/** One earlier exchange of a task: what was asked and what the model answered (edit blocks included). */
export interface ConversationTurn {
  prompt: string;
  answer: string;
}

/** A review comment as the model reads it. */
export interface PromptComment {
  author: string;
  body: string;
  /** Where it sits, when it sits on a file. */
  path?: string;
  line?: number;
}

export interface RunTaskDeps {
  llm: LlmClient;
  /** Model id used to look up prices. */
  model: string;
  /** Records and fans out one event; awaited in order, so the log order is the production order. */
  emit: (event: TaskEvent) => void | Promise<void>;
  validators: readonly Validator[];
  priceTable?: PriceTable;
  /** Milliseconds clock for phase timings. */
  now?: () => number;
  /**
   * Cancels the run: the provider request is aborted and the run ends `cancelled`. A signal from
   * `AbortSignal.timeout()` (or any abort whose reason is a TimeoutError) is a deadline instead: the run ends
   * `failed` with LLM_TIMEOUT.
   */
  signal: AbortSignal;
  limits?: Partial<TaskLimits>;
  /** Refuses edits to protected paths (workspace policy). */
  isWritable?: (path: string) => boolean;
  /** Largest file an edit may produce, in UTF-8 bytes. */
  maxFileBytes?: number;
  /** Timer used by the output coalescer; injected by tests that control time. */
  schedule?: Schedule;
  /** Longest wait before streamed text is emitted as an `output` event. */
  outputFlushMs?: number;
  /**
   * Where the proposal's checks (type check, lint, tests, security scan) run. Without one, or when it refuses,
   * the task says so in `check` events (SANDBOX_UNAVAILABLE) and relies on the syntax validators alone; nothing
   * is ever run outside it.
   */
  sandbox?: Sandbox;
  checks?: TaskChecksOptions;
}

export interface TaskChecksOptions {
  /** The security toolchain as mounted in the sandbox; without it the scan ends `error`. */
  toolchain?: CheckToolchain;
  /** Installs dependencies outside the no-network sandbox; without it, checks that need them are skipped. */
  installDependencies?: InstallDependencies;
  /** A sandbox that reaches only the package registry, for dependency advisories. */
  registrySandbox?: Sandbox;
  /** The workspace owners' overrides. */
  settings?: CheckSettings;
  limits?: Partial<Record<CheckName, Partial<SandboxLimits>>>;
}

export interface RunTaskResult {
  outcome: TaskOutcome;
  /** The proposal to review; null when nothing changed or the run did not complete. */
  changeset: Changeset | null;
  /**
   * Every file as the task left it (snapshot plus applied edits). After a failure it holds whatever applied
   * before the failure, for diagnosis; only `changeset` is a proposal.
   */
  files: Map<string, string>;
  usage: TaskUsage;
  /** null when the model's price is unknown. */
  costUsd: number | null;
  /** Model calls made: 1 plus the reflection rounds. */
  calls: number;
  /**
   * Whether the first model answer was proposed as it was: every edit applied, nothing failed validation and the
   * checks passed (or had nothing to run), so no reflection round was needed. False for a run that proposed nothing.
   */
  firstRoundPassed: boolean;
  /** Edits of the last round that still failed when the run ended. */
  failedEdits: EditFailed[];
  /** Validation failures left in the proposed files. */
  failedValidations: ValidationResult[];
  /** The last run of the checks on the proposed files; empty when they never ran. */
  checks: CheckResult[];
  /** What that run found, on the proposal's hunks. */
  findings: Finding[];
  /** The model's answers, all rounds, as streamed: the next follow-up shows them to the model again. */
  answer: string;
  /** Why the run failed, when it did. */
  error: AppError | undefined;
  totalMs: number;
  phaseMs: Partial<Record<TaskPhase, number>>;
}
