// A unified diff as text (git's format: `---`/`+++` headers, `@@` hunk lines, then ` `/`-`/`+` lines) shown read-only,
// each line marked added, removed or unchanged in colour and in words for screen readers. The source-control panel
// shows the workspace's changes and past commits with it.

export type DiffLineKind = 'header' | 'hunk' | 'added' | 'removed' | 'context' | 'note';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
}

/** Each line of a unified diff with what it is; a trailing newline makes no empty last line. */
export function diffLines(diff: string): DiffLine[] {
  const lines = diff.endsWith('\n') ? diff.slice(0, -1).split('\n') : diff.split('\n');
  if (diff === '') return [];
  return lines.map((text): DiffLine => {
    if (text.startsWith('+++ ') || text.startsWith('--- ')) return { kind: 'header', text };
    if (text.startsWith('@@')) return { kind: 'hunk', text };
    if (text.startsWith('+')) return { kind: 'added', text };
    if (text.startsWith('-')) return { kind: 'removed', text };
    if (text.startsWith(' ') || text === '') return { kind: 'context', text };
    return { kind: 'note', text };
  });
}

const lineClass: Record<DiffLineKind, string> = {
  header: 'text-zinc-700',
  hunk: 'bg-indigo-50 text-indigo-900',
  added: 'bg-emerald-50 text-emerald-900',
  removed: 'bg-red-50 text-red-900',
  context: 'text-zinc-900',
  note: 'italic text-zinc-700',
};
const spoken: Partial<Record<DiffLineKind, string>> = { added: 'added: ', removed: 'removed: ' };

export function UnifiedDiff({ diff, label }: { diff: string; label: string }) {
  const lines = diffLines(diff);
  if (lines.length === 0) return <p className="m-0 text-xs text-zinc-700">No line changes.</p>;
  return (
    // Scrolls when long, so it takes focus: a keyboard user can scroll it (axe scrollable-region-focusable).
    <pre
      tabIndex={0}
      aria-label={label}
      className="m-0 max-h-96 overflow-auto rounded bg-white p-0 font-mono text-xs ring-1 ring-zinc-200"
    >
      {lines.map((line, i) => (
        <div key={i} data-diff-line={line.kind} className={`px-2 whitespace-pre ${lineClass[line.kind]}`}>
          {spoken[line.kind] ? <span className="sr-only">{spoken[line.kind]}</span> : null}
          {line.text}
        </div>
      ))}
    </pre>
  );
}
