import { describe, expect, it } from 'vitest';
import { applyEdits } from './apply.ts';
import { formatEditFeedback } from './feedback.ts';
import { parseEdits } from './parser.ts';

const FENCE = '```';

const files = new Map([
  ['src/a.ts', 'export const a = 1;\nexport const b = 2;\n'],
  ['src/dup.ts', '}\n}\n'],
  ['README.md', `# Demo\n\n${FENCE}sh\nnpm start\n${FENCE}\n`],
]);

function feedbackFor(answer: string): string {
  const { edits, problems } = parseEdits(answer);
  return formatEditFeedback(applyEdits(files, edits).results, problems);
}

describe('formatEditFeedback', () => {
  it('is empty when everything applied', () => {
    expect(
      feedbackFor(
        `src/a.ts\n${FENCE}\n<<<<<<< SEARCH\nexport const a = 1;\n=======\nexport const a = 10;\n>>>>>>> REPLACE\n${FENCE}\n`,
      ),
    ).toBe('');
  });

  it('explains each failure, shows the closest lines and lists what already applied', () => {
    const answer = [
      'src/a.ts',
      FENCE,
      '<<<<<<< SEARCH',
      'export const a = 1;',
      '=======',
      'export const a = 10;',
      '>>>>>>> REPLACE',
      '<<<<<<< SEARCH',
      'export const b = 3;',
      '=======',
      'export const b = 30;',
      '>>>>>>> REPLACE',
      FENCE,
      'src/dup.ts',
      FENCE,
      '<<<<<<< SEARCH',
      '}',
      '=======',
      '};',
      '>>>>>>> REPLACE',
      FENCE,
      'src/x.ts',
      FENCE,
      '<<<<<<< SEARCH',
      'cut',
    ].join('\n');
    const text = feedbackFor(answer);
    expect(text).toContain('# 3 edits could not be applied');
    expect(text).toContain(
      '## SEARCH/REPLACE block for src/a.ts (edit 2, line 8 of your answer): EDIT_NO_MATCH\n\n' +
        'The SEARCH text does not match any lines in src/a.ts.\n\n' +
        `${FENCE}\n<<<<<<< SEARCH\nexport const b = 3;\n=======\nexport const b = 30;\n>>>>>>> REPLACE\n${FENCE}`,
    );
    expect(text).toContain(
      `Did you mean to match these lines in src/a.ts (lines 2-2)?\n${FENCE}\nexport const b = 2;\n${FENCE}`,
    );
    expect(text).toContain('EDIT_AMBIGUOUS\n\nThe SEARCH text matches 2 places in src/dup.ts (lines 1, 2)');
    expect(text).toContain('## Malformed edit at line 24 of your answer (src/x.ts)');
    expect(text).toContain('must match existing lines of the file exactly');
    expect(text).toContain(
      '# 1 edit was applied successfully; do not send it again:\n' +
        '- SEARCH/REPLACE block for src/a.ts (edit 1, line 3 of your answer)',
    );
    expect(text.trimEnd().endsWith('Reply with fixed versions of the failed edits only.')).toBe(true);
  });

  it('fences quoted text with more backticks than it contains', () => {
    const answer = `README.md\n\`\`\`\`\n<<<<<<< SEARCH\n${FENCE}bash\n=======\n${FENCE}sh\n>>>>>>> REPLACE\n\`\`\`\`\n`;
    const text = feedbackFor(answer);
    expect(text).toContain(`\`\`\`\`\n<<<<<<< SEARCH\n${FENCE}bash\n=======`);
    expect(text).toContain(
      `Did you mean to match these lines in README.md (lines 3-3)?\n\`\`\`\`\n${FENCE}sh\n\`\`\`\``,
    );
  });

  it('quotes a failed diff hunk and explains refused paths without the matching reminder', () => {
    const answer = [
      `${FENCE}diff`,
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -1 +1 @@',
      '-export const z = 1;',
      '+export const z = 2;',
      FENCE,
      '../secrets.txt',
      FENCE,
      'x',
      FENCE,
    ].join('\n');
    const text = feedbackFor(answer);
    expect(text).toContain(`## diff hunk 1 for src/a.ts (edit 1): EDIT_NO_MATCH`);
    expect(text).toContain(`${FENCE}diff\n@@ @@\n-export const z = 1;\n+export const z = 2;\n${FENCE}`);
    expect(text).toContain(
      '## whole-file content for ../secrets.txt (edit 2): INVALID_PATH\n\nInvalid path "../secrets.txt": \'..\' is not allowed.',
    );

    const refusedOnly = formatEditFeedback(
      applyEdits(files, parseEdits(`../secrets.txt\n${FENCE}\nx\n${FENCE}\n`).edits).results,
    );
    expect(refusedOnly).not.toContain('must match existing lines');
    expect(refusedOnly).not.toContain('applied successfully');
  });
});
