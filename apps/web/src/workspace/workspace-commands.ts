// Every action of the code mode as a palette command, built from what exists right now (a reviewer gets no
// editing commands, "Go to line" needs an open file). Actions that belong to a pane press that pane's own
// button, so the palette never grows a second implementation of them.
import type { Command } from '@tandem/ui/command-palette';
import { openFindInEditor } from '@tandem/ui/collaborative-editor';
import { languageShortcuts, runLanguageCommand } from '@tandem/ui/editor-commands';
import { isScriptPath } from '@tandem/ui/ts-language';

/** Presses the button matching `selector`, after the pane holding it has been shown. */
function press(selector: string) {
  setTimeout(() => {
    const el = document.querySelector(selector);
    if (el instanceof HTMLElement) el.click();
  }, 0);
}

/** Where find in file opens: the focused editor group when the editor is split, else the editor. */
export function focusedEditorGroup(): ParentNode {
  return (
    document.querySelector('main [data-editor-group][data-focused]') ??
    document.querySelector('main') ??
    document
  );
}

export interface CommandContext {
  canEdit: boolean;
  isOwner: boolean;
  openPath: string | null;
  openIsText: boolean;
  taskId: string | null;
  reviewing: boolean;
  following: string | null;
  others: { clientId: number; name: string }[];
  quickOpen: (initial: string) => void;
  /** Shows a side pane (the file tree, find in files in its place, or the AI panel), docked or floating. */
  showPane: (pane: 'files' | 'search' | 'git' | 'ai') => void;
  /** Which side panes are shown now, for the titles of the toggles. */
  panes: { files: boolean; ai: boolean };
  togglePane: (pane: 'files' | 'ai') => void;
  follow: (clientId: number | null) => void;
  closeTab: () => void;
  splitRight: () => void;
  review: (open: boolean) => void;
  taskHistory: () => void;
  share: () => void;
  home: () => void;
}

export function workspaceCommands(c: CommandContext): Command[] {
  const list: Command[] = [
    { id: 'quick-open', group: 'File', title: 'Go to file…', shortcut: 'Mod-p', run: () => c.quickOpen('') },
  ];
  if (c.openPath)
    list.push({
      id: 'go-to-line',
      group: 'File',
      title: 'Go to line…',
      shortcut: 'Mod-g',
      run: () => c.quickOpen(':'),
    });
  if (c.openPath && !c.reviewing)
    list.push(
      { id: 'close-tab', group: 'File', title: 'Close the tab', shortcut: 'Mod-w', run: c.closeTab },
      { id: 'split-right', group: 'View', title: 'Split right', shortcut: 'Mod-\\', run: c.splitRight },
    );
  if (c.canEdit) {
    const inFiles = (label: string) => () => {
      c.showPane('files');
      press(`aside[aria-label="Files"] button[aria-label="${label}"]`);
    };
    list.push(
      { id: 'new-file', group: 'File', title: 'New file', run: inFiles('New file') },
      { id: 'new-folder', group: 'File', title: 'New folder', run: inFiles('New folder') },
      { id: 'upload-files', group: 'File', title: 'Upload files', run: inFiles('Upload files') },
      { id: 'upload-folder', group: 'File', title: 'Upload folder', run: inFiles('Upload folder') },
      {
        id: 'upload-archive',
        group: 'File',
        title: 'Upload archive (.zip, .tar.gz)',
        run: inFiles('Upload archive (.zip, .tar.gz)'),
      },
    );
  }
  list.push({
    id: 'download',
    group: 'File',
    title: 'Download workspace as archive',
    run: () => {
      c.showPane('files');
      press('aside[aria-label="Files"] [aria-label="Download workspace as archive"]');
    },
  });
  if (c.openPath && c.openIsText && !c.reviewing)
    list.push({
      id: 'find-in-file',
      group: 'Search',
      title: c.canEdit ? 'Find and replace in file' : 'Find in file',
      shortcut: 'Mod-f',
      run: () => openFindInEditor(focusedEditorGroup()),
    });
  // What TypeScript knows about the code at the caret; the editor binds the same keys.
  if (c.openPath && c.openIsText && !c.reviewing && isScriptPath(c.openPath))
    list.push(
      {
        id: 'quick-info',
        group: 'Code',
        title: 'Show type and documentation at the cursor',
        shortcut: languageShortcuts.quickInfo,
        run: () => runLanguageCommand(focusedEditorGroup(), 'quickInfo'),
      },
      {
        id: 'go-to-definition',
        group: 'Code',
        title: 'Go to definition',
        shortcut: languageShortcuts.definition,
        run: () => runLanguageCommand(focusedEditorGroup(), 'definition'),
      },
      {
        id: 'find-references',
        group: 'Code',
        title: 'Find references',
        shortcut: languageShortcuts.references,
        run: () => runLanguageCommand(focusedEditorGroup(), 'references'),
      },
    );
  list.push(
    {
      id: 'find-in-files',
      group: 'Search',
      title: c.canEdit ? 'Find and replace in files' : 'Find in files',
      shortcut: 'Mod-Shift-f',
      run: () => c.showPane('search'),
    },
    {
      id: 'source-control',
      group: 'View',
      title: 'Show source control (git)',
      shortcut: 'Mod-Shift-g',
      run: () => c.showPane('git'),
    },
    {
      id: 'toggle-files',
      group: 'View',
      title: c.panes.files ? 'Hide the file tree' : 'Show the file tree',
      shortcut: 'Mod-b',
      run: () => c.togglePane('files'),
    },
    {
      id: 'toggle-ai',
      group: 'View',
      title: c.panes.ai ? 'Hide the AI panel' : 'Show the AI panel',
      shortcut: 'Mod-Alt-b',
      run: () => c.togglePane('ai'),
    },
  );
  if (c.canEdit)
    list.push({
      id: 'ask-ai',
      group: 'AI',
      title: 'Ask the AI (new task)',
      run: () => {
        c.taskHistory();
        c.showPane('ai');
        setTimeout(
          () => document.querySelector<HTMLElement>('form[aria-label="Ask the AI"] textarea')?.focus(),
          0,
        );
      },
    });
  list.push({
    id: 'task-history',
    group: 'AI',
    title: 'Show task history',
    run: () => {
      c.taskHistory();
      c.showPane('ai');
    },
  });
  if (c.taskId && !c.reviewing)
    list.push({ id: 'review', group: 'AI', title: 'Review the task’s changes', run: () => c.review(true) });
  if (c.reviewing)
    list.push({ id: 'close-review', group: 'AI', title: 'Close the review', run: () => c.review(false) });
  if (c.canEdit)
    list.push({
      id: 'run-checks',
      group: 'Checks',
      title: 'Run checks',
      run: () => press('section[aria-label="Checks"] button[title^="Type check"]'),
    });
  for (const other of c.others)
    list.push({
      id: `follow-${other.clientId}`,
      group: 'People',
      title: `Follow ${other.name}`,
      run: () => c.follow(other.clientId),
    });
  if (c.following)
    list.push({
      id: 'stop-following',
      group: 'People',
      title: `Stop following ${c.following}`,
      run: () => c.follow(null),
    });
  if (c.isOwner) list.push({ id: 'share', group: 'Workspace', title: 'Share (invite people)', run: c.share });
  list.push({ id: 'home', group: 'Workspace', title: 'All workspaces', run: c.home });
  return list;
}
