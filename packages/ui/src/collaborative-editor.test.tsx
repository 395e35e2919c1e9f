// @vitest-environment happy-dom
import { language } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CollaborativeEditor } from './collaborative-editor.tsx';
import { loadLanguage } from './editor-language.ts';
import { mount, rerender } from './test-dom.tsx';

function editorIn(el: HTMLElement): EditorView {
  const content = el.querySelector('.cm-content');
  if (!(content instanceof HTMLElement)) throw new Error('no editor content');
  const view = EditorView.findFromDOM(content);
  if (!view) throw new Error('no view');
  return view;
}

function setup(text: string) {
  const doc = new Y.Doc();
  const ytext = doc.getMap<Y.Text>('files').set('src/a.ts', new Y.Text(text));
  return { doc, ytext, awareness: new Awareness(doc) };
}

describe('CollaborativeEditor', () => {
  it('shows the Y.Text and labels the editing area', () => {
    const { ytext, awareness } = setup('const a = 1;\n');
    const el = mount(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="src/a.ts" />);
    const view = editorIn(el);
    expect(view.state.doc.toString()).toBe('const a = 1;\n');
    expect(el.querySelector('.cm-content')?.getAttribute('aria-label')).toBe('src/a.ts');
    expect(el.querySelector('.cm-content')?.getAttribute('contenteditable')).toBe('true');
  });

  it('highlights once the language has loaded, and follows a change of language', async () => {
    const { ytext, awareness } = setup('const a = 1;\n');
    const el = mount(
      <CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" language="typescript" />,
    );
    const languageOf = () => editorIn(el).state.facet(language)?.name;
    await act(async () => {
      await loadLanguage('typescript');
    });
    expect(languageOf()).toBe('typescript');
    rerender(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" language="css" />);
    await act(async () => {
      await loadLanguage('css');
    });
    expect(languageOf()).toBe('css');
    rerender(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" language={null} />);
    await act(async () => {
      await loadLanguage(null);
    });
    expect(languageOf()).toBeUndefined();
  });

  it('writes local typing into the Y.Text', () => {
    const { ytext, awareness } = setup('const a = 1;\n');
    const view = editorIn(mount(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" />));
    act(() => view.dispatch({ changes: { from: 0, insert: 'export ' }, userEvent: 'input.type' }));
    expect(ytext.toString()).toBe('export const a = 1;\n');
  });

  it('shows a remote change to the Y.Text', () => {
    const { doc, ytext, awareness } = setup('hello');
    const view = editorIn(mount(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" />));
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    remote.getMap<Y.Text>('files').get('src/a.ts')?.insert(5, ' world');
    act(() => Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc))));
    expect(view.state.doc.toString()).toBe('hello world');
    expect(view.dom.textContent).toContain('hello world');
  });

  it('undo takes back only this member’s edit, not a collaborator’s', () => {
    const { doc, ytext, awareness } = setup('ab');
    const view = editorIn(mount(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" />));
    act(() => view.dispatch({ changes: { from: 2, insert: 'c' }, userEvent: 'input.type' }));
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    remote.getMap<Y.Text>('files').get('src/a.ts')?.insert(0, '>');
    act(() => Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)), 'provider'));
    expect(view.state.doc.toString()).toBe('>abc');
    act(() => {
      view.contentDOM.dispatchEvent(
        new InputEvent('beforeinput', { inputType: 'historyUndo', cancelable: true }),
      );
    });
    expect(ytext.toString()).toBe('>ab');
    expect(view.state.doc.toString()).toBe('>ab');
  });

  it('keeps each file’s undo history across switching files, and never undoes a peer', () => {
    const doc = new Y.Doc();
    const files = doc.getMap<Y.Text>('files');
    const a = files.set('a.ts', new Y.Text('ab'));
    const b = files.set('b.ts', new Y.Text('xy'));
    const awareness = new Awareness(doc);
    const undo = (view: EditorView) =>
      act(() => {
        view.contentDOM.dispatchEvent(
          new InputEvent('beforeinput', { inputType: 'historyUndo', cancelable: true }),
        );
      });
    const el = mount(<CollaborativeEditor ytext={a} awareness={awareness} ariaLabel="a" />);
    act(() => editorIn(el).dispatch({ changes: { from: 2, insert: 'c' }, userEvent: 'input.type' }));
    // A peer's edit arrives through the provider.
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    remote.getMap<Y.Text>('files').get('a.ts')?.insert(0, '>');
    act(() => Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)), 'provider'));

    rerender(<CollaborativeEditor ytext={b} awareness={awareness} ariaLabel="b" />);
    act(() => editorIn(el).dispatch({ changes: { from: 0, insert: '#' }, userEvent: 'input.type' }));
    rerender(<CollaborativeEditor ytext={a} awareness={awareness} ariaLabel="a" />);
    expect(editorIn(el).state.doc.toString()).toBe('>abc');
    undo(editorIn(el));
    expect(a.toString()).toBe('>ab');
    expect(b.toString()).toBe('#xy');
    // A second undo has nothing of mine left in a.ts: the peer's '>' stays.
    undo(editorIn(el));
    expect(a.toString()).toBe('>ab');

    rerender(<CollaborativeEditor ytext={b} awareness={awareness} ariaLabel="b" />);
    undo(editorIn(el));
    expect(b.toString()).toBe('xy');
    expect(a.toString()).toBe('>ab');
  });

  it('does not undo a write made outside the editor (a null origin)', () => {
    const { ytext, awareness } = setup('ab');
    const el = mount(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" />);
    act(() => ytext.insert(0, 'upload:'));
    act(() => {
      editorIn(el).contentDOM.dispatchEvent(
        new InputEvent('beforeinput', { inputType: 'historyUndo', cancelable: true }),
      );
    });
    expect(ytext.toString()).toBe('upload:ab');
  });

  it('indents with the given unit: a tab in a tab-indented file, four spaces where the project says so', () => {
    const { ytext, awareness } = setup('a {\n}\n');
    const pressTab = (view: EditorView) =>
      act(() => {
        view.contentDOM.dispatchEvent(
          new KeyboardEvent('keydown', { key: 'Tab', keyCode: 9, bubbles: true, cancelable: true }),
        );
      });
    const tabs = { style: 'tab', size: 4, tabWidth: 4 } as const;
    const el = mount(
      <CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" indentation={tabs} />,
    );
    const view = editorIn(el);
    expect(view.state.tabSize).toBe(4);
    act(() => view.dispatch({ selection: { anchor: 4 } }));
    pressTab(view);
    expect(ytext.toString()).toBe('a {\n\t}\n');

    const four = { style: 'space', size: 4, tabWidth: 8 } as const;
    rerender(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" indentation={four} />);
    expect(view.state.tabSize).toBe(8);
    act(() => view.dispatch({ selection: { anchor: 0 } }));
    pressTab(view);
    expect(ytext.toString()).toBe('    a {\n\t}\n');
  });

  it('reports typing and clicks, but not a peer’s edit or a scroll, as the person’s activity', () => {
    const { doc, ytext, awareness } = setup('hello');
    const onUserActivity = vi.fn();
    const el = mount(
      <CollaborativeEditor
        ytext={ytext}
        awareness={awareness}
        ariaLabel="a"
        onUserActivity={onUserActivity}
      />,
    );
    const view = editorIn(el);
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    remote.getMap<Y.Text>('files').get('src/a.ts')?.insert(5, '!');
    act(() => Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)), 'provider'));
    rerender(
      <CollaborativeEditor
        ytext={ytext}
        awareness={awareness}
        ariaLabel="a"
        onUserActivity={onUserActivity}
        scrollTo={3}
      />,
    );
    expect(onUserActivity).not.toHaveBeenCalled();
    act(() => view.dispatch({ changes: { from: 0, insert: 'x' }, userEvent: 'input.type' }));
    expect(onUserActivity).toHaveBeenCalledTimes(1);
    act(() => {
      view.contentDOM.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
    });
    // The click itself (a pointer selection may report it too).
    expect(onUserActivity.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('jumps to a line: caret at its start, clamped to the document', () => {
    const { ytext, awareness } = setup('one\ntwo\nthree\n');
    // happy-dom syncs a focused editor's DOM selection back synchronously, inside CodeMirror's own update, which
    // a browser never does; the request to focus is what is checked here (the e2e test checks real focus).
    const focus = vi.spyOn(EditorView.prototype, 'focus').mockImplementation(() => undefined);
    const el = mount(
      <CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" jumpTo={{ line: 2, seq: 1 }} />,
    );
    const view = editorIn(el);
    expect(view.state.selection.main.head).toBe(4);
    rerender(
      <CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" jumpTo={{ line: 99, seq: 2 }} />,
    );
    expect(view.state.selection.main.head).toBe(view.state.doc.length);
    expect(focus).toHaveBeenCalledTimes(2);
    focus.mockRestore();
  });

  it('refuses input when read-only, and accepts it again when switched back', () => {
    const { ytext, awareness } = setup('fixed');
    const el = mount(<CollaborativeEditor ytext={ytext} awareness={awareness} readOnly ariaLabel="a" />);
    const view = editorIn(el);
    const pressEnter = () =>
      act(() => {
        view.contentDOM.dispatchEvent(
          new KeyboardEvent('keydown', { key: 'Enter', keyCode: 13, bubbles: true, cancelable: true }),
        );
      });
    expect(view.state.readOnly).toBe(true);
    expect(view.contentDOM.getAttribute('contenteditable')).toBe('false');
    // Still a tab stop, so a keyboard can reach and scroll what it cannot edit.
    expect(view.contentDOM.getAttribute('tabindex')).toBe('0');
    pressEnter();
    expect(ytext.toString()).toBe('fixed');

    rerender(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" />);
    expect(view.state.readOnly).toBe(false);
    expect(view.contentDOM.getAttribute('contenteditable')).toBe('true');
    // The same keystroke now goes through the keymap into the document and on into the Y.Text.
    pressEnter();
    expect(ytext.toString()).toBe('\nfixed');
  });

  it('draws a remote member’s cursor with their name from awareness', () => {
    const { doc, ytext, awareness } = setup('hello');
    const el = mount(<CollaborativeEditor ytext={ytext} awareness={awareness} ariaLabel="a" />);
    const remoteDoc = new Y.Doc();
    Y.applyUpdate(remoteDoc, Y.encodeStateAsUpdate(doc));
    const remote = new Awareness(remoteDoc);
    const rtext = remoteDoc.getMap<Y.Text>('files').get('src/a.ts');
    if (!rtext) throw new Error('missing');
    remote.setLocalStateField('user', { id: 'u2', name: 'Bob', color: '#1d4ed8' });
    const anchor: unknown = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(rtext, 1));
    const head: unknown = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(rtext, 3));
    remote.setLocalStateField('cursor', { anchor, head });
    act(() => {
      const update = encodeAwarenessUpdate(remote, [remoteDoc.clientID]);
      applyAwarenessUpdate(awareness, update, 'remote');
    });
    expect(el.querySelector('.cm-ySelectionInfo')?.textContent).toBe('Bob');
    remote.destroy();
  });
});
