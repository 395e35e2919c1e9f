// Language intelligence for a TypeScript or JavaScript file in the editor, answered by a TypeScript language service
// (a `TsLanguageClient`, usually a Web Worker over the live workspace): diagnostics as you type, quick info on hover,
// completion, go to definition (F12, Ctrl/Cmd+click) and find references (Shift+F12).
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { linter, lintKeymap, type Diagnostic } from '@codemirror/lint';
import { StateEffect, type Extension } from '@codemirror/state';
import { EditorView, hoverTooltip, keymap, ViewPlugin } from '@codemirror/view';
import { completionType, fitRange, type TsLanguageClient, type TsLocation } from './ts-language.ts';

export interface TsFeaturesOptions {
  path: string;
  client: TsLanguageClient;
  /** Opens a workspace file at a 1-based line (the app's open-location). */
  openLocation: (path: string, line: number) => void;
  /** Shows a list of places to go through, e.g. "References to total". */
  showLocations: (title: string, locations: TsLocation[]) => void;
  /** How long typing pauses before the file is checked again. */
  lintDelay?: number;
}

/** Diagnostics shown while the language service is busy or has failed stay as they were; a failure is not an error. */
const quiet = <T>(promise: Promise<T>, fallback: T): Promise<T> => promise.catch(() => fallback);

/** Another file changed: this one is checked again even though its own text did not change. */
const workspaceChanged = StateEffect.define();

const hoverTheme = EditorView.theme({
  '.cm-ts-hover': { maxWidth: '36rem', padding: '4px 8px', fontSize: '12px' },
  '.cm-ts-hover pre': { margin: 0, whiteSpace: 'pre-wrap', fontFamily: 'ui-monospace, monospace' },
  '.cm-ts-hover p': { margin: '4px 0 0', color: '#3f3f46', whiteSpace: 'pre-wrap' },
});

export function tsFeatures(options: TsFeaturesOptions): Extension {
  const { path, client } = options;

  const lint = linter(
    async (view): Promise<Diagnostic[]> => {
      const doc = view.state.doc;
      const found = await quiet(client.ask({ kind: 'diagnostics', path }, doc.toString()), null);
      if (found === null) return [];
      const length = view.state.doc.length;
      return found.map((d) => ({
        ...fitRange(d.from, d.to, length),
        severity: d.severity,
        message: d.message,
        source: `ts(${d.code})`,
      }));
    },
    {
      delay: options.lintDelay ?? 100,
      needsRefresh: (update) =>
        update.transactions.some((tr) => tr.effects.some((e) => e.is(workspaceChanged))),
    },
  );
  const refresh = ViewPlugin.define((view) => {
    let live = true;
    // Later, not inside whatever update made the client sync (a view must not dispatch during its own update).
    const stop = client.subscribe?.(() =>
      queueMicrotask(() => {
        if (live) view.dispatch({ effects: workspaceChanged.of(null) });
      }),
    );
    return {
      destroy: () => {
        live = false;
        stop?.();
      },
    };
  });

  const hover = hoverTooltip(
    async (view, pos) => {
      const info = await quiet(client.ask({ kind: 'quickInfo', path, pos }, view.state.doc.toString()), null);
      if (!info?.display) return null;
      const range = fitRange(info.from, info.to, view.state.doc.length);
      return {
        pos: range.from,
        end: range.to,
        above: true,
        create: () => {
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
          return { dom };
        },
      };
    },
    { hoverTime: 300 },
  );

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
      if (found.length === 1 && only) options.openLocation(only.path, only.line);
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

  return [
    lint,
    refresh,
    hover,
    hoverTheme,
    autocompletion({ override: [complete], icons: true }),
    keymap.of([
      { key: 'F12', run: (view) => goToDefinition(view, view.state.selection.main.head) },
      { key: 'Shift-F12', run: (view) => findReferences(view, view.state.selection.main.head) },
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
