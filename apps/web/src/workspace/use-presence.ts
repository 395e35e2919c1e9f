// Who is here, which file each has open and where their cursor is, from the workspace's awareness. The server
// stamps `user` ({ id, name, color }) on every state, so names cannot be spoofed; we only publish `path`.
import { useEffect, useState } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';

export interface PresenceMember {
  clientId: number;
  userId: string;
  name: string;
  color: string;
  path: string | null;
  isSelf: boolean;
}

interface AwarenessState {
  user?: { id?: string; name?: string; color?: string };
  path?: string | null;
  cursor?: { anchor?: unknown; head?: unknown } | null;
}

export function usePresence(
  awareness: Awareness | null,
  self: { id: string; name: string },
): PresenceMember[] {
  const [members, setMembers] = useState<PresenceMember[]>([]);
  useEffect(() => {
    if (!awareness) return;
    const read = () => {
      const list: PresenceMember[] = [];
      for (const [clientId, raw] of awareness.getStates()) {
        const state = raw as AwarenessState;
        const isSelf = clientId === awareness.clientID;
        if (!state.user && !isSelf) continue;
        list.push({
          clientId,
          userId: state.user?.id ?? self.id,
          name: state.user?.name ?? self.name,
          color: state.user?.color ?? '#4f46e5',
          path: typeof state.path === 'string' ? state.path : null,
          isSelf,
        });
      }
      setMembers(list);
    };
    read();
    awareness.on('change', read);
    return () => awareness.off('change', read);
  }, [awareness, self.id, self.name]);
  return members;
}

/** Where a member's cursor is in `ytext`, as an index, if they are in that file. */
export function cursorIndex(awareness: Awareness, clientId: number, ytext: Y.Text): number | null {
  const state = awareness.getStates().get(clientId) as AwarenessState | undefined;
  const head = state?.cursor?.head;
  if (!head || !ytext.doc) return null;
  try {
    const position = Y.createAbsolutePositionFromRelativePosition(
      Y.createRelativePositionFromJSON(head),
      ytext.doc,
    );
    return position && position.type === ytext ? position.index : null;
  } catch {
    return null;
  }
}
