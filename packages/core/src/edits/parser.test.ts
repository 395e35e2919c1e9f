import { describe, expect, it } from 'vitest';
import { createEditParser, parseEdits } from './parser.ts';
import type { ParsedEdit } from './types.ts';

const FENCE = '```';

function only(text: string): ParsedEdit {
  const { edits, problems } = parseEdits(text);
  expect(problems).toEqual([]);
  expect(edits).toHaveLength(1);
  return edits[0]!;
}

function block(
  search: string,
  replace: string,
  marker = { head: '<<<<<<< SEARCH', mid: '=======', tail: '>>>>>>> REPLACE' },
) {
  return `${marker.head}\n${search}${marker.mid}\n${replace}${marker.tail}\n`;
}

describe('parseEdits: search/replace blocks', () => {
  it('reads the canonical Aider block', () => {
    const edit = only(
      `I'll rename the function.\n\nsrc/math.py\n${FENCE}python\n${block('def add(a, b):\n', 'def plus(a, b):\n')}${FENCE}\n\nDone.`,
    );
    expect(edit).toEqual({
      kind: 'search-replace',
      index: 0,
      line: 5,
      path: 'src/math.py',
      search: 'def add(a, b):\n',
      replace: 'def plus(a, b):\n',
    });
  });

  it.each([
    ['plain', 'src/app.ts'],
    ['backticks', '`src/app.ts`'],
    ['bold', '**src/app.ts**'],
    ['bold backticks with colon', '**`src/app.ts`**:'],
    ['heading', '### src/app.ts'],
    ['File: label', 'File: src/app.ts'],
    ['heading with label and backticks', '## File: `src/app.ts`'],
    ['trailing colon', 'src/app.ts:'],
    ['escaped underscore', 'src/my\\_app.ts'],
  ])('takes the path from a %s line', (_name, pathLine) => {
    const edit = only(`${pathLine}\n${FENCE}ts\n${block('a\n', 'b\n')}${FENCE}\n`);
    expect(edit.path).toBe(pathLine.includes('my') ? 'src/my_app.ts' : 'src/app.ts');
  });

  it('takes the path from the first line inside the fence (diff-fenced)', () => {
    const edit = only(`${FENCE}\nlib/util.go\n${block('x := 1\n', 'x := 2\n')}${FENCE}\n`);
    expect(edit).toMatchObject({ path: 'lib/util.go', search: 'x := 1\n', replace: 'x := 2\n' });
  });

  it('takes the path from the fence info string', () => {
    expect(only(`${FENCE}ts:src/a.ts\n${block('a\n', 'b\n')}${FENCE}\n`).path).toBe('src/a.ts');
    expect(only(`${FENCE}src/b.ts\n${block('a\n', 'b\n')}${FENCE}\n`).path).toBe('src/b.ts');
  });

  it('takes a path that sits in a fence of its own before the block', () => {
    const text = `${FENCE}python\nword_count.py\n${FENCE}\n${FENCE}python\n${block('a\n', 'b\n')}${FENCE}\n`;
    expect(only(text).path).toBe('word_count.py');
  });

  it.each([
    ['5 chars', { head: '<<<<< SEARCH', mid: '=====', tail: '>>>>> REPLACE' }],
    ['9 chars', { head: '<<<<<<<<< SEARCH', mid: '=========', tail: '>>>>>>>>> REPLACE' }],
    ['trailing spaces', { head: '<<<<<<< SEARCH   ', mid: '=======  ', tail: '>>>>>>> REPLACE \t' }],
    ['lower case', { head: '<<<<<<< search', mid: '=======', tail: '>>>>>>> replace' }],
  ])('accepts markers with %s', (_name, marker) => {
    const edit = only(`a.txt\n${FENCE}\n${block('old\n', 'new\n', marker)}${FENCE}\n`);
    expect(edit).toMatchObject({ search: 'old\n', replace: 'new\n' });
  });

  it('does not take 4 or 10 marker characters as markers', () => {
    const { edits, problems } = parseEdits(`a.txt\n${FENCE}\n<<<< SEARCH\nx\n==========\n${FENCE}\n`);
    expect(problems).toEqual([]);
    expect(edits).toEqual([
      { kind: 'whole-file', index: 0, line: 2, path: 'a.txt', content: '<<<< SEARCH\nx\n==========\n' },
    ]);
  });

  it('accepts a missing closing fence at the end of the answer', () => {
    const edit = only(`a.txt\n${FENCE}text\n${block('old\n', 'new\n')}`.trimEnd());
    expect(edit).toMatchObject({ path: 'a.txt', search: 'old\n', replace: 'new\n' });
  });

  it('reads several blocks for one file in one fence, with prose between them', () => {
    const text =
      `src/a.ts\n${FENCE}ts\n${block('one\n', '1\n')}\nAnd then:\n\n${block('two\n', '2\n')}${FENCE}\n` +
      `${FENCE}ts\n${block('three\n', '3\n')}${FENCE}\n`;
    const { edits, problems } = parseEdits(text);
    expect(problems).toEqual([]);
    expect(edits.map((e) => [e.index, e.path, e.kind === 'search-replace' && e.search])).toEqual([
      [0, 'src/a.ts', 'one\n'],
      [1, 'src/a.ts', 'two\n'],
      [2, 'src/a.ts', 'three\n'],
    ]);
  });

  it('switches file when a path line comes before a block inside the fence', () => {
    const text = `src/a.ts\n${FENCE}ts\n${block('a\n', 'A\n')}src/b.ts\n${block('b\n', 'B\n')}${FENCE}\n`;
    expect(parseEdits(text).edits.map((e) => e.path)).toEqual(['src/a.ts', 'src/b.ts']);
  });

  it('recovers when the model forgets the closing fence before the next file', () => {
    const text = `a.ts\n${FENCE}ts\n${block('a\n', 'A\n')}\nb.ts\n${FENCE}ts\n${block('b\n', 'B\n')}${FENCE}\n`;
    expect(parseEdits(text).edits.map((e) => e.path)).toEqual(['a.ts', 'b.ts']);
  });

  it('reads blocks written without any fence', () => {
    const edit = only(`Change it:\n\nnotes.md\n${block('# Old\n', '# New\n')}`);
    expect(edit).toMatchObject({ path: 'notes.md', search: '# Old\n', replace: '# New\n' });
  });

  it('reads an empty SEARCH as file creation', () => {
    const edit = only(
      `src/new.ts\n${FENCE}ts\n<<<<<<< SEARCH\n=======\nexport const x = 1;\n>>>>>>> REPLACE\n${FENCE}`,
    );
    expect(edit).toMatchObject({
      kind: 'search-replace',
      path: 'src/new.ts',
      search: '',
      replace: 'export const x = 1;\n',
    });
  });

  it('reads an empty REPLACE as deletion of the lines', () => {
    expect(only(`a.py\n${FENCE}\n${block('import os\n', '')}${FENCE}\n`)).toMatchObject({
      search: 'import os\n',
      replace: '',
    });
  });

  it('keeps code lines verbatim, including fences and trailing spaces inside the block', () => {
    const search = `  indented  \n${FENCE}js\n\n`;
    const replace = `\ttabbed\n${FENCE}\n`;
    expect(only(`README.md\n\`\`\`\`\n${block(search, replace)}\`\`\`\`\n`)).toMatchObject({
      search,
      replace,
    });
  });

  it('normalizes CRLF in the answer', () => {
    const text = `a.txt\r\n${FENCE}\r\n<<<<<<< SEARCH\r\nold\r\n=======\r\nnew\r\n>>>>>>> REPLACE\r\n${FENCE}\r\n`;
    expect(only(text)).toMatchObject({ path: 'a.txt', search: 'old\n', replace: 'new\n' });
  });

  it('records the answer line of each edit', () => {
    const text = `intro\n\na.txt\n${FENCE}\n${block('1\n', '2\n')}${FENCE}\n\nb.txt\n${FENCE}\n${block('3\n', '4\n')}${FENCE}\n`;
    expect(parseEdits(text).edits.map((e) => e.line)).toEqual([5, 14]);
  });

  it('does not take a sentence before a fence as a path', () => {
    const { edits, problems } = parseEdits(
      `Here is the new version of the function:\n${FENCE}ts\nconst a = 1;\n${FENCE}\n`,
    );
    expect(edits).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('parseEdits: malformed blocks become problems', () => {
  it('reports SEARCH without ======= at the end', () => {
    const { edits, problems } = parseEdits(`a.txt\n${FENCE}\n<<<<<<< SEARCH\nold\n`);
    expect(edits).toEqual([]);
    expect(problems).toMatchObject([
      { code: 'PARSE_ERROR', kind: 'missing-divider', line: 3, path: 'a.txt' },
    ]);
    expect(problems[0]?.message).toContain('=======');
  });

  it('reports a block cut off before REPLACE', () => {
    const { edits, problems } = parseEdits(`a.txt\n${FENCE}\n<<<<<<< SEARCH\nold\n=======\nnew\n`);
    expect(edits).toEqual([]);
    expect(problems.map((p) => p.kind)).toEqual(['missing-replace-marker']);
  });

  it('reports a block with no file path', () => {
    const { edits, problems } = parseEdits(`${FENCE}\n${block('a\n', 'b\n')}${FENCE}\n`);
    expect(edits).toEqual([]);
    expect(problems.map((p) => [p.kind, p.line])).toEqual([['missing-path', 2]]);
  });

  it('reports REPLACE without SEARCH and does not take the fence as a whole file', () => {
    const { edits, problems } = parseEdits(`a.txt\n${FENCE}\nold\n=======\nnew\n>>>>>>> REPLACE\n${FENCE}\n`);
    expect(edits).toEqual([]);
    expect(problems.map((p) => [p.kind, p.line, p.path])).toEqual([['missing-search-marker', 6, 'a.txt']]);
  });

  it('reports a block interrupted by the next SEARCH and still reads the next one', () => {
    const text = `a.txt\n${FENCE}\n<<<<<<< SEARCH\nx\n=======\ny\n${block('p\n', 'q\n')}${FENCE}\n`;
    const { edits, problems } = parseEdits(text);
    expect(problems.map((p) => p.kind)).toEqual(['missing-replace-marker']);
    expect(edits).toMatchObject([{ path: 'a.txt', search: 'p\n', replace: 'q\n' }]);
  });
});

describe('parseEdits: whole files', () => {
  it('reads a fenced block under a path as the whole file', () => {
    expect(
      only(`Create it:\n\nsrc/hello.py\n${FENCE}python\nprint("hi")\n\nprint("bye")\n${FENCE}\n`),
    ).toEqual({
      kind: 'whole-file',
      index: 0,
      line: 4,
      path: 'src/hello.py',
      content: 'print("hi")\n\nprint("bye")\n',
    });
  });

  it('keeps nested fences of a Markdown file', () => {
    const content = `# Title\n\n${FENCE}sh\nnpm test\n${FENCE}\n\nEnd\n`;
    expect(only(`docs/README.md\n${FENCE}markdown\n${content}${FENCE}\n`)).toMatchObject({ content });
  });

  it('takes an unclosed whole-file fence at the end of the answer', () => {
    expect(only(`a.json\n${FENCE}json\n{}\n`)).toMatchObject({ kind: 'whole-file', content: '{}\n' });
  });

  it('reads an empty fence as an empty file', () => {
    expect(only(`.gitkeep\n${FENCE}\n${FENCE}\n`)).toMatchObject({
      kind: 'whole-file',
      path: '.gitkeep',
      content: '',
    });
  });
});

describe('parseEdits: unified diffs', () => {
  it('reads hunks and keeps wrong line numbers only as hints', () => {
    const text = [
      `${FENCE}diff`,
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -99,3 +99,3 @@',
      ' const a = 1;',
      '-const b = 2;',
      '+const b = 3;',
      '',
      ' export { a, b };',
      '@@ @@',
      '-old',
      '+new',
      FENCE,
    ].join('\n');
    expect(only(text)).toEqual({
      kind: 'diff',
      index: 0,
      line: 2,
      path: 'src/a.ts',
      newFile: false,
      hunks: [
        {
          oldStart: 99,
          line: 4,
          lines: [
            { op: 'context', text: 'const a = 1;' },
            { op: 'remove', text: 'const b = 2;' },
            { op: 'add', text: 'const b = 3;' },
            { op: 'context', text: '' },
            { op: 'context', text: 'export { a, b };' },
          ],
        },
        {
          oldStart: undefined,
          line: 10,
          lines: [
            { op: 'remove', text: 'old' },
            { op: 'add', text: 'new' },
          ],
        },
      ],
    });
  });

  it('reads new files, deletions and several files in one fence', () => {
    const text = [
      'Here is the patch:',
      `${FENCE}diff`,
      'diff --git a/x.txt b/x.txt',
      'new file mode 100644',
      'index 0000000..e69de29',
      '--- /dev/null',
      '+++ b/x.txt',
      '@@ -0,0 +1,2 @@',
      '+hello',
      '+world',
      '--- a/old.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-bye',
      '--- a/y.txt\t2024-01-01 00:00:00',
      '+++ b/y.txt\t2024-01-01 00:00:01',
      '-a',
      '+b',
      '\\ No newline at end of file',
      FENCE,
    ].join('\n');
    const { edits, problems } = parseEdits(text);
    expect(problems).toEqual([]);
    expect(edits.map((e) => [e.index, e.kind, e.path, e.kind === 'diff' && e.newFile])).toEqual([
      [0, 'diff', 'x.txt', true],
      [1, 'delete', 'old.txt', false],
      [2, 'diff', 'y.txt', false],
    ]);
    expect(edits[0]).toMatchObject({
      hunks: [
        {
          lines: [
            { op: 'add', text: 'hello' },
            { op: 'add', text: 'world' },
          ],
        },
      ],
    });
    expect(edits[2]).toMatchObject({
      hunks: [
        {
          lines: [
            { op: 'remove', text: 'a' },
            { op: 'add', text: 'b' },
          ],
        },
      ],
    });
  });

  it('uses the path before the fence for a diff without headers', () => {
    expect(only(`src/a.ts\n${FENCE}diff\n@@ -1 +1 @@\n-a\n+b\n${FENCE}\n`)).toMatchObject({
      kind: 'diff',
      path: 'src/a.ts',
    });
  });

  it('reports a headerless diff with no path and a diff with no changes', () => {
    const { edits, problems } = parseEdits(
      `${FENCE}diff\n@@ -1 +1 @@\n-a\n+b\n${FENCE}\n${FENCE}diff\n--- a/z\n+++ b/z\n@@ @@\n same\n${FENCE}\n`,
    );
    expect(edits).toEqual([]);
    expect(problems.map((p) => [p.kind, p.line])).toEqual([
      ['missing-path', 2],
      ['empty-diff', 7],
    ]);
  });

  it('reads a diff whole when its context lines hold code fences (a sample in a comment)', () => {
    // The file documents its API with a fenced example; the model's diff shows those lines as context.
    const diff = [
      '--- a/src/ky.ts',
      '+++ b/src/ky.ts',
      '@@ -1,6 +1,6 @@',
      ' /**',
      ' \t```ts',
      ' \tconst json = await ky.get(url).json();',
      ' \t```',
      '-export const timeout = 10_000;',
      '+export const timeout = 30_000;',
      '@@ -20,3 +20,3 @@',
      '    ```',
      '-const retries = 2;',
      '+const retries = 3;',
    ].join('\n');
    for (const info of ['diff', '']) {
      const edit = only(`${FENCE}${info}\n${diff}\n${FENCE}\n\nDone.\n`);
      expect(edit).toMatchObject({ kind: 'diff', path: 'src/ky.ts' });
      expect(edit.kind === 'diff' ? edit.hunks : []).toHaveLength(2);
    }
  });

  it('recognises a diff by its headers even without the diff info string', () => {
    expect(only(`${FENCE}\n--- a/q.txt\n+++ b/q.txt\n@@ @@\n-1\n+2\n${FENCE}\n`)).toMatchObject({
      kind: 'diff',
      path: 'q.txt',
    });
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function streamed(text: string, cuts: number[]): { edits: ParsedEdit[]; problems: unknown[] } {
  const parser = createEditParser();
  const edits: ParsedEdit[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    edits.push(...parser.push(text.slice(from, cut)));
    from = cut;
  }
  edits.push(...parser.end());
  return { edits, problems: [...parser.problems] };
}

// Most of what the tests above exercise, in one answer: CRLF in places, no final fence, a cut-off last block.
const KITCHEN_SINK = [
  'Sure! Here are the changes.\r',
  '',
  '**src/app.ts**',
  `${FENCE}typescript`,
  '<<<<<<< SEARCH  ',
  'const port = 3000;',
  '=======',
  'const port = Number(process.env.PORT ?? 3000);',
  '>>>>>>> REPLACE',
  '',
  'Also update the import:',
  '',
  '<<<<<<<<< SEARCH',
  "import x from 'x';\r",
  '=========',
  '>>>>>>>>> REPLACE',
  FENCE,
  '',
  FENCE,
  'lib/other.py',
  '<<<<<<< SEARCH',
  '=======',
  'print(1)',
  '>>>>>>> REPLACE',
  FENCE,
  'docs/guide.md',
  `${FENCE}md`,
  '# Guide',
  `${FENCE}sh`,
  'pnpm test',
  FENCE,
  FENCE,
  `${FENCE}diff`,
  '--- a/src/util.ts',
  '+++ b/src/util.ts',
  '@@ -10,2 +10,2 @@',
  ' a',
  '-b',
  '+c',
  '--- a/gone.txt',
  '+++ /dev/null',
  FENCE,
  FENCE,
  '<<<<<<< SEARCH',
  'x',
  '=======',
  '>>>>>>> REPLACE',
  FENCE,
  '',
  'c.txt',
  FENCE,
  '<<<<<<< SEARCH',
  'tail',
  '=======',
  'end',
  '>>>>>>> REPLACE',
  '',
  'd.txt',
  '<<<<<<< SEARCH',
  'cut off',
].join('\n');

describe('createEditParser: streaming', () => {
  it('emits a block as soon as its REPLACE marker line is complete', () => {
    const parser = createEditParser();
    expect(parser.push(`a.txt\n${FENCE}\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPL`)).toEqual([]);
    expect(parser.push('ACE')).toEqual([]);
    expect(parser.push('\n')).toMatchObject([{ kind: 'search-replace', path: 'a.txt' }]);
    expect(parser.push(`${FENCE}\nmore prose\n`)).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it('emits a whole file or a diff when its fence closes', () => {
    const parser = createEditParser();
    expect(parser.push(`a.txt\n${FENCE}\nhello\n`)).toEqual([]);
    expect(parser.push(`${FENCE}\n`)).toMatchObject([{ kind: 'whole-file', content: 'hello\n' }]);
    expect(parser.push(`${FENCE}diff\n--- a/b\n+++ b/b\n-x\n+y\n`)).toEqual([]);
    expect(parser.push(`${FENCE}\n`)).toMatchObject([{ kind: 'diff', path: 'b' }]);
  });

  it('gives the same result at any chunk boundaries, including one character at a time', () => {
    const whole = parseEdits(KITCHEN_SINK);
    expect(whole.edits.map((e) => `${e.kind}:${e.path}`)).toEqual([
      'search-replace:src/app.ts',
      'search-replace:src/app.ts',
      'search-replace:lib/other.py',
      'whole-file:docs/guide.md',
      'diff:src/util.ts',
      'delete:gone.txt',
      'search-replace:lib/other.py',
      'search-replace:c.txt',
    ]);
    expect(whole.edits[1]).toMatchObject({ search: "import x from 'x';\n", replace: '' });
    expect(whole.problems).toMatchObject([{ kind: 'missing-divider', path: 'd.txt' }]);

    expect(
      streamed(
        KITCHEN_SINK,
        Array.from({ length: KITCHEN_SINK.length }, (_, i) => i),
      ),
    ).toEqual(whole);
    const random = mulberry32(42);
    for (let round = 0; round < 200; round++) {
      const count = Math.floor(random() * 30);
      const cuts = Array.from({ length: count }, () => Math.floor(random() * KITCHEN_SINK.length)).sort(
        (a, b) => a - b,
      );
      expect(streamed(KITCHEN_SINK, cuts)).toEqual(whole);
    }
  });

  it('refuses input after end()', () => {
    const parser = createEditParser();
    parser.end();
    expect(() => parser.push('x')).toThrow(/after end/);
  });
});
