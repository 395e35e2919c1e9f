// lucia v3 over our own small Drizzle adapter, so the same code serves PGlite and PostgreSQL.
import { eq, getTableName, lt } from 'drizzle-orm';
import { Lucia, TimeSpan, type Adapter, type DatabaseSession, type DatabaseUser } from 'lucia';
import type { Database, Db } from '../db/client.ts';
import { int8Of, textOf } from '../db/prepared.ts';
import { authSessions, users } from '../db/schema.ts';

export const SESSION_COOKIE = 'tandem_session';

// Read on every request that carries a session cookie, and on every sync connection: a prepared statement (see
// db/prepared.ts). Timestamps travel as epoch milliseconds.
const sessionAndUserSql = `
  select s.user_id, (extract(epoch from s.expires_at) * 1000)::bigint,
    u.email, u.name, u.is_admin, u.disabled_at is not null
  from ${getTableName(authSessions)} s join ${getTableName(users)} u on u.id = s.user_id
  where s.id = $1`;

class DrizzleAdapter implements Adapter {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const select = await this.database.prepare('tandem_session_user', sessionAndUserSql);
    const [row] = await select([sessionId]);
    if (!row) return [null, null];
    const [userId, expiresAt, email, name, isAdmin, disabled] = row;
    const session: DatabaseSession = {
      id: sessionId,
      userId: textOf(userId),
      expiresAt: new Date(int8Of(expiresAt)),
      attributes: {},
    };
    // A disabled user has no valid session: lucia deletes the session when the user comes back null.
    if (disabled?.[0] === 1) return [session, null];
    return [
      session,
      {
        id: session.userId,
        attributes: { email: textOf(email), name: textOf(name), isAdmin: isAdmin?.[0] === 1 },
      },
    ];
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    const rows = await this.db.select().from(authSessions).where(eq(authSessions.userId, userId));
    return rows.map((r) => ({ id: r.id, userId: r.userId, expiresAt: r.expiresAt, attributes: {} }));
  }

  async setSession(session: DatabaseSession): Promise<void> {
    await this.db
      .insert(authSessions)
      .values({ id: session.id, userId: session.userId, expiresAt: session.expiresAt });
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    await this.db.update(authSessions).set({ expiresAt }).where(eq(authSessions.id, sessionId));
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.delete(authSessions).where(eq(authSessions.id, sessionId));
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db.delete(authSessions).where(eq(authSessions.userId, userId));
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.db.delete(authSessions).where(lt(authSessions.expiresAt, new Date()));
  }
}

export interface AuthOptions {
  /** Secure cookies when the public origin is https (TLS terminated here or at a proxy). */
  secure: boolean;
  /** Session lifetime; lucia extends it on use once half of it has passed. */
  sessionDays?: number;
}

export function createLucia(database: Database, options: AuthOptions) {
  return new Lucia(new DrizzleAdapter(database), {
    sessionExpiresIn: new TimeSpan(options.sessionDays ?? 30, 'd'),
    sessionCookie: {
      name: SESSION_COOKIE,
      attributes: { secure: options.secure, sameSite: 'lax' },
    },
    getUserAttributes: (attributes) => ({
      email: attributes.email,
      name: attributes.name,
      isAdmin: attributes.isAdmin,
    }),
  });
}

export type Auth = ReturnType<typeof createLucia>;

declare module 'lucia' {
  interface Register {
    Lucia: Auth;
    DatabaseUserAttributes: { email: string; name: string; isAdmin: boolean };
  }
}
