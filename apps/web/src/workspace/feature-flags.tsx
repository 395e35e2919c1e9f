// The three feature-flag checkboxes, for an admin (the instance) and for a workspace's owners.
import type { FeatureName } from '@tandem/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useToast } from '../components/toast.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';

const labels: Record<FeatureName, string> = {
  autoApply: 'Auto-apply clean proposals',
  sandboxChecks: "Run a task's checks in the sandbox",
  gitPush: 'Git push',
};
const order: FeatureName[] = ['autoApply', 'sandboxChecks', 'gitPush'];

type Flags = Record<FeatureName, boolean>;

/**
 * What the user just ticked, shown at once and kept until the server's answer is in. Read from the mutation's own
 * state it would show only once the request started: a controlled box flips back in between.
 */
function useChosen() {
  const [chosen, setChosen] = useState<Partial<Flags> | null>(null);
  return {
    shown: (values: Flags | undefined) => (values && chosen ? { ...values, ...chosen } : values),
    choose: (name: FeatureName, on: boolean) => setChosen((was) => ({ ...was, [name]: on })),
    settled: () => setChosen(null),
  };
}

function FlagBoxes({
  values,
  offByInstance,
  pending,
  onChange,
}: {
  values: Flags | undefined;
  offByInstance?: Flags | undefined;
  pending: boolean;
  onChange: (name: FeatureName, on: boolean) => void;
}) {
  return (
    <>
      {order.map((name) => (
        <label key={name} className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            className="mt-1"
            checked={values?.[name] ?? true}
            disabled={!values || pending}
            onChange={(e) => onChange(name, e.target.checked)}
          />
          <span>
            {labels[name]}
            {offByInstance && !offByInstance[name] ? (
              <span className="text-xs text-zinc-600"> (turned off by an administrator)</span>
            ) : null}
          </span>
        </label>
      ))}
    </>
  );
}

/** Admin console: the instance's flags; off here wins over every workspace. */
export function InstanceFeatureFlags({ initial }: { initial: Flags }) {
  const trpc = useTRPC();
  const chosen = useChosen();
  const queryClient = useQueryClient();
  const toast = useToast();
  const set = useMutation(
    trpc.admin.settings.setFeatures.mutationOptions({
      // Settled once the settings are read back, so the box never flips back in between.
      onSettled: () => queryClient.invalidateQueries(trpc.admin.settings.get.queryFilter()),
      onError: (error) =>
        toast({ title: 'Could not change the feature', description: errorMessage(error), tone: 'error' }),
    }),
  );
  return (
    <section
      aria-labelledby="features-heading"
      className="grid content-start gap-2 rounded-lg border border-zinc-200 bg-white p-4"
    >
      <h2 id="features-heading" className="font-semibold">
        Features
      </h2>
      <FlagBoxes
        values={chosen.shown(initial)}
        pending={set.isPending}
        onChange={(name, on) => {
          chosen.choose(name, on);
          set.mutate({ [name]: on }, { onSettled: chosen.settled });
        }}
      />
      <p className="m-0 text-xs text-zinc-600">Off here is off in every workspace.</p>
    </section>
  );
}

/** Workspace settings: the owners' flags, with the ones the instance turned off marked. */
export function WorkspaceFeatureFlags({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const id = useId();
  const chosen = useChosen();
  const features = useQuery(trpc.workspace.features.queryOptions({ workspaceId }));
  const set = useMutation(
    trpc.workspace.setFeatures.mutationOptions({
      onSuccess: (data) => queryClient.setQueryData(trpc.workspace.features.queryKey({ workspaceId }), data),
      onError: (error) =>
        toast({ title: 'Could not change the feature', description: errorMessage(error), tone: 'error' }),
    }),
  );
  return (
    <section aria-labelledby={`${id}-heading`} className="grid gap-2">
      <h3 id={`${id}-heading`} className="text-sm font-semibold">
        Features
      </h3>
      <FlagBoxes
        values={chosen.shown(features.data?.workspace)}
        offByInstance={features.data?.instance}
        pending={set.isPending}
        onChange={(name, on) => {
          chosen.choose(name, on);
          set.mutate({ workspaceId, features: { [name]: on } }, { onSettled: chosen.settled });
        }}
      />
    </section>
  );
}
