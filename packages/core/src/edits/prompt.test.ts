import { describe, expect, it } from 'vitest';
import { applyEdits } from './apply.ts';
import { parseEdits } from './parser.ts';
import { editFormatPrompt } from './prompt.ts';

describe('editFormatPrompt', () => {
  it('teaches the markers the parser reads', () => {
    const prompt = editFormatPrompt();
    for (const marker of ['<<<<<<< SEARCH', '=======', '>>>>>>> REPLACE', '+++ /dev/null']) {
      expect(prompt).toContain(marker);
    }
  });

  it('has an example that parses and applies cleanly', () => {
    const { edits, problems } = parseEdits(editFormatPrompt());
    expect(problems).toEqual([]);
    expect(edits.map((e) => [e.kind, e.path])).toEqual([
      ['search-replace', 'src/greet.ts'],
      ['search-replace', 'src/farewell.ts'],
    ]);
    const greet = "export function greet(name: string): string {\n  return 'Hello ' + name;\n}\n";
    const out = applyEdits(new Map([['src/greet.ts', greet]]), edits);
    expect(out.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(out.files.get('src/greet.ts')).toContain("punctuation = '!'");
    expect(out.files.has('src/farewell.ts')).toBe(true);
  });
});
