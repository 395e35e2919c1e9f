import { describe, expect, it } from 'vitest';
import { bucketRange, bucketStart, findingCounts, qualityReport, type QualityTaskRow } from './aggregate.ts';

function row(over: Partial<QualityTaskRow>): QualityTaskRow {
  return {
    model: 'gpt-x',
    state: 'applied',
    createdAt: new Date('2026-03-04T10:00:00Z'),
    firstRoundPassed: true,
    survived: true,
    ratingsUp: 0,
    ratingsDown: 0,
    ...over,
  };
}

describe('quality buckets', () => {
  it('puts a day in its UTC day and a week on its Monday', () => {
    expect(bucketStart(new Date('2026-03-04T23:59:59Z'), 'day')).toBe('2026-03-04');
    // 2026-03-04 is a Wednesday; 2026-03-08 a Sunday, still the week of Monday 2 March.
    expect(bucketStart(new Date('2026-03-04T10:00:00Z'), 'week')).toBe('2026-03-02');
    expect(bucketStart(new Date('2026-03-08T10:00:00Z'), 'week')).toBe('2026-03-02');
    expect(bucketStart(new Date('2026-03-09T00:00:00Z'), 'week')).toBe('2026-03-09');
  });

  it('lists every bucket of the range, empty ones too', () => {
    expect(bucketRange(new Date('2026-03-01T12:00:00Z'), new Date('2026-03-03T01:00:00Z'), 'day')).toEqual([
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
    ]);
    expect(
      bucketRange(new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 'day', 5),
    ).toHaveLength(5);
  });
});

describe('qualityReport', () => {
  const range = {
    from: new Date('2026-03-03T00:00:00Z'),
    to: new Date('2026-03-05T00:00:00Z'),
    bucket: 'day' as const,
  };

  it('counts completion, first-round passes, survival and ratings per model and day', () => {
    const report = qualityReport(
      [
        row({ ratingsUp: 2 }),
        row({ state: 'failed', firstRoundPassed: null, survived: null, ratingsDown: 1 }),
        row({ state: 'proposed', firstRoundPassed: false, survived: null }),
        row({ state: 'rolled-back', survived: false }),
        row({ model: null, state: 'cancelled', firstRoundPassed: null, survived: null }),
        // Unfinished and out-of-range tasks are not counted.
        row({ state: 'running' }),
        row({ createdAt: new Date('2026-02-01T00:00:00Z') }),
      ],
      range,
    );
    expect(report.buckets).toEqual(['2026-03-03', '2026-03-04', '2026-03-05']);
    expect(report.completionTarget).toBe(0.9);
    expect(report.series.map((s) => s.model)).toEqual(['(default)', 'gpt-x']);
    const [point] = report.series[1]?.points ?? [];
    expect(point).toEqual({
      bucket: '2026-03-04',
      tasks: 4,
      completed: 3,
      completionRate: 0.75,
      firstRoundPassRate: 2 / 3,
      survivalRate: 0.5,
      ratingsUp: 2,
      ratingsDown: 1,
    });
    expect(report.series[0]?.points[0]).toMatchObject({
      tasks: 1,
      completionRate: 0,
      firstRoundPassRate: null,
    });
  });

  it('returns no series when nothing finished in the range', () => {
    expect(qualityReport([row({ state: 'queued' })], range).series).toEqual([]);
  });
});

describe('findingCounts', () => {
  it('counts findings by severity, zero for the others', () => {
    expect(findingCounts([{ severity: 'high' }, { severity: 'high' }, { severity: 'low' }])).toEqual({
      critical: 0,
      high: 2,
      medium: 0,
      low: 1,
    });
  });
});
