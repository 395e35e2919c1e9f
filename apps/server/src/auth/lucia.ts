// lucia v3 over our own small Drizzle adapter, so the same code serves PGlite and PostgreSQL.
import { eq, lt } from 'drizzle-orm';
import { Lucia, TimeSpan, type Adapter, type DatabaseSession, type DatabaseUser } from 'lucia';
import type { Db } from '../db/client.ts';
import { authSessions, users } from '../db/schema.ts';

export const SESSION_COOKIE = 'tandem_session';

class DrizzleAdapter implements Adapter {
  constructor(private readonly db: Db) {}

  async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const rows = await this.db
      .select({ session: authSessions, user: users })
      .from(authSessions)
      .innerJoin(users, eq(users.id, authSessions.userId))
      .where(eq(authSessions.id, sessionId))
      .limit(1);
    const row = rows[0];
    if (!row) return [null, null];
    const session: DatabaseSession = {
      id: row.session.id,
      userId: row.session.userId,
      expiresAt: row.session.expiresAt,
      attributes: {},
    };
    // A disabled user has no valid session: lucia deletes the session when the user comes back null.
    if (row.user.disabledAt) return [session, null];
    return [
      session,
      {
        id: row.user.id,
        attributes: { email: row.user.email, name: row.user.name, isAdmin: row.user.isAdmin },
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

export function createLucia(db: Db, options: AuthOptions) {
  return new Lucia(new DrizzleAdapter(db), {
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
