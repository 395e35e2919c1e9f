import { describe, expect, it } from 'vitest';
import { computeChangeset } from '../changeset/compute-changeset.ts';
import type { Finding } from './findings.ts';
import { findingsOnPaths, mapFindingsToHunks } from './map-hunks.ts';

const BASE = 'a\nb\nc\nd\ne\nf\ng\n';
const NEXT = 'a\nB1\nB2\nc\nd\ne\nf\nG\n';

function at(path: string, line: number): Finding {
  return { tool: 't', rule: 'r', severity: 'high', path, line, message: 'm' };
}

describe('mapFindingsToHunks', () => {
  const changeset = computeChangeset(
    new Map([['src/a.ts', BASE]]),
    new Map([
      ['src/a.ts', NEXT],
      ['src/new.ts', 'x\ny\n'],
    ]),
    [],
    { taskId: 't' },
  );
  const file = changeset.files.find((f) => f.path === 'src/a.ts');
  const [first, second] = file?.hunks ?? [];

  it('gives a finding on a written line its hunk, and none elsewhere', () => {
    expect(first).toMatchObject({ newStart: 2, newLines: 2 });
    expect(second).toMatchObject({ newStart: 8, newLines: 1 });
    const mapped = mapFindingsToHunks(
      [at('src/a.ts', 1), at('src/a.ts', 2), at('src/a.ts', 3), at('src/a.ts', 4), at('src/a.ts', 8)],
      changeset,
    );
    expect(mapped.map((f) => f.hunkId)).toEqual([undefined, first?.id, first?.id, undefined, second?.id]);
  });

  it('maps created files and leaves untouched files and stale hunk ids alone', () => {
    const mapped = mapFindingsToHunks(
      [at('src/new.ts', 2), { ...at('src/other.ts', 1), hunkId: '9-9' }],
      changeset,
    );
    expect(mapped[0]?.hunkId).toMatch(/^\d+-\d+$/);
    expect(mapped[1]).not.toHaveProperty('hunkId');
  });
});

describe('findingsOnPaths', () => {
  it('keeps findings in the changed files only', () => {
    expect(findingsOnPaths([at('a', 1), at('b', 1)], ['b']).map((f) => f.path)).toEqual(['b']);
  });
});
