// The instance-wide view of workspaces the admin console shows (every workspace, members or not).
import { count, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { members, workspaces } from '../db/schema.ts';

export function listAllWorkspaces(db: Db) {
  return db
    .select({
      id: workspaces.id,
      name: workspaces.name,
      createdAt: workspaces.createdAt,
      archivedAt: workspaces.archivedAt,
      memberCount: sql<number>`(select count(*)::int from ${members} where ${members.workspaceId} = ${workspaces.id})`,
    })
    .from(workspaces)
    .orderBy(workspaces.createdAt);
}

export async function countWorkspaces(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(workspaces);
  return row?.n ?? 0;
}
