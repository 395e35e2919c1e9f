import { describe, expect, it } from 'vitest';
import {
  detectIndentation,
  editorConfigDirs,
  editorConfigGlob,
  editorConfigProperties,
  indentUnitText,
  parseEditorConfig,
  resolveIndentation,
} from './indentation.ts';

describe('parseEditorConfig', () => {
  it('reads root, sections and properties, ignoring comments and unreadable lines', () => {
    const config = parseEditorConfig(
      '# top\nroot = true\n\n[*]\nindent_style = Space ; trailing\nindent_size=2\nnonsense\n[*.{js,ts}]\nIndent_Size = 4\n',
    );
    expect(config.root).toBe(true);
    expect(config.sections).toEqual([
      { glob: '*', props: { indent_style: 'space', indent_size: '2' } },
      { glob: '*.{js,ts}', props: { indent_size: '4' } },
    ]);
  });
});

describe('editorConfigGlob', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'a.ts', true],
    ['*', 'src/deep/a.ts', true],
    ['*.py', 'tools/run.py', true],
    ['*.py', 'tools/run.pyc', false],
    ['*.{js,ts}', 'src/a.ts', true],
    ['*.{js,ts}', 'src/a.css', false],
    ['lib/**.js', 'lib/a/b.js', true],
    ['lib/*.js', 'lib/a/b.js', false],
    ['/lib/*.js', 'lib/b.js', true],
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/x/y/a.ts', true],
    ['src/**/*.ts', 'other/src/a.ts', false],
    ['Makefile', 'sub/Makefile', true],
    ['file?.txt', 'file1.txt', true],
    ['file[0-9].txt', 'file5.txt', true],
    ['file[!0-9].txt', 'file5.txt', false],
    ['v{1..3}.md', 'v2.md', true],
    ['v{1..3}.md', 'v4.md', false],
    ['{single}.md', '{single}.md', true],
    ['a.b', 'aXb', false],
  ];
  it.each(cases)('%s against %s is %s', (glob, path, expected) => {
    expect(editorConfigGlob(glob).test(path)).toBe(expected);
  });
});

describe('editorConfigProperties', () => {
  it('lists directories nearest first', () => {
    expect(editorConfigDirs('a/b/c.ts')).toEqual(['a/b', 'a', '']);
    expect(editorConfigDirs('c.ts')).toEqual(['']);
  });

  it('lets nearer files and later sections win, and stops at root = true', () => {
    const files: Record<string, string> = {
      '': '[*]\nindent_style = tab\ntab_width = 8\n',
      pkg: 'root = true\n[*]\nindent_style = space\nindent_size = 2\n[*.md]\nindent_size = 3\n',
      'pkg/src': '[*.ts]\nindent_size = 4\n[lib/*.ts]\nindent_size = 6\n',
    };
    const read = (dir: string) => files[dir];
    expect(editorConfigProperties('pkg/src/a.ts', read)).toEqual({ indent_style: 'space', indent_size: '4' });
    expect(editorConfigProperties('pkg/src/lib/a.ts', read)).toEqual({
      indent_style: 'space',
      indent_size: '6',
    });
    expect(editorConfigProperties('pkg/README.md', read)).toEqual({
      indent_style: 'space',
      indent_size: '3',
    });
    expect(editorConfigProperties('other/a.ts', read)).toEqual({ indent_style: 'tab', tab_width: '8' });
  });
});

describe('detectIndentation', () => {
  it('sees tabs', () => {
    expect(detectIndentation('class Ky {\n\tmethod() {\n\t\treturn 1;\n\t}\n}\n')).toEqual({
      style: 'tab',
      size: 0,
    });
  });

  it('sees the common step of spaces, not the deepest indent', () => {
    const four = 'def f():\n    if x:\n        return 1\n    return 2\n';
    expect(detectIndentation(four)).toEqual({ style: 'space', size: 4 });
    const two = 'a {\n  b {\n    c: 1;\n    d: 2;\n  }\n  e {\n    f: 1;\n  }\n}\n';
    expect(detectIndentation(two)).toEqual({ style: 'space', size: 2 });
  });

  it('ignores JSDoc continuation lines and blank lines', () => {
    const text = '/**\n * Doc\n */\nfunction f() {\n\treturn 1;\n}\n\n';
    expect(detectIndentation(text)).toEqual({ style: 'tab', size: 0 });
  });

  it('says nothing about a file without indented lines', () => {
    expect(detectIndentation('a\nb\n')).toBeNull();
    expect(detectIndentation('')).toBeNull();
  });
});

describe('resolveIndentation', () => {
  it('falls back to two spaces', () => {
    expect(resolveIndentation('a.ts', 'x\n')).toEqual({
      style: 'space',
      size: 2,
      tabWidth: 4,
      source: 'default',
    });
  });

  it('follows the file when the project says nothing', () => {
    expect(resolveIndentation('Ky.ts', 'a {\n\tb\n}\n')).toEqual({
      style: 'tab',
      size: 4,
      tabWidth: 4,
      source: 'detected',
    });
    expect(resolveIndentation('a.py', 'a:\n    b\n')).toMatchObject({ style: 'space', size: 4 });
  });

  it('lets .editorconfig win over what the file shows', () => {
    const read = (dir: string) =>
      dir === '' ? '[*.py]\nindent_style = space\nindent_size = 4\n' : undefined;
    expect(resolveIndentation('tools/run.py', 'def f():\n  return 1\n', read)).toEqual({
      style: 'space',
      size: 4,
      tabWidth: 4,
      source: 'editorconfig',
    });
  });

  it('takes tab_width, and indent_size = tab, from .editorconfig', () => {
    const read = () => '[*]\nindent_style = tab\nindent_size = tab\ntab_width = 8\n';
    expect(resolveIndentation('a.go', 'x\n', read)).toEqual({
      style: 'tab',
      size: 8,
      tabWidth: 8,
      source: 'editorconfig',
    });
    // Only the width from the project: the style still comes from the file.
    const widthOnly = () => '[*]\nindent_size = 3\n';
    expect(resolveIndentation('a.ts', 'a\n\tb\n', widthOnly)).toMatchObject({
      style: 'tab',
      size: 3,
      tabWidth: 3,
    });
  });

  it('ignores values it does not understand', () => {
    const read = () => '[*]\nindent_style = wavy\nindent_size = lots\n';
    expect(resolveIndentation('a.ts', 'a\n    b\n', read)).toMatchObject({
      style: 'space',
      size: 4,
      source: 'detected',
    });
  });
});

describe('indentUnitText', () => {
  it('is a tab or that many spaces', () => {
    expect(indentUnitText({ style: 'tab', size: 4 })).toBe('\t');
    expect(indentUnitText({ style: 'space', size: 3 })).toBe('   ');
  });
});
