// Member roles are ordered: each role can do everything the roles below it can.
export const memberRoles = ['reviewer', 'editor', 'owner'] as const;
export type MemberRole = (typeof memberRoles)[number];

const rank: Record<MemberRole, number> = { reviewer: 0, editor: 1, owner: 2 };

export function roleAtLeast(role: MemberRole, min: MemberRole): boolean {
  return rank[role] >= rank[min];
}

/** Reviewers watch and comment; only editors and owners change files or run tasks. */
export function canWrite(role: MemberRole): boolean {
  return roleAtLeast(role, 'editor');
}
