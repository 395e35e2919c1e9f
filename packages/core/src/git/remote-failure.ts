// What a git CLI command against a remote printed when it failed, as one of the git error codes. The transport
// (apps/server/src/git/transport.ts) reads git's, curl's and ssh's own messages; what its relay saw (a cut download,
// an unreachable address) it knows first-hand and does not ask this.

export type RemoteFailureCode =
  'GIT_HOST_KEY_CHANGED' | 'GIT_AUTH' | 'GIT_UNREACHABLE' | 'GIT_NON_FAST_FORWARD' | 'GIT_REMOTE_ERROR';

export interface RemoteFailure {
  code: RemoteFailureCode;
  /** Which kind of GIT_REMOTE_ERROR (or other code) it was, for the message and the error's details. */
  reason: 'host key' | 'refused' | 'connection' | 'rejected' | 'not found' | 'no branch' | 'remote';
}

const FAILURES: readonly [RegExp, RemoteFailure][] = [
  [
    /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No \S+ host key is known/i,
    { code: 'GIT_HOST_KEY_CHANGED', reason: 'host key' },
  ],
  [
    // ssh refusing the key; HTTP answering 401 or 403 (git then asks for a user name, which nobody may type).
    /Permission denied \(|Too many authentication failures|no such identity|Authentication failed|could not read (Username|Password)|returned error: 40[13]/i,
    { code: 'GIT_AUTH', reason: 'refused' },
  ],
  [
    /Could not resolve (hostname|host)|Connection refused|Connection timed out|timed out|No route to host|Network is unreachable|Connection closed by|Connection reset|kex_exchange_identification|Broken pipe|Operation too slow|SOCKS|Failed to connect|Empty reply from server|Recv failure|early EOF|unexpected disconnect/i,
    { code: 'GIT_UNREACHABLE', reason: 'connection' },
  ],
  [
    /\[rejected\]|non-fast-forward|fetch first|\(stale info\)/i,
    { code: 'GIT_NON_FAST_FORWARD', reason: 'rejected' },
  ],
  [
    /repository '[^']*' not found|returned error: 404|does not appear to be a git repository/i,
    { code: 'GIT_REMOTE_ERROR', reason: 'not found' },
  ],
  [
    /couldn't find remote ref|Remote branch \S+ not found/i,
    { code: 'GIT_REMOTE_ERROR', reason: 'no branch' },
  ],
];

/** The failure `output` (git's stdout and stderr together: a rejected push is reported on stdout) describes. */
export function classifyRemoteFailure(output: string): RemoteFailure {
  for (const [pattern, failure] of FAILURES) if (pattern.test(output)) return failure;
  return { code: 'GIT_REMOTE_ERROR', reason: 'remote' };
}
