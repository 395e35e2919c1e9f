import { adminRouter } from './router/admin.ts';
import { authRouter } from './router/auth.ts';
import { checkRouter } from './router/check.ts';
import { reviewRouter } from './router/review.ts';
import { taskRouter } from './router/task.ts';
import { fileRouter } from './router/file.ts';
import { gitRouter } from './router/git.ts';
import { workspaceRouter } from './router/workspace.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  file: fileRouter,
  task: taskRouter,
  git: gitRouter,
  admin: adminRouter,
  check: checkRouter,
  review: reviewRouter,
});

export type AppRouter = typeof appRouter;
