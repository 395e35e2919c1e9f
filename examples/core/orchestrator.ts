// The orchestrator: runTask takes a prompt and a snapshot of the files, asks the model, parses its search/replace
// blocks as they stream, applies them to a virtual copy, validates the result, feeds failures back to the model
// (bounded retries) and proposes a changeset, reporting every step as a typed event. The model here is scripted: an
// LlmClient that answers from a list, first with an edit that does not match the file, then with one that does.
// Run: pnpm --filter @tandem/example-core orchestrator
import type { TaskEvent } from '@tandem/core';
import { runTask, syntaxValidator, type LlmClient, type LlmRequest } from '@tandem/core/ai';

const FENCE = '```';
const edit = (path: string, search: string, replace: string) =>
  `${path}\n${FENCE}ts\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n${FENCE}\n`;

const answers = [
  // Wrong: the SEARCH text is not in the file. The orchestrator tells the model and asks again.
  `Adding a check.\n${edit('src/math.ts', '  return a+b;', '  return a + b;')}`,
  `Sorry, with the exact text:\n${edit('src/math.ts', 'export function div(a: number, b: number): number {', "export function div(a: number, b: number): number {\n  if (b === 0) throw new RangeError('division by zero');")}`,
];

/** Any provider behind one interface: text deltas, then one `finish` with the token usage. */
const scriptedModel: LlmClient = {
  provider: 'openai-compatible',
  model: 'scripted',
  async *stream(request: LlmRequest) {
    const answer = answers.shift();
    if (answer === undefined) throw new Error('the script has no more answers');
    const asked = request.messages.at(-1);
    if (answers.length === 0 && typeof asked?.content === 'string') {
      console.log(`the model was told: ${asked.content.split('\n')[0]}`);
    }
    // Streamed in pieces, as a provider sends tokens.
    for (const piece of answer.match(/[\s\S]{1,40}/g) ?? []) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield { type: 'text', text: piece };
    }
    yield {
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 500, outputTokens: 60, estimated: false },
    };
  },
};

const events: TaskEvent[] = [];
const result = await runTask(
  {
    taskId: 'task-1',
    prompt: 'Make div refuse a zero divisor.',
    files: new Map([
      ['src/math.ts', 'export function div(a: number, b: number): number {\n  return a / b;\n}\n'],
    ]),
  },
  {
    llm: scriptedModel,
    model: 'scripted',
    emit: (event) => void events.push(event),
    validators: [syntaxValidator],
    signal: AbortSignal.timeout(30_000),
  },
);

const counts = new Map<string, number>();
for (const event of events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
console.log(`events: ${[...counts].map(([type, n]) => `${type}×${n}`).join(' ')}`);
console.log(`statuses: ${events.flatMap((e) => (e.type === 'status' ? [e.status] : [])).join(' → ')}`);
console.log(`outcome: ${result.outcome}, model calls: ${result.calls}`);
for (const file of result.changeset?.files ?? []) {
  for (const hunk of file.hunks) {
    console.log(`proposed ${file.path} hunk ${hunk.id}:\n${hunk.newText.trimEnd()}`);
  }
}
