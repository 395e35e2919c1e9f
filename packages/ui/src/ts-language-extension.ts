// Language intelligence for a TypeScript or JavaScript file in the editor, answered by a TypeScript language service
// (a `TsLanguageClient`, usually a Web Worker over the live workspace): diagnostics as you type, quick info on hover
// or by keyboard (Ctrl/Cmd+K Ctrl/Cmd+I), completion, go to definition (F12, Ctrl/Cmd+click) and find references
// (Shift+F12).
//
// Diagnostics after a keystroke come in two answers: the lines on screen first (a few milliseconds of checking), then
// the whole file (in a 2,000-line file, hundreds). Until the whole file's answer arrives, type errors shown elsewhere
// stay where the edits moved them.
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { linter, lintKeymap, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Prec, StateEffect, StateField, type Extension } from '@codemirror/state';
import {
  EditorView,
  hoverTooltip,
  keymap,
  showTooltip,
  ViewPlugin,
  type Tooltip,
  type ViewUpdate,
} from '@codemirror/view';
import { languageCommands, languageShortcuts } from './editor-commands.ts';
import {
  completionType,
  fitRange,
  mapDiagnostics,
  mergeRegion,
  type TsDiagnostic,
  type TsLanguageClient,
  type TsLocation,
  type TsQuickInfo,
} from './ts-language.ts';

export interface TsFeaturesOptions {
  path: string;
  client: TsLanguageClient;
  /** Opens a workspace file with the caret at a 1-based line and column (the app's open-location). */
  openLocation: (path: string, line: number, column: number) => void;
  /** Shows a list of places to go through, e.g. "References to total". */
  showLocations: (title: string, locations: TsLocation[]) => void;
  /**
   * How long typing pauses before the file is checked again. Short: the worker drops a check that a newer
   * keystroke replaced and answers the lines on screen first, so checking on every pause costs little.
   */
  lintDelay?: number;
}

/** Answers while the language service is busy or has failed leave things as they were; a failure is not an error. */
const quiet = <T>(promise: Promise<T>, fallback: T): Promise<T> => promise.catch(() => fallback);

/** Another file changed: this one is checked again even though its own text did not change. */
const workspaceChanged = StateEffect.define();

const hoverTheme = EditorView.theme({
  '.cm-ts-hover': { maxWidth: '36rem', padding: '4px 8px', fontSize: '12px' },
  '.cm-ts-hover pre': { margin: 0, whiteSpace: 'pre-wrap', fontFamily: 'ui-monospace, monospace' },
  '.cm-ts-hover p': { margin: '4px 0 0', color: '#3f3f46', whiteSpace: 'pre-wrap' },
});

/** The quick info tooltip's content, for hover and keyboard alike. */
function quickInfoDom(info: Pick<TsQuickInfo, 'display' | 'documentation'>): HTMLElement {
  const dom = document.createElement('div');
  dom.className = 'cm-ts-hover';
  dom.setAttribute('role', 'tooltip');
  const signature = document.createElement('pre');
  signature.textContent = info.display;
  dom.append(signature);
  if (info.documentation) {
    const docs = document.createElement('p');
    docs.textContent = info.documentation;
    dom.append(docs);
  }
  return dom;
}

/** Shows (or, with null, closes) the quick info asked for by keyboard. */
const setKeyboardInfo = StateEffect.define<Tooltip | null>();

/** The keyboard's quick info: open until Escape, an edit or a caret move. */
const keyboardInfo = StateField.define<Tooltip | null>({
  create: () => null,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setKeyboardInfo)) return effect.value;
    return value && (tr.docChanged || tr.selection) ? null : value;
  },
  provide: (field) => showTooltip.from(field),
});

function toCodeMirror(d: TsDiagnostic): Diagnostic {
  return { from: d.from, to: d.to, severity: d.severity, message: d.message, source: `ts(${d.code})` };
}

