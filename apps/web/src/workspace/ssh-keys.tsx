// The SSH side of the source-control panel: the workspace's deploy key for owners (the public key to copy onto the
// git host, its fingerprint, rotate and delete), the host keys recorded for the remote, and — when a host's key
// changed — the recorded and the presented fingerprint side by side, with the owner's confirmation that accepts the
// new one (`git.trustHostKey`, which refuses any key but the one shown).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { ConfirmDialog } from '../components/dialog.tsx';
import { Button } from '../components/ui.tsx';
import { errorDetails } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { ErrorNote } from './error-note.tsx';

export interface HostKey {
  type: string;
  fingerprint: string;
}

export function HostKeyList({ keys, label }: { keys: readonly HostKey[]; label: string }) {
  if (keys.length === 0) return <span className="text-zinc-600">none read</span>;
  return (
    <ul aria-label={label} className="m-0 grid list-none gap-0.5 p-0">
      {keys.map((key) => (
        <li key={key.fingerprint} className="font-mono text-xs break-all">
          {key.fingerprint} <span className="text-zinc-600">({key.type})</span>
        </li>
      ))}
    </ul>
  );
}

interface Credential {
  id: string;
  kind: string;
  publicKey: string | null;
  fingerprint: string | null;
  createdAt: Date;
}

