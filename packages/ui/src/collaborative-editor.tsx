// A CodeMirror 6 editor bound live to one file's Y.Text: every member's keystrokes merge through Yjs, and
// remote cursors and selections are drawn from awareness (`user: { name, color }`, set by the server).
import { defaultKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, foldGutter, indentOnInput, indentUnit } from '@codemirror/language';
import { highlightSelectionMatches, openSearchPanel, search, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState, Transaction, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { type Indentation, indentUnitText } from '@tandem/core';
import { loadedLanguage, useLanguageExtension, type EditorLanguage } from './editor-language.ts';
import { accessibleHighlighting } from './highlight.ts';

/** A place to put the caret: 1-based line and column (UTF-16 code units, as TypeScript and CodeMirror count). */
export interface EditorJump {
  line: number;
  column?: number;
  seq: number;
}

export interface CollaborativeEditorProps {
  ytext: Y.Text;
  /** Presence of the workspace; `null` edits without remote cursors (e.g. before the provider connects). */
  awareness: Awareness | null;
  /** Reviewers watch live but cannot type; the server refuses their updates regardless. */
  readOnly?: boolean;
  /** Usually `languageForPath(path)`; `null` is plain text. */
  language?: EditorLanguage | null;
  /** Names the editing area for assistive technology, e.g. the file path. */
  ariaLabel: string;
  className?: string;
  /** Scrolls this index into view whenever it changes (following another member's cursor). */
  scrollTo?: number | null;
  /** How Enter, Tab and auto-indent indent (usually core's `resolveIndentation`); two spaces when absent. */
  indentation?: Pick<Indentation, 'style' | 'size' | 'tabWidth'> | null;
  /** Puts the caret at this 1-based line and column (clamped; the line's start without a column), scrolls it to the
   * middle and focuses the editor; a new object jumps again (`seq` makes repeated jumps to one place distinct). */
  jumpTo?: EditorJump | null;
  /** Called when the person types, deletes, moves the selection or clicks in this editor (not for remote
   * changes or programmatic scrolling), e.g. to stop following someone. */
  onUserActivity?: () => void;
  /** More behaviour for this file, e.g. language intelligence once it has loaded; a new value replaces the old. */
  extensions?: Extension;
}

// One undo history per file (Y.Text) for this browser tab, kept when the editor closes so switching files and
// back keeps it. It tracks only the origins this tab's editors add (y-codemirror's sync config), never `null`
// or a provider's origin, so it never takes back a peer's or a task's edits. It lives as long as the document.
const undoManagers = new WeakMap<Y.Text, Y.UndoManager>();

/** This tab's undo history for `ytext` if an editor of it was opened here, without creating one. */
export function existingUndoManagerFor(ytext: Y.Text): Y.UndoManager | undefined {
  return undoManagers.get(ytext);
}

/** This tab's undo history for `ytext`, created on first use. */
export function undoManagerFor(ytext: Y.Text): Y.UndoManager {
  let manager = undoManagers.get(ytext);
  if (!manager) {
    manager = new Y.UndoManager(ytext, { trackedOrigins: new Set() });
    undoManagers.set(ytext, manager);
  }
  return manager;
}

/** Opens find in file (CodeMirror's search panel) in the first editor inside `root`; false when there is none. */
export function openFindInEditor(root: ParentNode): boolean {
  const dom = root.querySelector('.cm-editor');
  const editor = dom instanceof HTMLElement ? EditorView.findFromDOM(dom) : null;
  if (!editor) return false;
  return openSearchPanel(editor);
}

function indentationExtension(indentation: CollaborativeEditorProps['indentation']): Extension {
  if (!indentation) return [];
  const unit = indentUnitText(indentation);
  // CodeMirror measures a tab unit by tabSize, so a tab-indented file's tabs are one indent level wide.
  const tabSize = indentation.style === 'tab' ? indentation.size : indentation.tabWidth;
  return [indentUnit.of(unit), EditorState.tabSize.of(tabSize)];
}

function activityExtension(onActivity: () => void): Extension {
  return [
    EditorView.updateListener.of((update) => {
      if (update.transactions.some((tr) => tr.annotation(Transaction.userEvent) !== undefined)) onActivity();
    }),
    EditorView.domEventHandlers({
      mousedown: () => {
        onActivity();
        return false;
      },
    }),
  ];
}

// A read-only editor's content is not contenteditable, so it needs its own tab stop for a keyboard to reach
// and scroll it (axe: scrollable-region-focusable).
function readOnlyExtension(readOnly: boolean): Extension {
  return [
    EditorState.readOnly.of(readOnly),
    EditorView.editable.of(!readOnly),
    EditorView.contentAttributes.of({ tabindex: '0' }),
  ];
}

// Find in file (Ctrl/Cmd+F, F3, replace in the same panel; its replacements are ordinary edits, so they sync and
// undo like typing). Ctrl/Cmd+G and Ctrl/Cmd+Alt+G are the app's go-to-line, so CodeMirror's bindings for them go.
const findKeys = searchKeymap.filter(
  (binding) => !binding.key || !/^(Shift-)?Mod-(Alt-)?g$/.test(binding.key),
);

// The find panel in the app's look (zinc borders, rounded fields, readable 12px text) instead of CodeMirror's grey.
const findPanelTheme = EditorView.theme({
  '.cm-panels': { backgroundColor: '#fafafa', color: '#18181b' },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid #e4e4e7' },
  '.cm-search': { fontSize: '12px', padding: '6px 28px 6px 8px', lineHeight: '1.8' },
  '.cm-search .cm-textfield': {
    border: '1px solid #d4d4d8',
    borderRadius: '6px',
    backgroundColor: '#ffffff',
    padding: '2px 6px',
    fontSize: '12px',
  },
  '.cm-search .cm-button': {
    backgroundImage: 'none',
    backgroundColor: '#ffffff',
    border: '1px solid #d4d4d8',
    borderRadius: '6px',
    padding: '1px 8px',
    color: '#27272a',
    fontSize: '12px',
  },
  '.cm-search .cm-button:hover': { backgroundColor: '#f4f4f5' },
  '.cm-search label': { color: '#3f3f46', fontSize: '12px' },
  '.cm-search button[name=close]': { color: '#52525b', fontSize: '16px', right: '6px' },
});

// No CodeMirror `history()`: undo goes through Y.UndoManager so it only takes back this member's own edits,
// never a collaborator's or an applied task's.
function baseExtensions(): Extension {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    foldGutter(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    accessibleHighlighting(),
    search({ top: true }),
    findPanelTheme,
    highlightSelectionMatches(),
    keymap.of([...yUndoManagerKeymap, ...defaultKeymap, ...findKeys, indentWithTab]),
  ];
}

const noExtensions: Extension = [];

export function CollaborativeEditor({
  ytext,
  awareness,
  readOnly = false,
  language = null,
  ariaLabel,
  className,
  scrollTo = null,
  indentation = null,
  onUserActivity,
  jumpTo = null,
  extensions = noExtensions,
}: CollaborativeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const languageSlot = useRef(new Compartment());
  const readOnlySlot = useRef(new Compartment());
  const labelSlot = useRef(new Compartment());
  const indentSlot = useRef(new Compartment());
  const extraSlot = useRef(new Compartment());
  // The latest props, read when the view is (re)created, so that effect depends only on the shared objects.
  const latest = useRef({ readOnly, language, ariaLabel, indentation, onUserActivity, extensions });
  latest.current = { readOnly, language, ariaLabel, indentation, onUserActivity, extensions };

  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const undoManager = undoManagerFor(ytext);
    const current = latest.current;
    const editor = new EditorView({
      parent,
      state: EditorState.create({
        doc: ytext.toString(),
        extensions: [
          baseExtensions(),
          languageSlot.current.of(loadedLanguage(current.language) ?? []),
          readOnlySlot.current.of(readOnlyExtension(current.readOnly)),
          labelSlot.current.of(EditorView.contentAttributes.of({ 'aria-label': current.ariaLabel })),
          indentSlot.current.of(indentationExtension(current.indentation)),
          extraSlot.current.of(current.extensions),
          activityExtension(() => latest.current.onUserActivity?.()),
          yCollab(ytext, awareness, { undoManager }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      view.current = null;
      editor.destroy();
    };
  }, [ytext, awareness]);

  // Highlighting arrives when the language's parser has loaded; the text is editable before that.
  const highlight = useLanguageExtension(language);
  useEffect(() => {
    view.current?.dispatch({ effects: languageSlot.current.reconfigure(highlight) });
  }, [highlight, ytext, awareness]);

  useEffect(() => {
    view.current?.dispatch({ effects: readOnlySlot.current.reconfigure(readOnlyExtension(readOnly)) });
  }, [readOnly]);

  useEffect(() => {
    view.current?.dispatch({
      effects: labelSlot.current.reconfigure(EditorView.contentAttributes.of({ 'aria-label': ariaLabel })),
    });
  }, [ariaLabel]);

  useEffect(() => {
    view.current?.dispatch({ effects: extraSlot.current.reconfigure(extensions) });
  }, [extensions]);

  const indentKey = indentation ? `${indentation.style}:${indentation.size}:${indentation.tabWidth}` : '';
  useEffect(() => {
    view.current?.dispatch({
      effects: indentSlot.current.reconfigure(indentationExtension(latest.current.indentation)),
    });
  }, [indentKey]);

  useEffect(() => {
    const editor = view.current;
    if (scrollTo === null || !editor) return;
    const at = Math.min(Math.max(0, scrollTo), editor.state.doc.length);
    editor.dispatch({ effects: EditorView.scrollIntoView(at, { y: 'center' }) });
  }, [scrollTo, ytext]);

  useEffect(() => {
    const editor = view.current;
    if (!jumpTo || !editor) return;
    const { doc } = editor.state;
    const line = doc.line(Math.min(Math.max(1, Math.floor(jumpTo.line)), doc.lines));
    const at = line.from + Math.min(Math.max(0, Math.floor(jumpTo.column ?? 1) - 1), line.length);
    // Focus first: focusing reports a selection change of its own, which must not land inside our update.
    editor.focus();
    editor.dispatch({
      selection: { anchor: at },
      effects: EditorView.scrollIntoView(at, { y: 'center' }),
    });
  }, [jumpTo, ytext]);

  return <div ref={host} className={className} data-readonly={readOnly || undefined} />;
}
