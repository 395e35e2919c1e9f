// The owners' review policy for a workspace: require an approval before a task's changes are accepted.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useToast } from '../components/toast.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';

export function ReviewPolicy({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const id = useId();
  const workspace = useQuery(trpc.workspace.get.queryOptions({ workspaceId }));
  // What the owner just chose, shown at once until the server's answer is read back.
  const [chosen, setChosen] = useState<boolean | null>(null);
  const set = useMutation(
    trpc.review.setRequireApproval.mutationOptions({
      onSettled: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.workspace.get.queryKey({ workspaceId }) }),
          queryClient.invalidateQueries({ queryKey: trpc.review.verdict.list.pathKey() }),
        ]);
        setChosen(null);
      },
      onError: (error) =>
        toast({ title: 'Could not change the policy', description: errorMessage(error), tone: 'error' }),
    }),
  );
  return (
    <section aria-labelledby={`${id}-heading`} className="grid gap-2">
      <h3 id={`${id}-heading`} className="text-sm font-semibold">
        Review
      </h3>
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-1"
          aria-describedby={`${id}-help`}
          checked={chosen ?? workspace.data?.requireApproval ?? false}
          disabled={!workspace.data || set.isPending}
          onChange={(e) => {
            setChosen(e.target.checked);
            set.mutate({ workspaceId, requireApproval: e.target.checked });
          }}
        />
        Require an approval before changes are accepted
      </label>
      <p id={`${id}-help`} className="m-0 text-xs text-zinc-600">
        A member other than the task&apos;s author must approve, and nobody may have requested changes.
        Auto-apply waits for the approval too.
      </p>
    </section>
  );
}