/** The deploy key to show: the remote's own, or (before connecting) the newest one the workspace has. */
export function chooseDeployKey(
  credentials: readonly Credential[],
  credentialId: string | null | undefined,
): Credential | undefined {
  const keys = credentials.filter((c) => c.kind === 'ssh-key' && c.publicKey !== null);
  if (credentialId !== undefined) return keys.find((c) => c.id === credentialId);
  return [...keys].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

/**
 * The workspace's deploy key, for owners. `credentialId` is the connected remote's credential (null: it has none);
 * undefined before connecting, where the newest key of the workspace is the one `connect` will use.
 */
export function DeployKey({
  workspaceId,
  credentialId,
}: {
  workspaceId: string;
  credentialId?: string | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const keyField = useRef<HTMLTextAreaElement>(null);
  const generateButton = useRef<HTMLButtonElement>(null);
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const [note, setNote] = useState('');
  // Where focus goes once the key shown changes (the button pressed may be gone by then).
  const [focusNext, setFocusNext] = useState<'key' | 'generate' | null>(null);
  const credentials = useQuery(trpc.git.credential.list.queryOptions({ workspaceId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.git.pathKey() });
  const create = useMutation(
    trpc.git.deployKey.create.mutationOptions({
      onSuccess: async () => {
        setNote('');
        await refresh();
        setFocusNext('key');
      },
    }),
  );
  const rotate = useMutation(
    trpc.git.deployKey.rotate.mutationOptions({
      onSuccess: async () => {
        setNote(
          'New key: add it on the git host and remove the old one there. The old key no longer works here.',
        );
        await refresh();
        setFocusNext('key');
      },
    }),
  );
  const remove = useMutation(
    trpc.git.credential.delete.mutationOptions({
      onSuccess: async () => {
        setNote('Deleted. Remove the key on the git host too.');
        await refresh();
        setFocusNext('generate');
      },
    }),
  );
  const key = credentials.data ? chooseDeployKey(credentials.data, credentialId) : undefined;
  useEffect(() => {
    if (focusNext === 'key' && key) keyField.current?.focus();
    else if (focusNext === 'generate' && !key) generateButton.current?.focus();
    else return;
    setFocusNext(null);
  }, [focusNext, key]);

  const copy = async (publicKey: string) => {
    try {
      await navigator.clipboard.writeText(publicKey);
      setNote('Public key copied.');
    } catch {
      keyField.current?.select();
      setNote('The browser did not allow copying: the key is selected, copy it with Ctrl+C.');
    }
  };
  const failed = create.error ?? rotate.error ?? remove.error;
  return (
    <section aria-labelledby={`${id}-heading`} className="grid gap-2">
      <h3 id={`${id}-heading`} className="m-0 text-sm font-semibold">
        Deploy key
      </h3>
      {credentials.isPending ? (
        <p className="m-0 text-sm text-zinc-600">Reading the deploy key…</p>
      ) : credentials.isError ? (
        <ErrorNote error={credentials.error} />
      ) : !key ? (
        <div className="grid gap-2">
          <p className="m-0 text-sm text-zinc-700">
            {credentialId === null
              ? 'This remote has no deploy key, so it cannot pull or push. Generate one and add it on the git host.'
              : 'An SSH repository is reached with a deploy key: an SSH key for this workspace only. Generate one, add its public key to the repository on the git host, then connect.'}
          </p>
          <div>
            <Button
              ref={generateButton}
              busy={create.isPending}
              onClick={() => create.mutate({ workspaceId })}
            >
              Generate a deploy key
            </Button>
          </div>
        </div>
      ) : (
        <div className="grid gap-2">
          <label htmlFor={`${id}-key`} className="text-sm font-medium text-zinc-800">
            Public key
          </label>
          <textarea
            id={`${id}-key`}
            ref={keyField}
            readOnly
            rows={3}
            value={key.publicKey ?? ''}
            aria-describedby={`${id}-help`}
            className="rounded-md border border-zinc-300 bg-zinc-50 p-2 font-mono text-xs break-all"
            onFocus={(e) => e.currentTarget.select()}
          />
          <p id={`${id}-help`} className="m-0 text-xs text-zinc-600">
            Add it to the repository&apos;s deploy keys on the git host (allow write access to push).
            Fingerprint:{' '}
            <span className="font-mono" data-testid="deploy-key-fingerprint">
              {key.fingerprint}
            </span>
          </p>
          <div className="flex flex-wrap gap-2">
            <Button size="sm" onClick={() => void copy(key.publicKey ?? '')}>
              Copy public key
            </Button>
            <Button size="sm" busy={rotate.isPending} onClick={() => setConfirm('rotate')}>
              Rotate key
            </Button>
            <Button size="sm" busy={remove.isPending} onClick={() => setConfirm('delete')}>
              Delete key
            </Button>
          </div>
          <ConfirmDialog
            open={confirm === 'rotate'}
            onClose={() => setConfirm(null)}
            title="Rotate the deploy key?"
            description="A new key replaces this one. The old key stops working here at once; pulls and pushes work again once the new public key is added on the git host."
            action="Rotate"
            onConfirm={() => rotate.mutate({ workspaceId, credentialId: key.id })}
          />
          <ConfirmDialog
            open={confirm === 'delete'}
            onClose={() => setConfirm(null)}
            title="Delete the deploy key?"
            description={
              credentialId
                ? 'The remote cannot pull or push until it has a new key. Remove the key on the git host too.'
                : 'Remove the key on the git host too.'
            }
            action="Delete"
            onConfirm={() => remove.mutate({ workspaceId, credentialId: key.id })}
          />
        </div>
      )}
      <p role="status" className="m-0 text-xs text-zinc-700">
        {note}
      </p>
      {failed ? <ErrorNote error={failed} /> : null}
    </section>
  );
}

const hostKeysOf = (value: unknown): HostKey[] =>
  Array.isArray(value)
    ? value.filter(
        (k): k is HostKey =>
          typeof k === 'object' &&
          k !== null &&
          typeof (k as HostKey).type === 'string' &&
          typeof (k as HostKey).fingerprint === 'string',
      )
    : [];

/**
 * What a GIT_HOST_KEY_CHANGED error says: the recorded key and the one the host presents now. Owners may accept the
 * new one after checking it with the host's owners; others are told to ask an owner.
 */
export function HostKeyChanged({
  workspaceId,
  error,
  isOwner,
  onAccepted,
}: {
  workspaceId: string;
  error: unknown;
  isOwner: boolean;
  onAccepted: (fingerprint: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const details = errorDetails(error);
  const recorded = hostKeysOf(details?.recorded);
  const presented = hostKeysOf(details?.presented);
  const newKey = presented[0];
  const trust = useMutation(
    trpc.git.trustHostKey.mutationOptions({
      onSuccess: async (_result, input) => {
        await queryClient.invalidateQueries({ queryKey: trpc.git.pathKey() });
        onAccepted(input.fingerprint);
      },
    }),
  );
  return (
    <div className="grid gap-2">
      <dl className="m-0 grid grid-cols-[auto_1fr] gap-x-2 gap-y-1 text-xs">
        <dt>Recorded key</dt>
        <dd className="m-0">
          <HostKeyList keys={recorded} label="Recorded host key" />
        </dd>
        <dt>Key the host presents now</dt>
        <dd className="m-0">
          <HostKeyList keys={presented} label="Presented host key" />
        </dd>
      </dl>
      {!isOwner ? (
        <p className="m-0 text-xs">
          An owner can accept the new key after checking it with the host&apos;s owners.
        </p>
      ) : newKey ? (
        <div>
          <Button size="sm" busy={trust.isPending} onClick={() => setAsking(true)}>
            Accept the new key…
          </Button>
          <ConfirmDialog
            open={asking}
            onClose={() => setAsking(false)}
            tone="primary"
            title="Accept the new host key?"
            description="Accept it only if the host's owners confirm this fingerprint (GitHub and GitLab publish theirs). If they did not change the key, someone may be between Tandem and the host."
            action="Accept the new key"
            onConfirm={() => trust.mutate({ workspaceId, fingerprint: newKey.fingerprint })}
          >
            <p className="m-0 rounded-md bg-zinc-50 p-2 font-mono text-sm break-all text-zinc-900">
              {newKey.fingerprint} <span className="text-zinc-600">({newKey.type})</span>
            </p>
          </ConfirmDialog>
        </div>
      ) : (
        <p className="m-0 text-xs">The host&apos;s current key could not be read; try again.</p>
      )}
      {trust.isError ? <ErrorNote error={trust.error} /> : null}
    </div>
  );
}
