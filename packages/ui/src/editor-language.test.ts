import { EditorState } from '@codemirror/state';
import { syntaxTree } from '@codemirror/language';
import { describe, expect, it } from 'vitest';
import { editorLanguages, languageExtension, languageForPath } from './editor-language.ts';

describe('languageForPath', () => {
  it.each([
    ['src/index.ts', 'typescript'],
    ['src/App.TSX', 'tsx'],
    ['lib/util.mjs', 'javascript'],
    ['a.jsx', 'jsx'],
    ['package.json', 'json'],
    ['styles/site.css', 'css'],
    ['README.md', 'markdown'],
    ['public/index.html', 'html'],
    ['Makefile', null],
    ['.eslintrc', null],
    ['dir.v2/file', null],
    ['notes.txt', null],
  ])('%s -> %s', (path, language) => {
    expect(languageForPath(path)).toBe(language);
  });
});

describe('languageExtension', () => {
  it.each(editorLanguages)('%s parses a document into a syntax tree', (language) => {
    const state = EditorState.create({ doc: 'x', extensions: languageExtension(language) });
    expect(syntaxTree(state).length).toBe(1);
    expect(syntaxTree(state).type.isTop).toBe(true);
  });

  it('plain text has no parser', () => {
    const state = EditorState.create({ doc: 'x', extensions: languageExtension(null) });
    expect(syntaxTree(state).length).toBe(0);
  });
});
