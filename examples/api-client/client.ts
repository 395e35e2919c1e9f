// A complete Tandem API client in TypeScript, written from the docs' API reference (docs/reference): it signs in,
// creates a workspace and a file, invites a reviewer, asks the AI for a change, follows the task's events over the
// WebSocket, accepts the proposal and reads the result back. apps/server/test/example-client.test.ts runs it against
// a real server, so it stays true.
//
//   pnpm --filter @tandem/example-api-client start http://localhost:3000 you@example.com 'your password' [name]
import type { AppRouter } from '@tandem/server/router';
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  TRPCClientError,
  wsLink,
} from '@trpc/client';
import superjson from 'superjson';
import WebSocket from 'ws';

/** A client for one Tandem instance, keeping the session cookie that `auth.signIn` sets (as a browser would). */
export function connect(origin: string) {
  let cookie = '';
  // Node's WebSocket takes headers: the session cookie authenticates the socket, like the browser's cookie does.
  class SessionWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie, origin } });
    }
  }
  const socket = createWSClient({
    url: `${origin.replace(/^http/, 'ws')}/trpc`,
    WebSocket: SessionWebSocket as unknown as typeof globalThis.WebSocket,
    // Opened at the first subscription (after signing in), closed when none is left.
    lazy: { enabled: true, closeMs: 1_000 },
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: socket, transformer: superjson }),
        false: httpBatchLink({
          url: `${origin}/trpc`,
          transformer: superjson,
          headers: () => (cookie ? { cookie } : {}),
          fetch: async (url: string | URL | Request, init?: RequestInit) => {
            const response = await fetch(url, init);
            const session = response.headers
              .getSetCookie()
              .map((line) => line.split(';')[0] ?? '')
              .find((pair) => pair.startsWith('tandem_session='));
            if (session !== undefined) cookie = session;
            return response;
          },
        }),
      }),
    ],
  });
  return { client, close: () => void socket.close() };
}

/** The domain code of a failed call (`error.data.code`, see docs/reference/errors), or undefined. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null && 'code' in data ? String(data.code) : undefined;
}

export interface Account {
  email: string;
  password: string;
  name: string;
}

export interface RunResult {
  workspaceId: string;
  inviteUrl: string;
  /** How the task ended (`proposed`, `no-changes`, `failed` …), or the error code that refused it (`NO_MODEL`). */
  outcome: string;
  /** The event types the task streamed, in order. */
  events: string[];
  /** The file after the accepted change. */
  finalText: string;
}

/** Follows a task's events (replayed from the start, then live) until its `done` event. */
function follow(tandem: ReturnType<typeof connect>, taskId: string, onEvent: (type: string) => void) {
  return new Promise<string>((resolve, reject) => {
    const subscription = tandem.client.task.events.subscribe(
      { taskId },
      {
        onData: ({ data }) => {
          onEvent(data.type);
          if (data.type === 'done') {
            subscription.unsubscribe();
            resolve(data.outcome);
          }
        },
        onError: reject,
      },
    );
  });
}

export async function run(origin: string, account: Account, log: (line: string) => void = console.log) {
  const tandem = connect(origin);
  const { client } = tandem;
  try {
    // 1. Sign in, or create the account the first time.
    try {
      await client.auth.signIn.mutate({ email: account.email, password: account.password });
    } catch (error) {
      if (errorCode(error) !== 'INVALID_CREDENTIALS') throw error;
      await client.auth.signUp.mutate(account);
    }
    const me = await client.auth.me.query();
    log(`signed in as ${me?.name ?? '?'}${me?.isAdmin ? ' (instance admin)' : ''}`);

    // 2. A workspace with one file.
    const workspace = await client.workspace.create.mutate({
      name: `API example ${new Date().toISOString()}`,
    });
    const path = 'src/greet.ts';
    await client.file.create.mutate({
      workspaceId: workspace.id,
      path,
      content: 'export function greet(name) {\n  return "Hello " + name;\n}\n',
    });
    log(`created workspace ${workspace.id} with ${path}`);

    // 3. An invite link for a reviewer (single use, 2 days).
    const invite = await client.workspace.invite.create.mutate({
      workspaceId: workspace.id,
      role: 'reviewer',
      expiresInHours: 48,
    });
    log(`reviewer invite: ${invite.url}`);

    // 4. Ask the AI for a change, follow it live, accept what it proposes.
    const events: string[] = [];
    let outcome: string;
    try {
      const { taskId } = await client.task.create.mutate({
        workspaceId: workspace.id,
        prompt: `Add a TypeScript type to the parameter of greet in @${path}`,
      });
      outcome = await follow(tandem, taskId, (type) => events.push(type));
      log(`task ${taskId} ended as ${outcome} after ${events.length} events`);
      if (outcome === 'proposed') {
        const { applied, conflicts } = await client.task.accept.mutate({ taskId });
        log(`applied ${applied.length} hunk(s), ${conflicts.length} conflict(s)`);
      }
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'NO_MODEL' && code !== 'QUOTA_EXCEEDED') throw error;
      outcome = code;
      log(`no task: ${code} (${(error as Error).message})`);
    }

    // 5. Read the file as it is in the live document now.
    const file = await client.file.read.query({ workspaceId: workspace.id, path });
    const finalText = 'content' in file && typeof file.content === 'string' ? file.content : '';
    log(finalText);
    return {
      workspaceId: workspace.id,
      inviteUrl: invite.url,
      outcome,
      events,
      finalText,
    } satisfies RunResult;
  } finally {
    tandem.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const [origin, email, password, name = 'API example'] = process.argv.slice(2);
  if (!origin || !email || !password) {
    console.error('usage: client.ts <origin> <email> <password> [name]');
    process.exit(2);
  }
  await run(origin, { email, password, name });
}
