import { QueryClient } from '@tanstack/react-query';
import type { AppRouter } from '@tandem/server/router';
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import superjson from 'superjson';

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

export const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 5_000, retry: 1 } },
});

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/trpc`;

// Queries and mutations go over HTTP batches; subscriptions share one WebSocket.
export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: wsLink({
        client: createWSClient({ url: wsUrl, lazy: { enabled: true, closeMs: 10_000 } }),
        transformer: superjson,
      }),
      false: httpBatchLink({ url: '/trpc', transformer: superjson }),
    }),
  ],
});
