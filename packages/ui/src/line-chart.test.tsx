import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LineChart, lineSegments } from './line-chart.tsx';

describe('lineSegments', () => {
  it('breaks the line where a value is missing', () => {
    expect(
      lineSegments(
        [0, 0.5, null, 1],
        (i) => i * 10,
        (v) => v * 100,
      ),
    ).toEqual(['0.0,0.0 10.0,50.0', '30.0,100.0']);
    expect(
      lineSegments(
        [null, null],
        (i) => i,
        (v) => v,
      ),
    ).toEqual([]);
  });
});

describe('LineChart', () => {
  it('is an image named by its title and description, with the target and a legend', () => {
    const html = renderToStaticMarkup(
      <LineChart
        title="Completion rate"
        description="Share of finished tasks that completed, per model and day."
        buckets={['2026-03-01', '2026-03-02']}
        series={[
          { name: 'model-a', values: [0.5, 1] },
          { name: 'model-b', values: [null, 0.25] },
        ]}
        target={{ value: 0.9, label: 'Target 90%' }}
      />,
    );
    expect(html).toContain('role="img"');
    expect(html).toMatch(/<title id="[^"]+-title">Completion rate<\/title>/);
    expect(html).toContain('data-target="0.9"');
    expect(html.match(/<circle /g)).toHaveLength(3);
    expect(html).toContain('data-series="model-b"');
    expect(html).toContain('Target 90%');
  });
});
