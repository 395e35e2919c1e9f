// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { CheckResultsView } from './check-results-view.tsx';
import { OpenLocationContext } from './open-location.tsx';
import { mount } from './test-dom.tsx';

const entry = {
  check: 'security' as const,
  status: 'failed' as const,
  durationMs: undefined,
  summary: undefined,
  output: '',
  findings: [
    {
      tool: 'eslint-security',
      rule: 'security/detect-eval-with-expression',
      severity: 'high' as const,
      path: 'src/a.ts',
      line: 3,
      message: 'eval of an expression',
    },
  ],
};

describe('location links', () => {
  it('a finding opens its file at its line where the code mode provides an opener', () => {
    const opened: [string, number | undefined][] = [];
    const el = mount(
      <OpenLocationContext.Provider value={(path, line) => opened.push([path, line])}>
        <CheckResultsView checks={[entry]} />
      </OpenLocationContext.Provider>,
    );
    const link = el.querySelector('button[title="Open src/a.ts at line 3"]');
    expect(link?.textContent).toBe('src/a.ts:3');
    act(() => (link as HTMLButtonElement).click());
    expect(opened).toEqual([['src/a.ts', 3]]);
  });

  it('is plain code without an opener', () => {
    const el = mount(<CheckResultsView checks={[entry]} />);
    expect(el.querySelector('button')).toBeNull();
    expect(el.querySelector('code')?.textContent).toBe('src/a.ts:3');
  });
});
