import { describe, expect, it } from 'vitest';
import { commitMessage, taskCoAuthor } from './trailers.ts';

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
});
