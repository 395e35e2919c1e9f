// The centre pane: the open file bound live to its Y.Text, with who else is in it and a clear read-only badge.
import { CollaborativeEditor, type EditorJump } from '@tandem/ui/collaborative-editor';
import { languageForPath } from '@tandem/ui/editor-language';
import { getStoredFile, resolveIndentation, type StoredFile } from '@tandem/core';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { Badge, PageState } from '../components/ui.tsx';
import { BinaryPanel } from './binary-panel.tsx';
import { LocationList, type LocationListState } from './location-list.tsx';
import { useLanguageFeatures } from './use-language-features.ts';
import type { PresenceMember } from './use-presence.ts';

/** The `.editorconfig` in a workspace directory ('' is the root), if there is a text one. */
function editorConfigReader(doc: Y.Doc | null) {
  return (dir: string) => {
    const file = doc ? getStoredFile(doc, dir ? `${dir}/.editorconfig` : '.editorconfig') : undefined;
    return file && !file.binary ? file.text.toString() : undefined;
  };
}

export function EditorPane({
  path,
  file,
  doc,
  awareness,
  readOnly,
  synced,
  here,
  scrollTo,
  onUserActivity,
  jumpTo,
}: {
  path: string | null;
  /** The open file; a binary one shows its size, a download and (images) a preview instead of the editor. */
  file: StoredFile | null;
  /** The workspace document, where the project's `.editorconfig` files are read from. */
  doc: Y.Doc | null;
  awareness: Awareness | null;
  readOnly: boolean;
  synced: boolean;
  here: PresenceMember[];
  scrollTo: number | null;
  /** The person typed or clicked in the editor. */
  onUserActivity?: () => void;
  /** Go to this line (quick open's `:line`). */
  jumpTo?: EditorJump | null;
}) {
  // Decided when the file opens, from the project's settings and the text as it is then.
  const indentation = useMemo(
    () =>
      path && file && !file.binary
        ? resolveIndentation(path, file.text.toString(), editorConfigReader(doc))
        : null,
    [path, file, doc],
  );
  const pane = useRef<HTMLDivElement>(null);
  const [locations, setLocations] = useState<LocationListState | null>(null);
  const showLocations = useCallback<Parameters<typeof useLanguageFeatures>[2]>(
    (title, found) => setLocations((prev) => ({ title, locations: found, seq: (prev?.seq ?? 0) + 1 })),
    [],
  );
  const features = useLanguageFeatures(doc, file && !file.binary ? path : null, showLocations);
  const closeLocations = () => {
    setLocations(null);
    // Back to where the person asked from.
    pane.current?.querySelector<HTMLElement>('.cm-content')?.focus();
  };
  if (!synced) return <PageState title="Loading the workspace…" busy />;
  if (!path) {
    return (
      <PageState title="Open a file to start">
        Pick one in the tree on the left. Everyone here sees your cursor, and you see theirs.
      </PageState>
    );
  }
  if (!file) {
    return <PageState title={`${path} is gone`}>Someone renamed or deleted it. Pick another file.</PageState>;
  }
  if (file.binary) return <BinaryPanel key={path} path={path} bytes={file.bytes} readOnly={readOnly} />;
  const language = languageForPath(path);
  return (
    <div ref={pane} className="flex h-full min-h-0 flex-col">
      <div className="flex h-9 shrink-0 items-center gap-2 border-b border-zinc-200 bg-white px-3 text-xs">
        <span className="min-w-0 flex-1 truncate font-mono text-zinc-800" title={path}>
          {path}
        </span>
        {here.map((m) => (
          <span
            key={m.clientId}
            className="flex items-center gap-1 text-zinc-700"
            title={`${m.name} is in this file`}
          >
            <span className="size-2 rounded-full" style={{ background: m.color }} aria-hidden="true" />
            {m.name}
          </span>
        ))}
        {indentation ? (
          <span
            className="text-zinc-600"
            title={`Indentation from ${indentation.source === 'editorconfig' ? '.editorconfig' : indentation.source === 'detected' ? 'the file' : 'the default'}`}
          >
            {indentation.style === 'tab' ? 'Tabs' : `Spaces: ${indentation.size}`}
          </span>
        ) : null}
        <span className="text-zinc-600">{language ?? 'plain text'}</span>
        {readOnly ? (
          <Badge tone="amber" title="Reviewers watch live; the server refuses their edits">
            Read-only
          </Badge>
        ) : null}
      </div>
      <div className="min-h-0 flex-1 bg-white">
        <CollaborativeEditor
          key={path}
          ytext={file.text}
          awareness={awareness}
          readOnly={readOnly}
          language={language}
          ariaLabel={`Editor for ${path}`}
          className="h-full"
          scrollTo={scrollTo}
          indentation={indentation}
          onUserActivity={onUserActivity}
          jumpTo={jumpTo}
          extensions={features}
        />
      </div>
      {locations ? <LocationList list={locations} onClose={closeLocations} /> : null}
    </div>
  );
}
