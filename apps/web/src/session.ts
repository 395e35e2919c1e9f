// Who is signed in, shared by every page through the `auth.me` query.
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from './trpc.ts';

export function useMe() {
  const trpc = useTRPC();
  return useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
}

export type Me = NonNullable<ReturnType<typeof useMe>['data']>;
