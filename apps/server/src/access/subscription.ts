// A live subscription that obeys access for as long as it runs: registered with LiveAccess, it ends with the typed
// error of check.ts (UNAUTHENTICATED, NOT_FOUND, FORBIDDEN) the moment its user loses access, on every instance
// and on every transport (WebSocket or server-sent events). Subscriptions are capped per socket and per user.
import { AppError, type MemberRole } from '@tandem/core';
import type { AppDeps } from '../deps.ts';
import { identify, requireAdmin, requireRole } from './check.ts';

export const subscriptionLimits = {
  /** One WebSocket carries all of a browser tab's subscriptions: a few per open workspace and task. */
  perSocket: 64,
  perUser: 256,
};

export interface Subscriber {
  sessionId: string;
  userId: string;
  /** Open subscriptions on the subscriber's connection (a WebSocket, or one HTTP request for SSE). */
  connection: { subscriptions: number };
}

export async function* guardedSubscription<T>(
  deps: Pick<AppDeps, 'auth' | 'database' | 'live'>,
  who: Subscriber,
  /** A workspace with the role it needs, or the instance (admins only: ends when the admin flag is revoked). */
  scope: { workspaceId: string; minRole: MemberRole } | { admin: true },
  signal: AbortSignal | undefined,
  source: (signal: AbortSignal) => AsyncIterable<T>,
): AsyncGenerator<T> {
  if (who.connection.subscriptions >= subscriptionLimits.perSocket) {
    throw new AppError(
      'TOO_MANY_SUBSCRIPTIONS',
      `A connection may hold ${subscriptionLimits.perSocket} subscriptions at once.`,
    );
  }
  if (!deps.live.openSubscription(who.userId, subscriptionLimits.perUser)) {
    throw new AppError(
      'TOO_MANY_SUBSCRIPTIONS',
      `An account may hold ${subscriptionLimits.perUser} subscriptions at once.`,
    );
  }
  who.connection.subscriptions++;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort);
  let denied: AppError | undefined;
  let lose!: (error: AppError) => void;
  const lost = new Promise<never>((_resolve, reject) => (lose = reject));
  lost.catch(() => undefined);
  const check = async () => {
    try {
      const { user } = await identify(deps, who.sessionId);
      if (!user) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
      if ('admin' in scope) requireAdmin(user);
      else await requireRole(deps, user.id, scope.workspaceId, scope.minRole);
    } catch (error) {
      denied =
        error instanceof AppError ? error : new AppError('INTERNAL', 'Access check failed', { cause: error });
      lose(denied);
      stop.abort();
    }
  };
  const remove = deps.live.add({
    ...who,
    ...('admin' in scope ? {} : { workspaceId: scope.workspaceId }),
    recheck: check,
  });
  const iterator = source(stop.signal)[Symbol.asyncIterator]();
  try {
    // Access may have changed between the procedure's check and the registration above.
    await check();
    if (denied) throw denied;
    for (;;) {
      const next = await Promise.race([iterator.next(), lost]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    stop.abort();
    remove();
    signal?.removeEventListener('abort', onAbort);
    who.connection.subscriptions--;
    deps.live.closeSubscription(who.userId);
    // The source sees the abort and finishes on its own; its cleanup runs without holding this one up.
    void iterator.return?.().catch(() => undefined);
  }
}
