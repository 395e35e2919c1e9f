import { describe, expect, it } from 'vitest';
import type { ContextSelection } from '../context/index.ts';
import { parseEdits } from '../edits/index.ts';
import { buildSystemPrompt, buildUserPrompt, fenceFile } from './prompt.ts';

describe('fenceFile', () => {
  it('puts the path on its own line and picks the language from the extension', () => {
    expect(fenceFile('src/a.ts', 'export const a = 1;\n')).toBe('src/a.ts\n```ts\nexport const a = 1;\n```');
    expect(fenceFile('Makefile', 'all:')).toBe('Makefile\n```\nall:\n```');
  });

  it('uses a longer fence than any inside the content, so the parser reads it back whole', () => {
    const readme = '# Demo\n\n```ts\nconst x = 1;\n```\n';
    const fenced = fenceFile('README.md', readme);
    expect(fenced.startsWith('README.md\n````markdown\n')).toBe(true);
    expect(parseEdits(`${fenced}\n`).edits).toMatchObject([
      { kind: 'whole-file', path: 'README.md', content: readme },
    ]);
  });
});

describe('prompts', () => {
  const selection: ContextSelection = {
    files: [
      { path: 'src/math.ts', reason: 'named', tokens: 12, content: 'export const one = 1;\n' },
      { path: 'src/util.ts', reason: 'import-neighbour', tokens: 9, content: 'export {};\n' },
    ],
    map: { text: 'src/\n  math.ts: const one\n  other.ts\n', tokens: 10 },
    totalTokens: 31,
    budgetTokens: 1_000,
    skipped: [{ path: 'src/big.ts', reason: 'relevant', tokens: 5_000 }],
  };

  it('teaches the edit format in the system prompt', () => {
    const system = buildSystemPrompt();
    expect(system).toContain('<<<<<<< SEARCH');
    expect(system).toMatch(/review hunk by hunk/);
  });

  it('orders map, files and request, and lists what did not fit', () => {
    const user = buildUserPrompt(selection, '  Add a `two` constant.  ');
    const map = user.indexOf('# Repository map');
    const files = user.indexOf('src/math.ts\n```ts\nexport const one = 1;\n```');
    const util = user.indexOf('src/util.ts\n```ts\n');
    const skipped = user.indexOf('- src/big.ts');
    const request = user.indexOf('# Request\n\nAdd a `two` constant.\n');
    expect([map, files, util, skipped, request].every((i) => i >= 0)).toBe(true);
    expect(map < files && files < util && util < skipped && skipped < request).toBe(true);
  });

  it('leaves out empty sections', () => {
    const user = buildUserPrompt(
      { ...selection, files: [], skipped: [], map: { text: '', tokens: 0 } },
      'Hi',
    );
    expect(user).toBe('# Request\n\nHi\n');
  });
});
