import { compileSearch, filesMap, type CompiledSearch, type SearchOptions } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { undoManagerFor } from './collaborative-editor.tsx';
import { replaceInWorkspace, searchWorkspace, textOf } from './workspace-search.ts';

function compiled(options: SearchOptions): CompiledSearch {
  const c = compileSearch(options);
  if (!c.ok) throw new Error(c.message);
  return c;
}

/** Two peers whose documents exchange every update at once, as a connected provider would. */
function peers(files: Record<string, string>) {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'));
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'));
  a.transact(() => {
    for (const [path, text] of Object.entries(files)) filesMap(a).set(path, new Y.Text(text));
  });
  const text = (doc: Y.Doc, path: string) => (filesMap(doc).get(path) as Y.Text).toString();
  return { a, b, text };
}

describe('searchWorkspace', () => {
  it('searches the live texts and sees a peer’s edit at once', () => {
    const { a, b } = peers({ 'a.ts': 'let foo = 1;\n', 'b.ts': 'foo();\n' });
    expect(searchWorkspace(b, compiled({ query: 'foo' })).matchCount).toBe(2);
    (filesMap(a).get('a.ts') as Y.Text).insert(0, 'foo ');
    expect(searchWorkspace(b, compiled({ query: 'foo' })).matchCount).toBe(3);
  });

  it('caches a text until it changes', () => {
    const doc = new Y.Doc();
    const t = new Y.Text('abc');
    filesMap(doc).set('x', t);
    expect(textOf(t)).toBe('abc');
    t.insert(3, 'd');
    expect(textOf(t)).toBe('abcd');
  });
});

describe('replaceInWorkspace', () => {
  it('replaces across files in one update the peer sees, and the author undoes it all', () => {
    const { a, b, text } = peers({ 'a.ts': 'foo foo\n', 'b.ts': 'x foo\n', 'c.ts': 'none\n' });
    let updates = 0;
    b.on('update', () => updates++);
    const out = replaceInWorkspace(a, compiled({ query: 'foo' }), 'bar', [
      { path: 'a.ts' },
      { path: 'b.ts' },
    ]);
    expect(out).toMatchObject({ replaced: 3, files: ['a.ts', 'b.ts'], stale: 0 });
    expect(updates).toBe(1);
    expect(text(b, 'a.ts')).toBe('bar bar\n');
    expect(text(b, 'b.ts')).toBe('x bar\n');
    expect(out.undo()).toEqual({ undone: ['a.ts', 'b.ts'], skipped: [] });
    expect(text(b, 'a.ts')).toBe('foo foo\n');
    expect(text(b, 'b.ts')).toBe('x foo\n');
  });

  it('is one step of an open file’s own undo history, and never takes back a peer’s edit', () => {
    const { a, b, text } = peers({ 'a.ts': 'foo\n' });
    // The file is open in an editor in this tab, so it has an undo history.
    const manager = undoManagerFor(filesMap(a).get('a.ts') as Y.Text);
    replaceInWorkspace(a, compiled({ query: 'foo' }), 'bar', [{ path: 'a.ts' }]);
    (filesMap(b).get('a.ts') as Y.Text).insert(0, '// peer\n');
    manager.undo();
    // Where Yjs puts the restored "foo" relative to the peer's insert is its business; what matters is that
    // the replacement is gone and the peer's line is not.
    const after = text(b, 'a.ts');
    expect(after).toContain('// peer\n');
    expect(after).toContain('foo');
    expect(after).not.toContain('bar');
  });

  it('adds no undo history to files never opened here, and still undoes them from the panel', () => {
    const { a, text } = peers({ 'a.ts': 'foo\n' });
    const out = replaceInWorkspace(a, compiled({ query: 'foo' }), 'bar', [{ path: 'a.ts' }]);
    expect(undoManagerFor(filesMap(a).get('a.ts') as Y.Text).undoStack).toHaveLength(0);
    expect(out.undo()).toEqual({ undone: ['a.ts'], skipped: [] });
    expect(text(a, 'a.ts')).toBe('foo\n');
  });

  it('replaces only chosen matches, and leaves ones a peer moved', () => {
    const { a, b, text } = peers({ 'a.ts': 'foo foo foo\n' });
    const [found] = searchWorkspace(a, compiled({ query: 'foo' })).files;
    const [first, second] = found?.matches ?? [];
    if (!first || !second) throw new Error('no matches');
    // A peer types between them: the second match is no longer where it was found.
    (filesMap(b).get('a.ts') as Y.Text).insert(4, 'x');
    const out = replaceInWorkspace(a, compiled({ query: 'foo' }), 'bar', [
      { path: 'a.ts', only: [first, second] },
    ]);
    expect(out).toMatchObject({ replaced: 1, stale: 1 });
    expect(text(b, 'a.ts')).toBe('bar xfoo foo\n');
  });

  it('skips an open file the author edited since when undoing all', () => {
    const { a, text } = peers({ 'a.ts': 'foo\n', 'b.ts': 'foo\n' });
    const bText = filesMap(a).get('b.ts') as Y.Text;
    const manager = undoManagerFor(bText);
    manager.addTrackedOrigin('me-typing');
    const out = replaceInWorkspace(a, compiled({ query: 'foo' }), 'bar', [
      { path: 'a.ts' },
      { path: 'b.ts' },
    ]);
    a.transact(() => bText.insert(0, '!'), 'me-typing');
    expect(out.undo()).toEqual({ undone: ['a.ts'], skipped: ['b.ts'] });
    expect(text(a, 'a.ts')).toBe('foo\n');
    expect(text(a, 'b.ts')).toBe('!bar\n');
  });

  it('offers undo only for the latest replacement', () => {
    const { a, text } = peers({ 'a.ts': 'foo\n' });
    const first = replaceInWorkspace(a, compiled({ query: 'foo' }), 'bar', [{ path: 'a.ts' }]);
    replaceInWorkspace(a, compiled({ query: 'bar' }), 'baz', [{ path: 'a.ts' }]);
    expect(first.undo()).toEqual({ undone: [], skipped: ['a.ts'] });
    expect(text(a, 'a.ts')).toBe('baz\n');
  });
});
