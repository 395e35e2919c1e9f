import { adminRouter } from './router/admin.ts';
import { authRouter } from './router/auth.ts';
import { taskRouter } from './router/task.ts';
import { fileRouter } from './router/file.ts';
import { workspaceRouter } from './router/workspace.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  file: fileRouter,
  task: taskRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
