import { QueryClient } from '@tanstack/react-query';
import type { AppRouter } from '@tandem/server/router';
import { createTRPCClient, createWSClient, httpBatchLink, httpLink, splitLink, wsLink } from '@trpc/client';
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
      // `task.models` may wait seconds on a model server (Ollama detection); alone, it holds up no batch.
      false: splitLink({
        condition: (op) => op.path === 'task.models',
        true: httpLink({ url: '/trpc', transformer: superjson }),
        false: httpBatchLink({ url: '/trpc', transformer: superjson }),
      }),
    }),
  ],
});
