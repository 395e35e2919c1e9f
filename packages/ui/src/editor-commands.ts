// Commands a file's language support adds to its editor (show the type at the caret, go to definition, find
// references), reachable from outside the editor, e.g. the command palette, without loading that support's code:
// the editor's extensions provide them through this facet, and a caller runs them on the editor it finds.
import { Facet } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

export interface LanguageCommands {
  quickInfo: (view: EditorView) => boolean;
  definition: (view: EditorView) => boolean;
  references: (view: EditorView) => boolean;
}

export const languageCommands = Facet.define<LanguageCommands, LanguageCommands | null>({
  combine: (values) => values[0] ?? null,
});

/** The shortcuts the language commands are bound to, in CodeMirror's notation (a space separates a sequence). */
export const languageShortcuts: Record<keyof LanguageCommands, string> = {
  // VS Code's chord: Ctrl/Cmd+K, then Ctrl/Cmd+I. Nothing else here uses Ctrl/Cmd+K.
  quickInfo: 'Mod-k Mod-i',
  definition: 'F12',
  references: 'Shift-F12',
};

/** Runs `command` in the first editor under `root`, focused first (the caret is where it acts); false if there is
 * no editor or its file has no language support. */
export function runLanguageCommand(root: ParentNode, command: keyof LanguageCommands): boolean {
  const dom = root.querySelector('.cm-editor');
  const view = dom instanceof HTMLElement ? EditorView.findFromDOM(dom) : null;
  const commands = view?.state.facet(languageCommands);
  if (!view || !commands) return false;
  view.focus();
  return commands[command](view);
}
