import { AppError } from '../errors.ts';
import type { MemberRole } from './roles.ts';

export interface MemberChange {
  /** Role before the change. */
  from: MemberRole;
  /** Role after the change; `null` when the member leaves or is removed. */
  to: MemberRole | null;
  /** Number of owners the workspace has before the change. */
  owners: number;
}

/** A workspace always keeps an owner: refuse any change that would leave it with none. */
export function assertKeepsAnOwner(change: MemberChange): void {
  if (change.from === 'owner' && change.to !== 'owner' && change.owners <= 1) {
    throw new AppError(
      'LAST_OWNER',
      'A workspace needs at least one owner. Make someone else an owner first.',
    );
  }
}
