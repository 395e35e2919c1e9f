import { describe, expect, it } from 'vitest';
import { applyEdits, parseEdits } from '../edits/index.ts';
import { eventLimits, taskEventSchema } from '../events/index.ts';
import { bounded, editEvent, errorEvent, validationEvent } from './to-events.ts';

const FENCE = '```';

function resultsOf(files: Record<string, string>, answer: string) {
  const { edits } = parseEdits(answer);
  return applyEdits(new Map(Object.entries(files)), edits).results;
}

describe('editEvent', () => {
  it('maps applied edits with kind, format and rung, noting tolerant matches', () => {
    const [modified, created] = resultsOf(
      { 'a.ts': '  if (x) {\n    go();\n  }\n' },
      `a.ts\n${FENCE}ts\n<<<<<<< SEARCH\nif (x) {\n  go();\n}\n=======\nif (x) {\n  stop();\n}\n>>>>>>> REPLACE\n${FENCE}\n\n` +
        `b.ts\n${FENCE}ts\n<<<<<<< SEARCH\n=======\nexport {};\n>>>>>>> REPLACE\n${FENCE}\n`,
    );
    const first = editEvent(modified!, true);
    expect(first).toMatchObject({
      type: 'edit',
      path: 'a.ts',
      kind: 'modify',
      format: 'search-replace',
      status: 'applied',
    });
    expect(first.rung).toBe('indentation');
    expect(first.message).toMatch(/different indentation/);
    expect(editEvent(created!, true)).toEqual({
      type: 'edit',
      path: 'b.ts',
      kind: 'create',
      format: 'search-replace',
      status: 'applied',
    });
  });

  it('maps failures with their code, and a deletion diff as unified-diff', () => {
    const [missing, deletion] = resultsOf(
      { 'a.ts': 'x\n' },
      `a.ts\n${FENCE}\n<<<<<<< SEARCH\nnope\n=======\ny\n>>>>>>> REPLACE\n${FENCE}\n\n` +
        `${FENCE}diff\n--- a/zzz.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n${FENCE}\n`,
    );
    expect(editEvent(missing!, true)).toMatchObject({
      kind: 'modify',
      status: 'failed',
      message: expect.stringMatching(/^EDIT_NO_MATCH: /) as string,
    });
    expect(editEvent(deletion!, false)).toMatchObject({
      kind: 'delete',
      format: 'unified-diff',
      status: 'failed',
    });
  });

  it('bounds a hostile path and message so the event still validates', () => {
    const [result] = resultsOf(
      {},
      `${'d/'.repeat(2_000)}x.ts\n${FENCE}\n<<<<<<< SEARCH\n=======\nx\n>>>>>>> REPLACE\n${FENCE}\n`,
    );
    const event = editEvent(result!, false);
    expect(event.path.length).toBeLessThanOrEqual(eventLimits.path);
    expect(taskEventSchema.safeParse(event).success).toBe(true);
  });
});

describe('validationEvent', () => {
  it('renames column to col, clamps positions and caps the diagnostics list', () => {
    const diagnostics = Array.from({ length: 600 }, (_, i) => ({
      path: 'a.ts',
      line: i === 0 ? 0 : i,
      column: 3,
      severity: 'error' as const,
      message: i === 0 ? 'x'.repeat(10_000) : `problem ${i}`,
      rule: 'syntax',
    }));
    const event = validationEvent({ validator: 'syntax', path: 'a.ts', ok: false, diagnostics });
    expect(event.diagnostics).toHaveLength(eventLimits.diagnostics);
    expect(event.diagnostics[0]).toMatchObject({ line: 1, col: 3, severity: 'error', rule: 'syntax' });
    expect(event.diagnostics[1]).toEqual({
      line: 1,
      col: 3,
      severity: 'error',
      message: 'problem 1',
      rule: 'syntax',
    });
    expect(taskEventSchema.safeParse(event).success).toBe(true);
  });
});

describe('errorEvent', () => {
  it('marks transient provider failures retryable and configuration failures not', () => {
    expect(errorEvent('LLM_TIMEOUT', 'slow')).toEqual({
      type: 'error',
      code: 'LLM_TIMEOUT',
      message: 'slow',
      retryable: true,
    });
    expect(errorEvent('LLM_AUTH', 'bad key').retryable).toBe(false);
    expect(errorEvent('BUDGET_EXCEEDED', '').message).toBe('BUDGET_EXCEEDED');
  });
});

describe('bounded', () => {
  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(8)}😀😀`;
    const cut = bounded(text, 10);
    expect(cut.length).toBeLessThanOrEqual(10);
    expect(cut).toBe(`${'a'.repeat(8)}…`);
    expect(bounded('short', 10)).toBe('short');
  });
});