export function tsFeatures(options: TsFeaturesOptions): Extension {
  const { path, client } = options;
  const delay = options.lintDelay ?? 50;

  const diagnostics = ViewPlugin.fromClass(
    class {
      /** What is on screen, at this document's positions (mapped through every edit since it was found). */
      shown: TsDiagnostic[] = [];
      timer: ReturnType<typeof setTimeout> | null = null;
      /** Which check is the latest; answers to older ones are not shown. */
      seq = 0;
      stop: (() => void) | undefined;

      constructor(readonly view: EditorView) {
        this.schedule(0);
        // Later, not inside whatever update made the client sync (a view must not dispatch during its own update).
        // The file's own edits are this editor's (or reach it through the shared document): a change it hears of
        // through the language service is about another file, or a config.
        this.stop = client.subscribe?.((paths) => {
          if (paths.some((p) => p !== path)) {
            queueMicrotask(() => {
              if (this.seq >= 0) this.view.dispatch({ effects: workspaceChanged.of(null) });
            });
          }
        });
      }

      update(update: ViewUpdate) {
        if (update.docChanged) {
          this.shown = mapDiagnostics(this.shown, (pos, assoc) => update.changes.mapPos(pos, assoc));
          this.schedule(delay);
        } else if (update.transactions.some((tr) => tr.effects.some((e) => e.is(workspaceChanged)))) {
          this.schedule(delay);
        }
      }

      schedule(ms: number) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.check(), ms);
      }

      check() {
        this.timer = null;
        const { view } = this;
        const doc = view.state.doc;
        const seq = ++this.seq;
        const visible = view.visibleRanges.length > 0 ? view.visibleRanges : [view.viewport];
        const ranges = visible.map((r) => ({ from: r.from, to: r.to }));
        // Only answers about the text on screen now: one about an older keystroke would put squiggles in the
        // wrong places.
        const current = () => this.seq === seq && view.state.doc === doc;
        void quiet(
          client.ask({ kind: 'diagnostics', path, ranges }, doc.toString(), {
            onRegion: (region) => {
              if (current()) this.show(mergeRegion(this.shown, region));
            },
          }),
          null,
        ).then((found) => {
          if (found && current()) this.show(found);
        });
      }

      show(found: TsDiagnostic[]) {
        this.shown = found;
        const length = this.view.state.doc.length;
        const fitted = found.map((d) => toCodeMirror({ ...d, ...fitRange(d.from, d.to, length) }));
        this.view.dispatch(setDiagnostics(this.view.state, fitted));
      }

      destroy() {
        if (this.timer) clearTimeout(this.timer);
        this.seq = -1;
        this.stop?.();
      }
    },
  );

  const hover = hoverTooltip(
    async (view, pos) => {
      const info = await quiet(client.ask({ kind: 'quickInfo', path, pos }, view.state.doc.toString()), null);
      if (!info?.display) return null;
      const range = fitRange(info.from, info.to, view.state.doc.length);
      return { pos: range.from, end: range.to, above: true, create: () => ({ dom: quickInfoDom(info) }) };
    },
    { hoverTime: 300 },
  );

  /** Quick info at the caret, as a tooltip that stays until Escape; read out to screen readers too. */
  const showQuickInfo = (view: EditorView) => {
    const doc = view.state.doc;
    const pos = view.state.selection.main.head;
    void quiet(client.ask({ kind: 'quickInfo', path, pos }, doc.toString()), null).then((info) => {
      // The caret moved or the text changed meanwhile: this answer is about somewhere else.
      if (view.state.doc !== doc || view.state.selection.main.head !== pos) return;
      const shown = info?.display
        ? info
        : { display: 'No type information at the cursor', documentation: '' };
      const at = info?.display ? fitRange(info.from, info.to, doc.length).from : pos;
      const text = shown.documentation ? `${shown.display}\n${shown.documentation}` : shown.display;
      view.dispatch({
        effects: [
          setKeyboardInfo.of({
            pos: at,
            above: true,
            create: () => {
              const dom = quickInfoDom(shown);
              dom.classList.add('cm-ts-keyboard-info');
              return { dom };
            },
          }),
          EditorView.announce.of(text),
        ],
      });
    });
    return true;
  };

  const closeQuickInfo = (view: EditorView) => {
    if (!view.state.field(keyboardInfo, false)) return false;
    view.dispatch({ effects: setKeyboardInfo.of(null) });
    return true;
  };

  const complete = async (context: CompletionContext): Promise<CompletionResult | null> => {
    const word = context.matchBefore(/[\w$]*/);
    const afterDot = context.state.sliceDoc(context.pos - 1, context.pos) === '.';
    if (!context.explicit && !afterDot && (!word || word.from === word.to)) return null;
    const found = await quiet(
      client.ask({ kind: 'completions', path, pos: context.pos }, context.state.doc.toString()),
      null,
    );
    if (!found || context.aborted) return null;
    return {
      from: Math.min(found.from, context.pos),
      options: found.items.map((item) => ({
        label: item.label,
        type: completionType(item.kind),
        detail: item.kind,
        // TypeScript sorts by its sortText, lower first ("11" locals, "15" globals …); CodeMirror boosts higher first.
        boost: Math.max(-99, -(Number.parseInt(item.sortText, 10) || 0)),
      })),
      validFor: /^[\w$]*$/,
    };
  };

  const nameAt = (view: EditorView, pos: number) => {
    const word = view.state.wordAt(pos);
    return word ? view.state.sliceDoc(word.from, word.to) : 'this symbol';
  };

  const goToDefinition = (view: EditorView, pos: number) => {
    void quiet(client.ask({ kind: 'definition', path, pos }, view.state.doc.toString()), []).then((found) => {
      const [only] = found;
      if (found.length === 1 && only) options.openLocation(only.path, only.line, only.column);
      else if (found.length > 1) options.showLocations(`Definitions of ${nameAt(view, pos)}`, found);
    });
    return true;
  };

  const findReferences = (view: EditorView, pos: number) => {
    void quiet(client.ask({ kind: 'references', path, pos }, view.state.doc.toString()), []).then((found) => {
      options.showLocations(`References to ${nameAt(view, pos)}`, found);
    });
    return true;
  };

  const atCaret = (run: (view: EditorView, pos: number) => boolean) => (view: EditorView) =>
    run(view, view.state.selection.main.head);

  return [
    linter(null),
    diagnostics,
    hover,
    hoverTheme,
    keyboardInfo,
    autocompletion({ override: [complete], icons: true }),
    languageCommands.of({
      quickInfo: showQuickInfo,
      definition: atCaret(goToDefinition),
      references: atCaret(findReferences),
    }),
    // Ahead of the editor's own Escape (which would only simplify the selection) and the page's (closing a pane).
    Prec.high(keymap.of([{ key: 'Escape', run: closeQuickInfo }])),
    keymap.of([
      { key: languageShortcuts.quickInfo, run: showQuickInfo },
      { key: languageShortcuts.definition, run: atCaret(goToDefinition) },
      { key: languageShortcuts.references, run: atCaret(findReferences) },
      ...lintKeymap,
    ]),
    EditorView.domEventHandlers({
      mousedown: (event, view) => {
        if (event.button !== 0 || !(event.ctrlKey || event.metaKey)) return false;
        const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
        if (pos === null) return false;
        event.preventDefault();
        return goToDefinition(view, pos);
      },
    }),
  ];
}
