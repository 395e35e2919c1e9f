// The component gallery at /gallery: each @tandem/ui component rendered with sample data, live (the editor takes
// typing, the tree opens folders, the review's buttons answer), for the docs' UI reference. It needs no account and
// touches no server data. The sample data comes from core the way the app gets it (a real changeset, a real Y.Text).
import { computeChangeset } from '@tandem/core';
import {
  CheckResultsView,
  CollaborativeEditor,
  DiffReview,
  FileTree,
  languageForPath,
  PresenceBar,
  StatusBadge,
  TaskTimeline,
  type CheckEntry,
  type TimelineEvent,
} from '@tandem/ui';
import { useMemo, useState, type ReactNode } from 'react';
import * as Y from 'yjs';

const at = '2026-01-01T10:00:00.000Z';
const BEFORE = 'export function div(a: number, b: number): number {\n  return a / b;\n}\n';
const AFTER =
  "export function div(a: number, b: number): number {\n  if (b === 0) throw new RangeError('division by zero');\n  return a / b;\n}\n";

const timeline: TimelineEvent[] = [
  { seq: 1, at, type: 'status', status: 'selecting-context' },
  {
    seq: 2,
    at,
    type: 'context',
    files: [{ path: 'src/math.ts', reason: 'named', tokens: 120 }],
    totalTokens: 120,
    budgetTokens: 8_000,
  },
  { seq: 3, at, type: 'status', status: 'streaming' },
  { seq: 4, at, type: 'output', text: 'Adding a guard against a zero divisor.\n' },
  { seq: 5, at, type: 'edit', path: 'src/math.ts', kind: 'modify', status: 'applied', rung: 'exact' },
  {
    seq: 6,
    at,
    type: 'proposal',
    summary: {
      files: [{ path: 'src/math.ts', kind: 'modify', hunks: 1, added: 1, removed: 0 }],
      hunks: 1,
      added: 1,
      removed: 0,
    },
  },
  { seq: 7, at, type: 'status', status: 'proposed' },
];

const checks: CheckEntry[] = [
  {
    check: 'typecheck',
    status: 'passed',
    durationMs: 2_300,
    summary: 'No type errors',
    output: '',
    findings: [],
  },
  {
    check: 'test',
    status: 'failed',
    durationMs: 4_100,
    summary: '1 of 12 tests failed',
    output: 'FAIL src/math.test.ts > div > refuses zero\n  expected RangeError, got Infinity\n',
    findings: [],
  },
];

const paths = ['README.md', 'src/math.ts', 'src/math.test.ts', 'src/index.ts'];

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`} data-gallery={id} className="grid gap-2">
      <h2 id={`${id}-title`} className="text-lg font-semibold text-zinc-900">
        {title}
      </h2>
      <div className="rounded-lg bg-white p-3 ring-1 ring-zinc-200">{children}</div>
    </section>
  );
}

export default function GalleryPage() {
  const ytext = useMemo(() => {
    const doc = new Y.Doc();
    const text = doc.getText('gallery');
    text.insert(0, BEFORE);
    return text;
  }, []);
  const file = useMemo(() => {
    const changeset = computeChangeset(
      new Map([['src/math.ts', BEFORE]]),
      new Map([['src/math.ts', AFTER]]),
      [],
      { taskId: 'gallery' },
    );
    const change = changeset.files[0];
    if (!change) throw new Error('the sample changeset is empty');
    return change;
  }, []);
  const [decided, setDecided] = useState('');
  const [opened, setOpened] = useState<string | null>('src/math.ts');
  const [following, setFollowing] = useState<number | null>(null);

  return (
    <main className="mx-auto grid max-w-5xl gap-6 p-6">
      <header>
        <h1 className="text-2xl font-semibold text-zinc-900">Component gallery</h1>
        <p className="text-sm text-zinc-600">
          The components of <code>@tandem/ui</code> with sample data. See the docs&apos; UI reference for
          their props.
        </p>
      </header>
      <Section id="status-badge" title="StatusBadge">
        <div className="flex gap-2">
          <StatusBadge tone="ok" label="applied" description="Every hunk was applied" />
          <StatusBadge tone="warn" label="conflict" description="A hunk's lines changed since the snapshot" />
          <StatusBadge tone="error" label="failed" />
          <StatusBadge tone="neutral" label="queued" />
        </div>
      </Section>
      <Section id="presence-bar" title="PresenceBar">
        <PresenceBar
          members={[
            {
              clientId: 1,
              userId: 'u1',
              name: 'Ada Lovelace',
              color: '#7c3aed',
              path: 'src/math.ts',
              isSelf: true,
            },
            {
              clientId: 2,
              userId: 'u2',
              name: 'Grace Hopper',
              color: '#0891b2',
              path: 'README.md',
              role: 'editor',
            },
            { clientId: 3, userId: 'u3', name: 'Linus Pauling', color: '#d97706', role: 'reviewer' },
          ]}
          following={following}
          onFollow={setFollowing}
        />
      </Section>
      <Section id="file-tree" title="FileTree">
        <div className="h-56">
          <FileTree
            paths={paths}
            selected={opened}
            onOpen={setOpened}
            readOnly
            presence={{ 'README.md': [{ name: 'Grace Hopper', color: '#0891b2' }] }}
          />
        </div>
        <p className="text-xs text-zinc-600">Opened: {opened}</p>
      </Section>
      <Section id="collaborative-editor" title="CollaborativeEditor">
        <div className="h-40">
          <CollaborativeEditor
            ytext={ytext}
            awareness={null}
            language={languageForPath('src/math.ts')}
            ariaLabel="Gallery editor: src/math.ts"
          />
        </div>
      </Section>
      <Section id="diff-review" title="DiffReview">
        <DiffReview
          file={file}
          current={BEFORE}
          proposed={AFTER}
          language={languageForPath('src/math.ts')}
          onAccept={(ids) => setDecided(`accepted ${ids.join(', ')}`)}
          onReject={(ids) => setDecided(`rejected ${ids.join(', ')}`)}
          onResolve={() => undefined}
        />
        <p className="text-xs text-zinc-600" data-gallery-decision>
          {decided}
        </p>
      </Section>
      <Section id="task-timeline" title="TaskTimeline">
        <TaskTimeline events={timeline} />
      </Section>
      <Section id="check-results" title="CheckResultsView">
        <CheckResultsView checks={checks} />
      </Section>
    </main>
  );
}
