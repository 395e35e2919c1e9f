// One task run on this instance: snapshot the live document, run the core orchestrator, anchor its proposal to
// the live text and store it, then (workspace policy) apply a clean proposal on its own.
import { anchorChangeset, captureBase, isAppError, mayAutoApply, type TaskEvent } from '@tandem/core';
import type { LlmConfig } from '@tandem/core/ai';
import { eq } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { taskChecks } from '../checks/task-checks.ts';
import { workspaces } from '../db/schema.ts';
import { getCostSettings, getPriceTable } from '../services/settings.ts';
import { loadAi, resolveModel } from './models.ts';
import {
  acceptHunks,
  claimTask,
  doneWithoutRun,
  emit,
  finishRun,
  getTask,
  type TaskDeps,
} from './service.ts';

export type ExecuteDeps = TaskDeps & Pick<AppDeps, 'logger' | 'metrics' | 'sandbox'>;

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
  const base = await deps.rooms.transact(task.workspaceId, (doc) => captureBase(doc));
  const [cost, priceTable] = await Promise.all([getCostSettings(deps.db), getPriceTable(deps.db)]);

  // The proposal and the final event wait until the changeset is stored, so whoever sees them can act on them.
  const held: TaskEvent[] = [];
  const result = await runTask(
    {
      taskId,
      prompt: task.prompt,
      files: base.texts,
      openPaths: task.openPaths,
      pinnedPaths: task.paths,
    },
    {
      llm: createLlmClient(config),
      model: config.model,
      emit: async (event) => {
        if (event.type === 'proposal' || event.type === 'done') held.push(event);
        else {
          await emit(deps, taskId, event);
          // Let every follower write the event to its socket before the pipeline's next synchronous stretch
          // (parsing, validation) holds the thread: delivery latency, not pipeline speed, is what people see.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      },
      validators: [syntaxValidator],
      sandbox: deps.sandbox,
      checks: taskChecks(deps.sandbox, deps.logger),
      priceTable,
      signal,
      limits: {
        taskBudgetTokens: cost.taskBudgetTokens || undefined,
        taskBudgetUsd: cost.taskBudgetUsd || undefined,
      },
    },
  );

  const changeset = result.changeset
    ? await deps.rooms.transact(task.workspaceId, (doc) =>
        anchorChangeset(doc, result.changeset ?? { taskId, files: [] }, { snapshot: base.snapshot }),
      )
    : null;
  // The task is stored finished before anyone hears `done`: a follower that reads it then must not see it running.
  const finished = await finishRun(deps, task, {
    changeset,
    tokensIn: result.usage.inputTokens,
    tokensOut: result.usage.outputTokens,
    costUsd: result.costUsd,
    errorCode: result.error?.code ?? null,
    errorMessage: result.error?.message ?? null,
    state: finalState[result.outcome],
    finishedAt: new Date(),
  });
  // Another instance ended the task meanwhile (this one missed its lease): that ending stands, this result goes.
  if (!finished) return;
  for (const event of held) await emit(deps, taskId, event);
  deps.metrics.taskDuration.observe({ outcome: result.outcome }, (performance.now() - started) / 1000);
  deps.metrics.llmTokens.inc({ direction: 'in' }, result.usage.inputTokens);
  deps.metrics.llmTokens.inc({ direction: 'out' }, result.usage.outputTokens);
  if (result.costUsd !== null) deps.metrics.llmCost.inc(result.costUsd);
  if (result.error?.code.startsWith('LLM_')) deps.metrics.llmErrors.inc({ code: result.error.code });

  // Never on a failed check, a critical or high finding or a secret (nor when the checks could not run).
  if (
    result.outcome === 'proposed' &&
    changeset &&
    result.failedValidations.length === 0 &&
    mayAutoApply(result).allowed
  ) {
    const [ws] = await deps.db
      .select({ autoApply: workspaces.autoApply })
      .from(workspaces)
      .where(eq(workspaces.id, task.workspaceId));
    if (ws?.autoApply && task.createdBy) {
      await acceptHunks(deps, taskId, { userId: task.createdBy, auto: true }, {});
    }
  }
}
