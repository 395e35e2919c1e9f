import { describe, expect, it } from 'vitest';
import { classifyRemoteFailure } from './remote-failure.ts';

describe('classifyRemoteFailure', () => {
  it.each([
    [
      '@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.',
      'GIT_HOST_KEY_CHANGED',
      'host key',
    ],
    [
      'git@127.0.0.1: Permission denied (publickey).\nfatal: Could not read from remote repository.',
      'GIT_AUTH',
      'refused',
    ],
    [
      "fatal: could not read Username for 'http://127.0.0.1:4000': terminal prompts disabled",
      'GIT_AUTH',
      'refused',
    ],
    [
      "fatal: unable to access 'https://h/r.git/': The requested URL returned error: 403",
      'GIT_AUTH',
      'refused',
    ],
    ['ssh: connect to host 127.0.0.1 port 9: Connection refused', 'GIT_UNREACHABLE', 'connection'],
    [
      "fatal: unable to access 'http://h/r.git/': Operation too slow. Less than 1 bytes/sec transferred the last 4 seconds",
      'GIT_UNREACHABLE',
      'connection',
    ],
    ['!\trefs/heads/main:refs/heads/main\t[rejected] (fetch first)', 'GIT_NON_FAST_FORWARD', 'rejected'],
    ["fatal: repository 'http://127.0.0.1:4000/nope.git/' not found", 'GIT_REMOTE_ERROR', 'not found'],
    ["fatal: '/x.git' does not appear to be a git repository", 'GIT_REMOTE_ERROR', 'not found'],
    ["fatal: couldn't find remote ref refs/heads/nope", 'GIT_REMOTE_ERROR', 'no branch'],
    ['fatal: Remote branch nope not found in upstream origin', 'GIT_REMOTE_ERROR', 'no branch'],
    ['fatal: the remote end hung up unexpectedly during a protocol error', 'GIT_REMOTE_ERROR', 'remote'],
  ] as const)('%s -> %s', (output, code, reason) => {
    expect(classifyRemoteFailure(output)).toEqual({ code, reason });
  });
});
