// Records who wrote which items of each workspace document (the `doc_authors` table), from the room manager's
// authorship hooks: the Yjs client ids an authenticated connection writes with, and the clock ranges of the server's
// own client id under which an accepted task's hunks were applied. Git commits read their co-authors from here.
// Writes are asynchronous (a keystroke never waits for them); `settled()` lets a commit wait for those in flight.
import {
  authorsOf,
  isTaskOrigin,
  parseAuthor,
  isUserEditOrigin,
  taskAuthor,
  userAuthor,
  type AuthorSpan,
  type AuthorshipHooks,
  type IdRun,
} from '@tandem/core';
import { and, eq, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { docAuthors } from '../db/schema.ts';

/** Client ids already recorded for a user, per process; bounded, since a forgotten one is only written again. */
const MAX_REMEMBERED = 100_000;
const UNBOUNDED_CLOCK = Number.MAX_SAFE_INTEGER;

export class DocAuthorship implements AuthorshipHooks {
  readonly #db: () => Db;
  readonly #logger: Logger;
  readonly #seen = new Set<string>();
  readonly #inFlight = new Set<Promise<void>>();

  /** `db` is read at each write: the rooms are created before the rest of the app's dependencies. */
  constructor(db: () => Db, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  clientWrote(docName: string, context: { userId: string }, clients: ReadonlyMap<number, number>): void {
    for (const [client, firstClock] of clients) {
      const key = `${docName}:${client}:${context.userId}`;
      if (this.#seen.has(key)) continue;
      if (this.#seen.size >= MAX_REMEMBERED) this.#seen.clear();
      this.#seen.add(key);
      this.#record(docName, {
        client,
        clockStart: firstClock,
        clockEnd: UNBOUNDED_CLOCK,
        author: userAuthor(context.userId),
      });
    }
  }

  serverWrote(docName: string, origin: unknown, client: number, clockStart: number, clockEnd: number): void {
    // File API writes and uploads are their person's.
    if (isUserEditOrigin(origin)) {
      this.#record(docName, { client, clockStart, clockEnd, author: userAuthor(origin.userId) });
      return;
    }
    // Hunks a task applied (and a conflict resolved in its review) are the task's; a rollback puts back text that
    // was someone else's, and other server edits (imports from git) belong to nobody here.
    if (!isTaskOrigin(origin) || origin.action === 'rollback') return;
    this.#record(docName, { client, clockStart, clockEnd, author: taskAuthor(origin.taskId) });
  }

  #record(workspaceId: string, span: AuthorSpan): void {
    const write = this.#db()
      .insert(docAuthors)
      .values({ workspaceId, ...span })
      .onConflictDoNothing()
      .then(
        () => undefined,
        (error: unknown) =>
          this.#logger.error({ err: error, workspaceId }, 'recording an edit author failed'),
      );
    this.#inFlight.add(write);
    void write.finally(() => this.#inFlight.delete(write));
  }

  /** Resolves once every authorship write started so far has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  /** The recorded spans of the given clients of one workspace. */
  async spans(workspaceId: string, clients: readonly number[]): Promise<AuthorSpan[]> {
    await this.settled();
    if (clients.length === 0) return [];
    return this.#db()
      .select({
        client: docAuthors.client,
        clockStart: docAuthors.clockStart,
        clockEnd: docAuthors.clockEnd,
        author: docAuthors.author,
      })
      .from(docAuthors)
      .where(and(eq(docAuthors.workspaceId, workspaceId), inArray(docAuthors.client, [...clients])));
  }

  /** Who wrote the given items: the users and tasks whose recorded spans cover part of them. */
  async authorsOf(
    workspaceId: string,
    runs: readonly IdRun[],
  ): Promise<{ kind: 'user' | 'task'; id: string }[]> {
    const spans = await this.spans(workspaceId, [...new Set(runs.map((run) => run.client))]);
    return [...authorsOf(runs, spans)].map(parseAuthor).filter((author) => author !== null);
  }
}
