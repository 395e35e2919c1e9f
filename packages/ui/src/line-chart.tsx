// A small SVG line chart of shares (0–100 %) over time buckets, one line per series, with an optional target line.
// Drawn here rather than with a charting library: the admin console needs lines, points, a target and a legend.
// The SVG is an image with a title and a description for assistive technology; pages put the numbers in a table
// beside it as the accessible alternative.
import { useId } from 'react';

export interface LineSeries {
  name: string;
  /** One value per bucket, in [0, 1]; null where there is nothing to show (a gap in the line). */
  values: readonly (number | null)[];
}

export interface LineChartProps {
  title: string;
  description: string;
  /** Labels of the x axis, oldest first. */
  buckets: readonly string[];
  series: readonly LineSeries[];
  /** A dashed horizontal line, in [0, 1]. */
  target?: { value: number; label: string };
  width?: number;
  height?: number;
}

/** Colours for the lines, each at least 3:1 against white (WCAG non-text contrast). */
export const seriesColors = ['#4338ca', '#b45309', '#047857', '#be123c', '#6d28d9', '#0e7490'] as const;

const PAD = { top: 12, right: 16, bottom: 28, left: 40 };

/** Polyline segments of a series: runs of consecutive known values, as SVG point lists. */
export function lineSegments(
  values: readonly (number | null)[],
  x: (index: number) => number,
  y: (value: number) => number,
): string[] {
  const segments: string[] = [];
  let current: string[] = [];
  values.forEach((value, index) => {
    if (value === null) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${x(index).toFixed(1)},${y(value).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current.join(' '));
  return segments;
}

export function LineChart({
  title,
  description,
  buckets,
  series,
  target,
  width = 640,
  height = 240,
}: LineChartProps) {
  const id = useId();
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (index: number) =>
    PAD.left + (buckets.length <= 1 ? plotW / 2 : (index / (buckets.length - 1)) * plotW);
  const y = (value: number) => PAD.top + (1 - Math.min(1, Math.max(0, value))) * plotH;
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 6));
  return (
    <figure className="grid gap-2">
      <svg
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${width} ${height}`}
        className="w-full max-w-full rounded-lg border border-zinc-200 bg-white"
        data-chart="line"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {[0, 0.25, 0.5, 0.75, 1].map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={width - PAD.right} y1={y(tick)} y2={y(tick)} stroke="#e4e4e7" />
            <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end" fontSize="10" fill="#52525b">
              {Math.round(tick * 100)}%
            </text>
          </g>
        ))}
        {buckets.map((bucket, index) =>
          index % labelEvery === 0 || index === buckets.length - 1 ? (
            <text key={bucket} x={x(index)} y={height - 8} textAnchor="middle" fontSize="10" fill="#52525b">
              {bucket.slice(5)}
            </text>
          ) : null,
        )}
        {target ? (
          <g data-target={target.value}>
            <line
              x1={PAD.left}
              x2={width - PAD.right}
              y1={y(target.value)}
              y2={y(target.value)}
              stroke="#dc2626"
              strokeDasharray="6 4"
            />
            <text x={width - PAD.right} y={y(target.value) - 4} textAnchor="end" fontSize="10" fill="#b91c1c">
              {target.label}
            </text>
          </g>
        ) : null}
        {series.map((s, si) => {
          const color = seriesColors[si % seriesColors.length];
          return (
            <g key={s.name} data-series={s.name}>
              {lineSegments(s.values, x, y).map((points) => (
                <polyline key={points} points={points} fill="none" stroke={color} strokeWidth="2" />
              ))}
              {s.values.map((value, index) =>
                value === null ? null : (
                  <circle key={buckets[index]} cx={x(index)} cy={y(value)} r="3" fill={color} />
                ),
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="flex flex-wrap gap-3 text-xs text-zinc-700">
        {series.map((s, si) => (
          <span key={s.name} className="inline-flex items-center gap-1">
            <span
              aria-hidden="true"
              className="inline-block h-2 w-4 rounded-sm"
              style={{ background: seriesColors[si % seriesColors.length] }}
            />
            {s.name}
          </span>
        ))}
        {target ? (
          <span className="inline-flex items-center gap-1">
            <span aria-hidden="true" className="inline-block w-4 border-t-2 border-dashed border-red-600" />
            {target.label}
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}
