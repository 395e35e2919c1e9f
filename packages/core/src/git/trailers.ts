// The commit message Tandem writes: the member's message, then one `Co-authored-by:` trailer per other person and
// per accepted AI task whose edits the commit contains, in a stable order so the same history gives the same commit.

export interface CoAuthor {
  name: string;
  email: string;
}

// A trailer value must stay on one line and keep `<` `>` for the address only.
const clean = (value: string) =>
  value
    .replace(/[\r\n<>]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();

export function commitMessage(message: string, coAuthors: readonly CoAuthor[]): string {
  const body = message.replace(/\r\n/g, '\n').trimEnd();
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const author of [...coAuthors].sort((a, b) => (a.name + a.email).localeCompare(b.name + b.email))) {
    const line = `Co-authored-by: ${clean(author.name)} <${clean(author.email)}>`;
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
  }
  return lines.length === 0 ? `${body}\n` : `${body}\n\n${lines.join('\n')}\n`;
}

/** The co-author an accepted AI task appears as: the task and its model, at an address that cannot receive mail. */
export function taskCoAuthor(task: { id: string; model: string | null }, host: string): CoAuthor {
  return {
    name: `Tandem AI task ${task.id.slice(0, 8)} (${task.model ?? 'unknown model'})`,
    email: `task-${task.id}@${host}`,
  };
}

/** How long the first line of a commit an accepted task makes may be: what `git log --oneline` and hosts show whole. */
export const AUTO_COMMIT_SUBJECT_MAX = 72;

/**
 * The message of the commit an accepted task makes on its own: the task's prompt, its first non-empty line as the
 * subject (cut at a word, with an ellipsis, past AUTO_COMMIT_SUBJECT_MAX) and the whole prompt as the body when the
 * subject does not already say all of it.
 */
export function autoCommitMessage(prompt: string): string {
  const text = prompt.replace(/\r\n?/g, '\n').trim();
  const first = (text.split('\n').find((line) => line.trim() !== '') ?? 'AI task')
    .trim()
    .replace(/\s+/g, ' ');
  let subject = first;
  if (first.length > AUTO_COMMIT_SUBJECT_MAX) {
    const cut = first.slice(0, AUTO_COMMIT_SUBJECT_MAX - 1);
    const space = cut.lastIndexOf(' ');
    subject = `${(space > AUTO_COMMIT_SUBJECT_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
  }
  return subject === text || text === '' ? subject : `${subject}\n\n${text}`;
}
