// Small helpers shared by the benchmarks: percentiles and a uniform result record.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? NaN };
}

export type BenchResult = Record<string, number | string>;

export function report(name: string, results: Record<string, BenchResult>) {
  console.log(`\n## ${name}`);
  console.table(results);
  const dir = path.resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify({ at: new Date().toISOString(), results }, null, 2),
  );
}

export const round = (n: number, digits = 2) => Number(n.toFixed(digits));
