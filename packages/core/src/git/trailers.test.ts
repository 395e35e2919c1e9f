import { describe, expect, it } from 'vitest';
import { AUTO_COMMIT_SUBJECT_MAX, autoCommitMessage, commitMessage, taskCoAuthor } from './trailers.ts';

describe('commitMessage', () => {
  it('appends sorted, de-duplicated Co-authored-by trailers', () => {
    expect(
      commitMessage('Fix the parser\r\n\n', [
        { name: 'Zoe', email: 'z@x.io' },
        { name: 'Bob <evil>\nInjected: yes', email: 'b@x.io' },
        { name: 'Zoe', email: 'z@x.io' },
      ]),
    ).toBe(
      'Fix the parser\n\nCo-authored-by: Bob evil Injected: yes <b@x.io>\nCo-authored-by: Zoe <z@x.io>\n',
    );
    expect(commitMessage('Only me', [])).toBe('Only me\n');
  });

  it('names a task by id and model', () => {
    expect(taskCoAuthor({ id: '12345678-aaaa', model: 'gpt-x' }, 'tandem.test')).toEqual({
      name: 'Tandem AI task 12345678 (gpt-x)',
      email: 'task-12345678-aaaa@tandem.test',
    });
  });

  it('makes the prompt of an accepted task the message: first line as subject, cut at a word when long', () => {
    expect(autoCommitMessage('  Retry failed payments once \n')).toBe('Retry failed payments once');
    expect(autoCommitMessage('\r\nAdd a health check\r\nIt should return 200.')).toBe(
      'Add a health check\n\nAdd a health check\nIt should return 200.',
    );
    const long = `Rename ${'every old helper '.repeat(8)}to the new names`;
    const message = autoCommitMessage(long);
    const [subject, blank, body] = message.split('\n');
    expect(subject?.length).toBeLessThanOrEqual(AUTO_COMMIT_SUBJECT_MAX);
    // Cut at a word: what precedes the ellipsis is the prompt's start, followed there by a space.
    expect(subject?.endsWith('…')).toBe(true);
    const kept = subject?.slice(0, -1) ?? '';
    expect(long.startsWith(kept) && long[kept.length] === ' ').toBe(true);
    expect(blank).toBe('');
    expect(body).toBe(long);
    expect(autoCommitMessage(' \n ')).toBe('AI task');
  });
});
