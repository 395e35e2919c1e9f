// Prometheus metrics on a registry of our own, so several app instances in one process (tests) don't collide.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tandem_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'tandem_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    trpcDuration: new Histogram({
      name: 'tandem_trpc_duration_seconds',
      help: 'tRPC procedure duration by path, type and outcome',
      labelNames: ['path', 'type', 'ok'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'tandem_errors_total',
      help: 'Errors returned to clients by domain code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'tandem_ws_connections',
      help: 'Open WebSocket connections by endpoint',
      labelNames: ['endpoint'] as const,
      registers: [registry],
    }),
    wsDisconnects: new Counter({
      name: 'tandem_ws_disconnects_total',
      help: 'WebSocket connections closed, by endpoint (a sudden rise is a disconnect storm)',
      labelNames: ['endpoint'] as const,
      registers: [registry],
    }),
    yjsMessages: new Counter({
      name: 'tandem_yjs_messages_total',
      help: 'Yjs sync/awareness messages received by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    yjsBytes: new Counter({
      name: 'tandem_yjs_received_bytes_total',
      help: 'Bytes received on Yjs sync connections',
      registers: [registry],
    }),
    yjsUpdates: new Counter({
      name: 'tandem_yjs_updates_total',
      help: 'Yjs document updates persisted',
      registers: [registry],
    }),
    yjsRefused: new Counter({
      name: 'tandem_yjs_refused_total',
      help: 'Valid Yjs messages refused (read-only, too large, foreign awareness)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    yjsPersistSeconds: new Histogram({
      name: 'tandem_yjs_persist_seconds',
      help: 'Latency of one group commit of Yjs updates',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    yjsRoomLoadSeconds: new Histogram({
      name: 'tandem_yjs_room_load_seconds',
      help: 'Time to load a document from storage into memory (held on the event loop while Yjs applies it)',
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    taskDuration: new Histogram({
      name: 'tandem_task_duration_seconds',
      help: 'Wall time of AI task runs by outcome',
      labelNames: ['outcome'] as const,
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
    sandboxRuns: new Counter({
      name: 'tandem_sandbox_runs_total',
      help: 'Sandbox runs by how they ended (exit, timeout, cpu, memory, output, signal, cancelled)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    sandboxDuration: new Histogram({
      name: 'tandem_sandbox_run_duration_seconds',
      help: 'Wall time of sandbox runs, from spawn to the last byte of output',
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    sandboxRefused: new Counter({
      name: 'tandem_sandbox_refused_total',
      help: 'Sandbox runs refused because the sandbox is unavailable, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    securityAlerts: new Counter({
      name: 'tandem_security_alerts_total',
      help: 'Security alert occurrences by kind (failed sign-in spikes, admin and role changes, refusals, storms)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    llmTokens: new Counter({
      name: 'tandem_llm_tokens_total',
      help: 'LLM tokens used by tasks',
      labelNames: ['direction'] as const,
      registers: [registry],
    }),
    llmErrors: new Counter({
      name: 'tandem_llm_errors_total',
      help: 'Tasks that ended on a model error, by domain code (LLM_AUTH, LLM_UNREACHABLE, …)',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    llmCost: new Counter({
      name: 'tandem_llm_cost_usd_total',
      help: 'Estimated model spend of tasks in US dollars (tasks whose model has a price)',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
