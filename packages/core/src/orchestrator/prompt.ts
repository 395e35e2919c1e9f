// The first request of a task: a system prompt (who the model is, how to write edits) and a user message
// holding the repository map, the selected files in full, and the request, in that order so the request is
// what the model reads last.
import type { ContextSelection } from '../context/index.ts';
import { editFormatPrompt } from '../edits/index.ts';
import type { LlmMessage } from '../llm/index.ts';
import type { ConversationTurn, PromptComment } from './types.ts';

const ROLE = `You are the AI pair programmer of a shared code workspace. Several people are editing these files
live; your changes are shown to them as a proposal they review hunk by hunk before anything is applied.

- Make the change the request asks for, completely, and nothing else: no unrelated refactors or reformatting.
- Work only from the files shown to you in full. The repository map lists the other files and their top-level
  symbols; if you need to change a file you have only seen in the map, say so instead of guessing its lines.
- Keep explanations short: a sentence or two before the edits is enough.
- Write every change as an edit block in the format below; code outside edit blocks is not applied.`;

export function buildSystemPrompt(): string {
  return `${ROLE}\n\n${editFormatPrompt()}`;
}

const languages: Readonly<Record<string, string>> = {
  ts: 'ts',
  tsx: 'tsx',
  mts: 'ts',
  cts: 'ts',
  js: 'js',
  jsx: 'jsx',
  mjs: 'js',
  cjs: 'js',
  json: 'json',
  css: 'css',
  scss: 'scss',
  html: 'html',
  md: 'markdown',
  py: 'python',
  rs: 'rust',
  go: 'go',
  java: 'java',
  rb: 'ruby',
  sh: 'sh',
  yml: 'yaml',
  yaml: 'yaml',
  toml: 'toml',
  sql: 'sql',
  vue: 'vue',
  svelte: 'svelte',
};

function languageOf(path: string): string {
  const dot = path.lastIndexOf('.');
  if (dot === -1 || dot < path.lastIndexOf('/')) return '';
  return languages[path.slice(dot + 1).toLowerCase()] ?? '';
}

/**
 * A file as the edit format expects to see one: its path alone on a line, then a fence longer than any run of
 * backticks inside the content, so a Markdown file with code samples cannot close the fence early.
 */
export function fenceFile(path: string, content: string): string {
  let longest = 2;
  for (const match of content.matchAll(/`{3,}/g)) longest = Math.max(longest, match[0].length);
  const fence = '`'.repeat(longest + 1);
  const body = content === '' || content.endsWith('\n') ? content : `${content}\n`;
  return `${path}\n${fence}${languageOf(path)}\n${body}${fence}`;
}

const MAX_SKIPPED_LISTED = 50;

export function buildUserPrompt(
  selection: ContextSelection,
  request: string,
  options: { filesNote?: string; comments?: readonly PromptComment[] } = {},
): string {
  const sections: string[] = [];
  if (selection.map.text.trim() !== '') {
    sections.push(`# Repository map\n\n${selection.map.text.trimEnd()}`);
  }
  if (selection.files.length > 0) {
    const files = selection.files.map((file) => fenceFile(file.path, file.content));
    const note = options.filesNote === undefined ? '' : ` ${options.filesNote}`;
    sections.push(
      `# Files\n\nThese files are shown in full; edit them with SEARCH/REPLACE blocks.${note}\n\n${files.join('\n\n')}`,
    );
  }
  if (selection.skipped.length > 0) {
    const listed = selection.skipped.slice(0, MAX_SKIPPED_LISTED).map((file) => `- ${file.path}`);
    const more = selection.skipped.length - listed.length;
    if (more > 0) listed.push(`- … and ${more} more`);
    sections.push(
      `# Not shown\n\nThese files looked relevant but did not fit in the context budget:\n${listed.join('\n')}`,
    );
  }
  const comments = options.comments ?? [];
  if (comments.length > 0) {
    const listed = comments.map((c) => {
      const where =
        c.path === undefined ? '' : ` on ${c.path}${c.line === undefined ? '' : `:${String(c.line)}`}`;
      return `- ${c.author}${where}: ${c.body.trim().replaceAll('\n', '\n  ')}`;
    });
    sections.push(
      `# Review comments\n\nReviewers left these comments on your changes:\n${listed.join('\n')}`,
    );
  }
  sections.push(`# Request\n\n${request.trim()}`);
  return `${sections.join('\n\n')}\n`;
}

/** Longest earlier answer replayed to the model; the end of a longer one is kept (its last edits). */
const MAX_ANSWER_CHARS = 32_000;

/**
 * The messages of a follow-up: each earlier request and the model's answer to it, then one message with the files
 * as they are now and the new request. Earlier turns carry only the requests, not the files shown then: those are
 * stale, and the current text in the last message is what the edits must match.
 */
export function buildFollowUpMessages(input: {
  conversation: readonly ConversationTurn[];
  selection: ContextSelection;
  request: string;
  comments: readonly PromptComment[];
}): LlmMessage[] {
  const messages: LlmMessage[] = [];
  input.conversation.forEach((turn, index) => {
    const files =
      index === 0 ? '(The files were shown here; their current text follows in the last message.)\n\n' : '';
    messages.push(
      { role: 'user', content: `${files}# Request\n\n${turn.prompt.trim()}\n` },
      { role: 'assistant', content: boundedAnswer(turn.answer) },
    );
  });
  messages.push({
    role: 'user',
    content: buildUserPrompt(input.selection, input.request, {
      filesNote:
        'This is their text now: the live files as people left them, with the changes of your last answer that nobody has accepted or rejected yet already applied. Changes that were rejected are not in them.',
      comments: input.comments,
    }),
  });
  return messages;
}

function boundedAnswer(answer: string): string {
  const trimmed = answer.trim();
  // An empty assistant turn is rejected by some providers.
  if (trimmed === '') return '(no answer)';
  if (trimmed.length <= MAX_ANSWER_CHARS) return trimmed;
  return `(…the start of this answer is left out…)\n${trimmed.slice(-MAX_ANSWER_CHARS)}`;
}
