// A follow-up run against the real loopback provider: the model is sent the conversation so far and the files as
// they are now (live text with the previous revision's open changes), and the new revision is a changeset
// against the live text that carries those changes over.
import { describe, expect, it, type TestContext } from 'vitest';
import { applyHunks } from '../changeset/apply-hunks.ts';
import { anchorChangeset } from '../changeset/anchor-changeset.ts';
import { captureBase } from '../changeset/anchors.ts';
import { previewChangeset } from '../changeset/preview.ts';
import { compareRevisions, filesWithOpenChanges } from '../changeset/revisions.ts';
import { docWith, read, replaceIn } from '../changeset/test-docs.ts';
import type { TaskEvent, TaskEventOf } from '../events/index.ts';
import { createLlmClient } from '../llm/index.ts';
import { messagesOf, replay, searchReplaceBlock as block, startReplayServer } from '../llm/testing/index.ts';
import { syntaxValidator } from '../validate/index.ts';
import { runTask } from './run-task.ts';
import type { RunTaskDeps } from './types.ts';

const PATH = 'src/client.ts';
const FILE = ['const retries = 2;', '', 'const timeout = 10;', '', 'export { retries, timeout };', ''].join(
  '\n',
);

async function deps(context: TestContext, events: TaskEvent[]) {
  const server = await startReplayServer();
  context.onTestFinished(() => server.close());
  const llm = createLlmClient({
    provider: 'openai-compatible',
    baseUrl: `${server.url}/v1`,
    apiKey: 'test-key',
    model: 'gpt-4o-mini',
    timeoutMs: 5_000,
    maxRetries: 0,
  });
  const runDeps: RunTaskDeps = {
    llm,
    model: 'gpt-4o-mini',
    emit: (event) => {
      events.push(event);
    },
    validators: [syntaxValidator],
    signal: new AbortController().signal,
    outputFlushMs: 5,
  };
  return { server, deps: runDeps };
}

const proposals = (events: readonly TaskEvent[]) =>
  events.filter((e): e is TaskEventOf<'proposal'> => e.type === 'proposal');

describe('runTask: a follow-up revision', () => {
  it('sends the conversation and the current files, and proposes against the live text', async (context) => {
    const events: TaskEvent[] = [];
    const { server, deps: runDeps } = await deps(context, events);
    const doc = docWith({ [PATH]: FILE });

    // Revision 1: more retries.
    const firstAnswer = `More retries.\n${block(PATH, 'const retries = 2;', 'const retries = 5;')}`;
    server.enqueue([replay.text(firstAnswer)]);
    const base1 = captureBase(doc);
    const first = await runTask(
      { taskId: 't1', prompt: 'Retry more in @src/client.ts', files: base1.texts },
      runDeps,
    );
    expect(first.outcome).toBe('proposed');
    expect(first.answer).toBe(firstAnswer);
    expect(proposals(events)[0]?.revision).toBeUndefined();
    const rev1 = anchorChangeset(doc, first.changeset ?? { taskId: 't1', files: [] }, {
      snapshot: base1.snapshot,
    });

    // Meanwhile a human edits the export line; nobody decides on revision 1 yet.
    replaceIn(doc, 'src/client.ts', 'export { retries, timeout };', 'export { retries, timeout }; // public');

    // Revision 2: the model sees revision 1 applied on the live text and adds the timeout.
    const base2 = captureBase(doc);
    const shown = filesWithOpenChanges(doc, base2.texts, rev1);
    expect(shown.get(PATH)).toContain('const retries = 5;');
    expect(shown.get(PATH)).toContain('// public');
    const secondAnswer = `And a longer timeout.\n${block(PATH, 'const timeout = 10;', 'const timeout = 30;')}`;
    server.enqueue([replay.text(secondAnswer)]);
    events.length = 0;
    const second = await runTask(
      {
        taskId: 't1',
        prompt: 'Also handle the timeout case',
        files: shown,
        baseFiles: base2.texts,
        revision: 2,
        conversation: [{ prompt: 'Retry more in @src/client.ts', answer: first.answer }],
        comments: [{ author: 'Rita', body: 'Timeout is too short', path: PATH, line: 3 }],
      },
      runDeps,
    );
    expect(second.outcome).toBe('proposed');
    expect(proposals(events)).toEqual([expect.objectContaining({ revision: 2 })]);

    // The conversation: first request, the model's first answer, then the files as they are now and the follow-up.
    const messages = messagesOf(server.requests[1]);
    expect(messages.filter((m) => m.role !== 'system').map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
    ]);
    const [ask, answered, now] = messages.filter((m) => m.role !== 'system');
    expect(ask?.text).toContain('Retry more in @src/client.ts');
    expect(answered?.text).toBe(firstAnswer.trim());
    expect(now?.text).toContain('const retries = 5;');
    expect(now?.text).toContain('// public');
    expect(now?.text).toContain('- Rita on src/client.ts:3: Timeout is too short');
    expect(now?.text.trimEnd().endsWith('Also handle the timeout case')).toBe(true);

    // Revision 2 is against the live text: it carries revision 1's open change and adds the new one, and leaves
    // the human's edit alone.
    const rev2 = anchorChangeset(doc, second.changeset ?? { taskId: 't1', files: [] }, {
      snapshot: base2.snapshot,
    });
    const hunks = rev2.files[0]?.hunks ?? [];
    expect(hunks.map((h) => [h.oldText, h.newText])).toEqual([
      ['const retries = 2;\n', 'const retries = 5;\n'],
      ['const timeout = 10;\n', 'const timeout = 30;\n'],
    ]);
    expect(previewChangeset(doc, rev2).files[0]?.proposed).toBe(
      FILE.replace('= 2', '= 5').replace('= 10', '= 30').replace('};', '}; // public'),
    );
    // Against revision 1, only the follow-up's change differs.
    expect(compareRevisions(doc, rev1, rev2)).toEqual([
      {
        path: PATH,
        previous: FILE.replace('= 2', '= 5').replace('};', '}; // public'),
        current: FILE.replace('= 2', '= 5').replace('= 10', '= 30').replace('};', '}; // public'),
      },
    ]);

    // Accepting revision 2 lands both changes on the live text, the human's comment kept.
    applyHunks(
      doc,
      rev2,
      hunks.map((h) => h.id),
      { taskId: 't1', userId: 'u' },
    );
    expect(read(doc, PATH)).toBe(
      FILE.replace('= 2', '= 5').replace('= 10', '= 30').replace('};', '}; // public'),
    );
  });

  it('proposes the carried-over changes when the model changes nothing further', async (context) => {
    const events: TaskEvent[] = [];
    const { server, deps: runDeps } = await deps(context, events);
    const live = new Map([[PATH, FILE]]);
    const shown = new Map([[PATH, FILE.replace('= 2', '= 5')]]);
    server.enqueue([replay.text('Nothing else needs to change.')]);
    const result = await runTask(
      {
        taskId: 't1',
        prompt: 'Anything else?',
        files: shown,
        baseFiles: live,
        revision: 2,
        conversation: [{ prompt: 'Retry more', answer: '' }],
      },
      runDeps,
    );
    expect(result.outcome).toBe('proposed');
    expect(result.changeset?.files[0]?.hunks.map((h) => h.newText)).toEqual(['const retries = 5;\n']);
    // An empty earlier answer is still a turn (some providers refuse empty assistant messages).
    expect(messagesOf(server.requests[0]).find((m) => m.role === 'assistant')?.text).toBe('(no answer)');
  });
});
