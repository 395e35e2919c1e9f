import { Badge } from '../components/ui.tsx';
import type { SyncStatus } from './use-workspace-sync.ts';

/** Online, reconnecting, or offline — and whether edits made offline still wait to be sent. */
export function ConnectionPill({ status }: { status: SyncStatus }) {
  const { state, unsynced } = status;
  const text =
    state === 'online'
      ? 'Online'
      : state === 'connecting'
        ? unsynced
          ? 'Reconnecting · unsynced edits'
          : 'Reconnecting…'
        : unsynced
          ? 'Offline · unsynced edits'
          : 'Offline';
  const tone = state === 'online' ? 'green' : unsynced ? 'red' : 'amber';
  return (
    <span role="status" aria-live="polite" data-connection={state}>
      <Badge
        tone={tone}
        title={unsynced ? 'Your edits are kept here and sent when the connection is back' : undefined}
      >
        <span className="size-1.5 rounded-full bg-current" aria-hidden="true" />
        {text}
      </Badge>
    </span>
  );
}
