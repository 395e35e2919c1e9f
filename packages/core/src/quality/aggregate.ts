// The quality report of the admin console: per model and per day or week, how many tasks ran, how many completed,
// how many were proposed from the model's first answer, how many accepted ones lasted, and how members rated them.
import type { FindingSeverity } from '../checks/findings.ts';
import { findingSeverities } from '../checks/findings.ts';
import type { QualityBucket } from './schemas.ts';

/** The tracking document's target: over 90% of tasks completed. */
export const COMPLETION_TARGET = 0.9;

/** Ended with a result to look at; `failed` and `cancelled` did not complete. */
const completedStates = new Set(['proposed', 'applied', 'rejected', 'rolled-back', 'no-changes']);
const finishedStates = new Set([...completedStates, 'failed', 'cancelled']);

export interface QualityTaskRow {
  model: string | null;
  state: string;
  createdAt: Date;
  /** Null when the run recorded nothing (it failed before the model answered, or predates the record). */
  firstRoundPassed: boolean | null;
  /** Null while undecided or when nothing was accepted. */
  survived: boolean | null;
  ratingsUp: number;
  ratingsDown: number;
}

export interface QualityPoint {
  /** The bucket's first day, `YYYY-MM-DD` (UTC; weeks start on Monday). */
  bucket: string;
  tasks: number;
  completed: number;
  /** Shares in [0, 1], null when nothing counted towards them. */
  completionRate: number | null;
  firstRoundPassRate: number | null;
  survivalRate: number | null;
  ratingsUp: number;
  ratingsDown: number;
}

export interface QualitySeries {
  model: string;
  points: QualityPoint[];
}

export interface QualityReport {
  bucket: QualityBucket;
  /** Every bucket in the range, oldest first, so series line up and empty days show as gaps. */
  buckets: string[];
  series: QualitySeries[];
  completionTarget: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Models a task ran without naming one (the instance default at the time) are grouped under this name. */
export const DEFAULT_MODEL_LABEL = '(default)';

/** The first day of the bucket that holds `at`, as `YYYY-MM-DD`. */
export function bucketStart(at: Date, bucket: QualityBucket): string {
  const day = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  if (bucket === 'day') return new Date(day).toISOString().slice(0, 10);
  // getUTCDay: Sunday 0 … Saturday 6; Monday starts the week.
  const back = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - back * DAY_MS).toISOString().slice(0, 10);
}

/** Every bucket from the one holding `from` to the one holding `to`, bounded to `max` (the newest kept). */
export function bucketRange(from: Date, to: Date, bucket: QualityBucket, max = 400): string[] {
  const step = bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  const last = Date.parse(bucketStart(to, bucket));
  const out: string[] = [];
  for (let at = Date.parse(bucketStart(from, bucket)); at <= last; at += step) {
    out.push(new Date(at).toISOString().slice(0, 10));
  }
  return out.slice(-max);
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

export function qualityReport(
  rows: readonly QualityTaskRow[],
  range: { from: Date; to: Date; bucket: QualityBucket },
): QualityReport {
  const buckets = bucketRange(range.from, range.to, range.bucket);
  const known = new Set(buckets);
  interface Tally {
    tasks: number;
    completed: number;
    firstRound: number;
    firstRoundPassed: number;
    decided: number;
    survived: number;
    up: number;
    down: number;
  }
  const byModel = new Map<string, Map<string, Tally>>();
  for (const row of rows) {
    if (!finishedStates.has(row.state)) continue;
    const key = bucketStart(row.createdAt, range.bucket);
    if (!known.has(key)) continue;
    const model = row.model ?? DEFAULT_MODEL_LABEL;
    const series = byModel.get(model) ?? new Map<string, Tally>();
    byModel.set(model, series);
    const t = series.get(key) ?? {
      tasks: 0,
      completed: 0,
      firstRound: 0,
      firstRoundPassed: 0,
      decided: 0,
      survived: 0,
      up: 0,
      down: 0,
    };
    series.set(key, t);
    t.tasks += 1;
    if (completedStates.has(row.state)) t.completed += 1;
    if (row.firstRoundPassed !== null) {
      t.firstRound += 1;
      if (row.firstRoundPassed) t.firstRoundPassed += 1;
    }
    if (row.survived !== null) {
      t.decided += 1;
      if (row.survived) t.survived += 1;
    }
    t.up += row.ratingsUp;
    t.down += row.ratingsDown;
  }
  const series = [...byModel.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([model, tallies]) => ({
      model,
      points: buckets.flatMap((bucket): QualityPoint[] => {
        const t = tallies.get(bucket);
        if (!t) return [];
        return [
          {
            bucket,
            tasks: t.tasks,
            completed: t.completed,
            completionRate: share(t.completed, t.tasks),
            firstRoundPassRate: share(t.firstRoundPassed, t.firstRound),
            survivalRate: share(t.survived, t.decided),
            ratingsUp: t.up,
            ratingsDown: t.down,
          },
        ];
      }),
    }));
  return { bucket: range.bucket, buckets, series, completionTarget: COMPLETION_TARGET };
}

/** A task's findings counted by severity (the quality record keeps the counts, the task row the findings). */
export function findingCounts(
  findings: readonly { severity: FindingSeverity }[],
): Record<FindingSeverity, number> {
  const counts = Object.fromEntries(findingSeverities.map((s) => [s, 0])) as Record<FindingSeverity, number>;
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}
