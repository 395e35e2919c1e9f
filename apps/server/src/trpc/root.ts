import { adminRouter } from './router/admin.ts';
import { authRouter } from './router/auth.ts';
import { workspaceRouter } from './router/workspace.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
