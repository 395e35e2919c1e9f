// The signed-in user's menu: admin console for admins, sign out here or everywhere.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { DropdownMenu } from 'radix-ui';
import { useLocation } from 'wouter';
import { errorMessage } from '../errors.ts';
import type { Me } from '../session.ts';
import { useTRPC } from '../trpc.ts';
import { useToast } from './toast.tsx';

const item =
  'cursor-pointer rounded px-2 py-1.5 text-sm text-zinc-800 outline-none data-[highlighted]:bg-indigo-50 data-[highlighted]:text-indigo-900';

export function UserMenu({ me }: { me: Me }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [, navigate] = useLocation();
  const after = {
    onSuccess: () => {
      navigate('/');
      queryClient.clear();
      return queryClient.invalidateQueries();
    },
    onError: (error: unknown) =>
      toast({ title: 'Could not sign out', description: errorMessage(error), tone: 'error' }),
  };
  const signOut = useMutation(trpc.auth.signOut.mutationOptions(after));
  const everywhere = useMutation(trpc.auth.signOutEverywhere.mutationOptions(after));
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger
        aria-label={`${me.name}, account menu`}
        className="flex h-8 items-center gap-2 rounded-md px-2 text-sm text-zinc-800 hover:bg-zinc-100"
      >
        <span
          aria-hidden="true"
          data-initial={me.name.slice(0, 1).toUpperCase()}
          className="grid size-6 place-items-center rounded-full bg-zinc-800 text-xs font-semibold text-white before:content-[attr(data-initial)]"
        />
        <span className="hidden sm:inline">{me.name}</span>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="end"
          sideOffset={4}
          className="z-50 grid min-w-48 gap-0.5 rounded-lg border border-zinc-200 bg-white p-1 shadow-lg"
        >
          <DropdownMenu.Label className="px-2 py-1 text-xs text-zinc-600">{me.email}</DropdownMenu.Label>
          <DropdownMenu.Item className={item} onSelect={() => navigate('/')}>
            Workspaces
          </DropdownMenu.Item>
          {me.isAdmin ? (
            <DropdownMenu.Item className={item} onSelect={() => navigate('/admin')}>
              Admin console
            </DropdownMenu.Item>
          ) : null}
          <DropdownMenu.Separator className="my-1 h-px bg-zinc-200" />
          <DropdownMenu.Item className={item} onSelect={() => signOut.mutate()}>
            Sign out
          </DropdownMenu.Item>
          <DropdownMenu.Item className={item} onSelect={() => everywhere.mutate()}>
            Sign out everywhere
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
