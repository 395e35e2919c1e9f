// deploy/monitoring holds the alert rules, their runbook and a Grafana dashboard. promtool checks and unit-tests the
// rules; this test also holds every query against the metrics a real server exports, so a renamed metric cannot
// leave an alert that never fires or a panel that stays empty.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from './harness.ts';
import { serverDir } from './server-process.ts';

const monitoring = path.resolve(serverDir, '../../deploy/monitoring');
const read = (file: string) => readFileSync(path.join(monitoring, file), 'utf8');
const run = promisify(execFile);

interface Rule {
  alert: string;
  expr: string;
  annotations: { summary: string; runbook_url: string };
}
const rules = (parse(read('alerts.yml')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(read('dashboard.json')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};

/** Metric names a PromQL expression reads (ours, and Prometheus's own `up`). */
const metricsIn = (expr: string) =>
  [...expr.matchAll(/\b(tandem_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map((m) => m[1]);

/** Every series name /metrics can produce, from its `# TYPE` lines (labelled metrics without samples included). */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>(['up']);
  for (const [, name = '', type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

describe('deploy/monitoring', () => {
  let server: TestServer;
  let exported: Set<string>;
  beforeAll(async () => {
    server = await startTestServer('pglite');
    exported = exportedNames(await (await fetch(`${server.url}/metrics`)).text());
  });
  afterAll(() => server.close());

  it('has alert rules promtool accepts, and whose unit tests pass', async () => {
    const check = await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: monitoring });
    expect(check.stdout).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
    const test = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: monitoring });
    expect(test.stdout).toMatch(/SUCCESS/);
  });

  it('alerts on what the issue lists, each with a runbook section', () => {
    const runbook = read('RUNBOOK.md');
    const sections = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((m) => m[1]?.toLowerCase()));
    for (const rule of rules) {
      expect(rule.annotations.runbook_url, rule.alert).toBe(`RUNBOOK.md#${rule.alert.toLowerCase()}`);
      expect(sections, rule.alert).toContain(rule.alert.toLowerCase());
    }
    const used = rules.flatMap((rule) => metricsIn(rule.expr));
    for (const needed of [
      'up',
      'tandem_http_request_duration_seconds_count',
      'tandem_trpc_duration_seconds_bucket',
      'tandem_ws_disconnects_total',
      'tandem_task_duration_seconds_count',
      'tandem_llm_errors_total',
      'tandem_llm_cost_usd_total',
      'tandem_dependency_up',
      'tandem_yjs_persist_seconds_bucket',
      'tandem_nodejs_eventloop_lag_p99_seconds',
      'tandem_process_resident_memory_bytes',
    ]) {
      expect(used).toContain(needed);
    }
  });

  it('reads only metrics the server exports, in every alert and every dashboard panel', () => {
    const queries = [
      ...rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
      ...dashboard.panels.flatMap((panel) =>
        panel.targets.map((target) => ({ where: `panel ${panel.title}`, expr: target.expr })),
      ),
    ];
    for (const { where, expr } of queries) {
      const names = metricsIn(expr);
      expect(names.length, where).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name ?? ''), `${where} reads ${name}`).toBe(true);
    }
  });

  it('reports each dependency as up', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^tandem_dependency_up\{dependency="database"\} 1$/m);
  });
});
