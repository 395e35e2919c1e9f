import { EditorState } from '@codemirror/state';
import { syntaxTree } from '@codemirror/language';
import { describe, expect, it } from 'vitest';
import { editorLanguages, loadedLanguage, loadLanguage, languageForPath } from './editor-language.ts';

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

describe('loadLanguage', () => {
  it.each(editorLanguages)('%s loads once and parses a document into a syntax tree', async (language) => {
    const extension = await loadLanguage(language);
    expect(loadedLanguage(language)).toBe(extension);
    expect(await loadLanguage(language)).toBe(extension);
    const state = EditorState.create({ doc: 'x', extensions: extension });
    expect(syntaxTree(state).length).toBe(1);
    expect(syntaxTree(state).type.isTop).toBe(true);
  });

  it('plain text has no parser and needs no loading', async () => {
    expect(loadedLanguage(null)).toEqual([]);
    const state = EditorState.create({ doc: 'x', extensions: await loadLanguage(null) });
    expect(syntaxTree(state).length).toBe(0);
  });
});
