// The admin console's Quality tab: per model and day or week, the share of tasks completed (against the 90 %
// target), proposed from the model's first answer, and whose accepted changes survived a day, with members'
// ratings. A line chart of the chosen measure, and the same numbers in a table under it.
import { useQuery } from '@tanstack/react-query';
import type { QualityBucket } from '@tandem/core';
import { LineChart } from '@tandem/ui/line-chart';
import { useState } from 'react';
import { PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';

const th = 'px-3 py-2 text-left text-xs font-semibold text-zinc-600 uppercase';
const td = 'px-3 py-2 text-sm tabular-nums';

const measures = {
  completionRate: {
    label: 'Completion rate',
    description: 'Share of finished tasks that completed (not failed or cancelled)',
  },
  firstRoundPassRate: {
    label: 'First-round pass rate',
    description: "Share of runs proposed from the model's first answer, with no reflection round",
  },
  survivalRate: {
    label: 'Survival rate',
    description: 'Share of accepted tasks whose changes were neither rolled back nor rewritten within a day',
  },
} as const;
type Measure = keyof typeof measures;

const percent = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)}%`);

export function Quality() {
  const trpc = useTRPC();
  const [bucket, setBucket] = useState<QualityBucket>('day');
  const [measure, setMeasure] = useState<Measure>('completionRate');
  const report = useQuery(trpc.admin.quality.queryOptions({ bucket }));
  if (report.isPending) return <PageState title="Loading quality…" busy />;
  if (report.isError)
    return (
      <PageState title="Could not load quality" tone="error">
        {errorMessage(report.error)}
      </PageState>
    );
  const { buckets, series, completionTarget } = report.data;
  const chosen = measures[measure];
  const chartSeries = series.map((s) => {
    const byBucket = new Map(s.points.map((p) => [p.bucket, p[measure]]));
    return { name: s.model, values: buckets.map((b) => byBucket.get(b) ?? null) };
  });
  const select = 'h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm';
  return (
    <section aria-labelledby="quality-heading" className="grid gap-3">
      <div className="flex flex-wrap items-end gap-3">
        <h2 id="quality-heading" className="mr-auto font-semibold">
          Task quality by model
        </h2>
        <label className="grid gap-1 text-xs text-zinc-700">
          Measure
          <select className={select} value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
            {Object.entries(measures).map(([key, m]) => (
              <option key={key} value={key}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1 text-xs text-zinc-700">
          Per
          <select
            className={select}
            value={bucket}
            onChange={(e) => setBucket(e.target.value as QualityBucket)}
          >
            <option value="day">Day</option>
            <option value="week">Week</option>
          </select>
        </label>
      </div>
      {series.length === 0 ? (
        <p className="text-sm text-zinc-600">No AI task finished in this period.</p>
      ) : (
        <>
          <LineChart
            title={`${chosen.label} per model and ${bucket}`}
            description={`${chosen.description}, per ${bucket}, from ${buckets[0] ?? ''} to ${buckets.at(-1) ?? ''}. The table below lists the numbers.`}
            buckets={buckets}
            series={chartSeries}
            {...(measure === 'completionRate'
              ? {
                  target: { value: completionTarget, label: `Target ${Math.round(completionTarget * 100)}%` },
                }
              : {})}
          />
          <table className="w-full overflow-hidden rounded-lg border border-zinc-200 bg-white">
            <caption className="sr-only">Task quality per model and {bucket}</caption>
            <thead className="bg-zinc-50">
              <tr>
                <th className={th} scope="col">
                  Model
                </th>
                <th className={th} scope="col">
                  {bucket === 'day' ? 'Day' : 'Week of'}
                </th>
                <th className={th} scope="col">
                  Tasks
                </th>
                <th className={th} scope="col">
                  Completed
                </th>
                <th className={th} scope="col">
                  First round
                </th>
                <th className={th} scope="col">
                  Survived
                </th>
                <th className={th} scope="col">
                  Ratings
                </th>
              </tr>
            </thead>
            <tbody>
              {series.flatMap((s) =>
                s.points.map((p) => (
                  <tr key={`${s.model} ${p.bucket}`} className="border-t border-zinc-100">
                    <td className={td}>{s.model}</td>
                    <td className={td}>{p.bucket}</td>
                    <td className={td}>{p.tasks}</td>
                    <td className={td}>{percent(p.completionRate)}</td>
                    <td className={td}>{percent(p.firstRoundPassRate)}</td>
                    <td className={td}>{percent(p.survivalRate)}</td>
                    <td className={td}>
                      <span aria-label={`${p.ratingsUp} thumbs up, ${p.ratingsDown} thumbs down`}>
                        👍 {p.ratingsUp} · 👎 {p.ratingsDown}
                      </span>
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
