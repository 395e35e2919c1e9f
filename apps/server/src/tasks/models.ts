// Which model a task runs on: admin settings, else the environment, else a local Ollama, else a plain NO_MODEL.
import { AppError, type ErrorCode } from '@tandem/core';
import type { LlmConfig } from '@tandem/core/ai';
import type { AppDeps } from '../deps.ts';
import { getLlmSettings } from '../services/settings.ts';

type ModelDeps = Pick<AppDeps, 'db' | 'config' | 'secrets'>;

// The AI pipeline is loaded on first use: it is the heaviest part of the server and many instances never run a task.
export const loadAi = () => import('@tandem/core/ai');

export async function resolveModel(deps: ModelDeps, requested?: string): Promise<LlmConfig> {
  const { detectOllama, resolveLlmConfig } = await loadAi();
  const s = await getLlmSettings(deps);
  const env = {
    TANDEM_LLM_PROVIDER: s.provider ?? undefined,
    TANDEM_LLM_BASE_URL: s.baseUrl ?? undefined,
    TANDEM_LLM_API_KEY: s.apiKey ?? undefined,
    TANDEM_LLM_MODEL: requested ?? s.model ?? undefined,
  };
  const nothingSet = !env.TANDEM_LLM_PROVIDER && !env.TANDEM_LLM_BASE_URL && !env.TANDEM_LLM_MODEL;
  const detected = nothingSet ? await detectOllama(deps.config.ollamaUrl) : [];
  return resolveLlmConfig(env, detected, { ollamaBaseUrl: deps.config.ollamaUrl });
}

export interface ModelChoice {
  configured: boolean;
  provider: string | null;
  defaultModel: string | null;
  models: string[];
  /** Why no model is available and how to configure one; null when one is. */
  problem: string | null;
}

/** What the model picker shows. Never throws: a broken endpoint becomes `problem`. */
export async function availableModels(deps: ModelDeps): Promise<ModelChoice> {
  let config: LlmConfig;
  try {
    config = await resolveModel(deps);
  } catch (error) {
    const message = error instanceof AppError ? error.message : 'The model settings could not be read.';
    return { configured: false, provider: null, defaultModel: null, models: [], problem: message };
  }
  let models: string[] = [config.model];
  try {
    const { listModels } = await loadAi();
    const listed = await listModels(config, { timeoutMs: 2_000 });
    models = [...new Set([config.model, ...listed])];
  } catch {
    // Listing is optional (many endpoints do not support it); the configured model still works.
  }
  return { configured: true, provider: config.provider, defaultModel: config.model, models, problem: null };
}

export type EndpointCheck =
  | {
      ok: true;
      provider: string;
      baseUrl: string;
      model: string;
      latencyMs: number;
      /** Whether the endpoint's model list names the configured model (some proxies list none). */
      modelListed: boolean;
    }
  | {
      ok: false;
      /** NO_MODEL, LLM_AUTH, LLM_UNREACHABLE, LLM_TIMEOUT, LLM_RATE_LIMITED, LLM_ERROR… */
      code: ErrorCode;
      message: string;
      /** The provider's HTTP status, when it answered. */
      status: number | null;
      provider: string | null;
      baseUrl: string | null;
      latencyMs: number;
    };

/**
 * One small real request to the configured endpoint (its model list, which costs no tokens), so an admin learns
 * whether the URL and key work before a task fails. Never throws for the endpoint's faults: they become the result.
 */
export async function checkModelEndpoint(deps: ModelDeps, timeoutMs = 5_000): Promise<EndpointCheck> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let config: LlmConfig | undefined;
  try {
    config = await resolveModel(deps);
    const { listModels } = await loadAi();
    const listed = await listModels(config, { timeoutMs });
    return {
      ok: true,
      provider: config.provider,
      baseUrl: config.baseUrl,
      model: config.model,
      latencyMs: elapsed(),
      modelListed: listed.includes(config.model),
    };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const status = error.details?.status;
    return {
      ok: false,
      code: error.code,
      message: error.message,
      status: typeof status === 'number' ? status : null,
      provider: config?.provider ?? null,
      baseUrl: config?.baseUrl ?? null,
      latencyMs: elapsed(),
    };
  }
}
