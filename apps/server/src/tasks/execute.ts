// One task run on this instance: snapshot the live document, run the core orchestrator, anchor its proposal to
// the live text and store it, then (workspace policy) apply a clean proposal on its own.
import {
  AppError,
  anchorChangeset,
  captureBase,
  findingCounts,
  filesWithOpenChanges,
  isAppError,
  mayAutoApply,
  taskPaths,
  type Sandbox,
  type TaskEvent,
} from '@tandem/core';
import type { LlmConfig } from '@tandem/core/ai';
import { eq } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { taskChecks } from '../checks/task-checks.ts';
import { workspaces } from '../db/schema.ts';
import { disabledReason, featureOffBy } from '../services/features.ts';
import { getCostSettings, getPriceTable } from '../services/settings.ts';
import { announceOverlaps, loadFollowUp, type CommentLookup } from './follow-up.ts';
import { handOverTask } from './leases.ts';
import { loadAi, resolveModel } from './models.ts';
import { HandOver } from './runner.ts';
import {
  acceptHunks,
  claimTask,
  doneWithoutRun,
  emit,
  finishRun,
  getTask,
  type TaskDeps,
} from './service.ts';

export type ExecuteDeps = TaskDeps &
  Pick<AppDeps, 'logger' | 'metrics' | 'sandbox'> & {
    /** The review comments a follow-up shows the model (see `CommentLookup`). */
    comments?: CommentLookup;
  };

const finalState = {
  proposed: 'proposed',
  applied: 'applied',
  'no-changes': 'no-changes',
  rejected: 'rejected',
  cancelled: 'cancelled',
  failed: 'failed',
} as const;

