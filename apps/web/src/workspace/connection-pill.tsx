import { Badge } from '../components/ui.tsx';
import type { SyncStatus } from './use-workspace-sync.ts';

/**
 * Online, reconnecting, or offline — whether edits made offline still wait to be sent, and whether the server
 * refused edits that were then dropped.
 */
export function ConnectionPill({ status }: { status: SyncStatus }) {
  const { state, unsynced, discarded } = status;
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
  const title = unsynced
    ? 'Your edits are kept here and sent when the connection is back'
    : discarded
      ? `The server refused some of your edits (${discarded.reason || discarded.code}); you now see its copy.`
      : undefined;
  return (
    <span role="status" aria-live="polite" data-connection={state}>
      <Badge tone={discarded && state === 'online' ? 'amber' : tone} title={title}>
        <span className="size-1.5 rounded-full bg-current" aria-hidden="true" />
        {discarded ? `${text} · edits refused` : text}
      </Badge>
    </span>
  );
}