export async function executeTask(deps: ExecuteDeps, taskId: string, signal: AbortSignal): Promise<void> {
  const task = await getTask(deps, taskId);
  if (!(await claimTask(deps, task))) return; // cancelled while it waited

  const started = performance.now();

  let config: LlmConfig;
  try {
    config = await resolveModel(deps, task.model ?? undefined);
  } catch (error) {
    const code = isAppError(error) ? error.code : 'INTERNAL';
    const message = isAppError(error) ? error.message : 'The model settings could not be read.';
    const finished = await finishRun(deps, task, {
      state: 'failed',
      errorCode: code,
      errorMessage: message,
      finishedAt: new Date(),
    });
    if (!finished) return;
    await emit(deps, taskId, { type: 'error', code, message, retryable: false });
    await emit(deps, taskId, doneWithoutRun('failed'));
    return;
  }

  const { createLlmClient, runTask, syntaxValidator } = await loadAi();
  // A follow-up continues the conversation from the files as they are now, with its previous revision's open
  // changes applied; its changeset is computed against the live text all the same.
  const followUp = task.revision > 1 ? await loadFollowUp(deps.db, task) : undefined;
  const { base, shown } = await deps.rooms.transact(task.workspaceId, (doc) => {
    const captured = captureBase(doc);
    const previous = followUp?.previous;
    return {
      base: captured,
      shown: previous ? filesWithOpenChanges(doc, captured.texts, previous) : captured.texts,
    };
  });
  // The comments it names, or the task's open threads when it names none.
  const comments = followUp && deps.comments ? await deps.comments(taskId, followUp.commentIds) : [];
  // Other unfinished or undecided tasks on the same files are named in both timelines, once each per run.
  const announced = new Set<string>();
  const overlapsOn = (paths: readonly string[]) =>
    announceOverlaps(deps, task, 'running', paths, announced).catch((error: unknown) =>
      deps.logger.warn({ err: error, taskId }, 'could not look for overlapping tasks'),
    );
  const [cost, priceTable] = await Promise.all([getCostSettings(deps.db), getPriceTable(deps.db)]);

  // The proposal and the final event wait until the changeset is stored, so whoever sees them can act on them.
  const held: TaskEvent[] = [];
  // Checks turned off by a feature flag go the way of a missing sandbox: each says why it did not run.
  const checksOffBy = await featureOffBy(deps.db, task.workspaceId, 'sandboxChecks');
  const result = await runTask(
    {
      taskId,
      prompt: followUp?.prompt ?? task.prompt,
      files: shown,
      openPaths: task.openPaths,
      pinnedPaths: [...new Set([...task.paths, ...(followUp?.previous?.files.map((f) => f.path) ?? [])])],
      ...(followUp
        ? {
            revision: task.revision,
            conversation: followUp.conversation,
            comments,
            baseFiles: base.texts,
          }
        : {}),
    },
    {
      llm: createLlmClient(config),
      model: config.model,
      emit: async (event) => {
        if (event.type === 'proposal' || event.type === 'done') held.push(event);
        else {
          await emit(deps, taskId, event);
          if (event.type === 'context')
            await overlapsOn(taskPaths({ pinned: task.paths, context: event.files }));
          // Let every follower write the event to its socket before the pipeline's next synchronous stretch
          // (parsing, validation) holds the thread: delivery latency, not pipeline speed, is what people see.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      },
      validators: [syntaxValidator],
      sandbox: checksOffBy
        ? switchedOff(deps.sandbox, disabledReason('sandboxChecks', checksOffBy))
        : deps.sandbox,
      checks: taskChecks(deps.sandbox, deps.logger),
      priceTable,
      signal,
      limits: {
        taskBudgetTokens: cost.taskBudgetTokens || undefined,
        taskBudgetUsd: cost.taskBudgetUsd || undefined,
      },
    },
  );

  // Stopped for a shutdown: the task runs again elsewhere rather than ending as cancelled.
  if (signal.reason instanceof HandOver) {
    await handOverTask(deps, task);
    return;
  }

  const changeset = result.changeset
    ? await deps.rooms.transact(task.workspaceId, (doc) =>
        anchorChangeset(doc, result.changeset ?? { taskId, files: [] }, { snapshot: base.snapshot }),
      )
    : null;
  // Decided before the task is stored finished: whoever sees it proposed can turn a switch without changing what
  // happens to this proposal. Never on a failed check, a critical or high finding or a secret (nor when the checks
  // could not run); a workspace that requires an approval waits for a person even when auto-apply is on, and the
  // autoApply feature flag (instance or workspace) overrides the workspace's choice.
  let autoApply = false;
  if (
    result.outcome === 'proposed' &&
    changeset &&
    result.failedValidations.length === 0 &&
    mayAutoApply(result).allowed
  ) {
    const [ws] = await deps.db
      .select({ autoApply: workspaces.autoApply, requireApproval: workspaces.requireApproval })
      .from(workspaces)
      .where(eq(workspaces.id, task.workspaceId));
    autoApply =
      !!ws?.autoApply && !ws.requireApproval && !(await featureOffBy(deps.db, task.workspaceId, 'autoApply'));
  }
  // The task is stored finished before anyone hears `done`: a follower that reads it then must not see it running.
  const finished = await finishRun(deps, task, {
    changeset,
    // A follow-up's run adds to what the task's earlier revisions used.
    tokensIn: task.tokensIn + result.usage.inputTokens,
    tokensOut: task.tokensOut + result.usage.outputTokens,
    costUsd: result.costUsd === null ? task.costUsd : (task.costUsd ?? 0) + result.costUsd,
    errorCode: result.error?.code ?? null,
    errorMessage: result.error?.message ?? null,
    state: finalState[result.outcome],
    // The proposal's last checks and findings stay with it: the review shows them and accepting a flagged hunk
    // is confirmed and audited. A check's output is already bounded by its event's limit.
    checkResults: result.checks.map(({ findings: _findings, ...check }) => check),
    findings: result.findings,
    // The quality record is the first run's: a follow-up answers review, not the original request.
    ...(task.revision === 1 && result.calls > 0 && result.outcome !== 'cancelled'
      ? {
          firstRoundPassed: result.firstRoundPassed,
          rounds: result.calls,
          findingCounts: findingCounts(result.findings),
        }
      : {}),
    finishedAt: new Date(),
  });
  // Another instance ended the task meanwhile (this one missed its lease): that ending stands, this result goes.
  if (!finished) return;
  for (const event of held) await emit(deps, taskId, event);
  // The files it proposes to change may be more than its context showed.
  if (changeset) await overlapsOn(taskPaths({ changeset }));
  deps.metrics.taskDuration.observe({ outcome: result.outcome }, (performance.now() - started) / 1000);
  deps.metrics.llmTokens.inc({ direction: 'in' }, result.usage.inputTokens);
  deps.metrics.llmTokens.inc({ direction: 'out' }, result.usage.outputTokens);
  if (result.costUsd !== null) deps.metrics.llmCost.inc(result.costUsd);
  if (result.error?.code.startsWith('LLM_')) deps.metrics.llmErrors.inc({ code: result.error.code });

  if (autoApply && task.createdBy)
    await acceptHunks(deps, taskId, { userId: task.createdBy, auto: true }, {});
}

/** The sandbox as a task sees it when its checks are turned off: unavailable, for the reason given. */
function switchedOff(sandbox: Sandbox, reason: string): Sandbox {
  return {
    status: () => ({ ...sandbox.status(), available: false, reason }),
    run: () => Promise.reject(new AppError('SANDBOX_UNAVAILABLE', `${reason}.`)),
  };
}
