import {
  createFileInput,
  deleteFileInput,
  readFileInput,
  renameFileInput,
  uploadFilesInput,
  writeFileInput,
} from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import * as files from '../../services/files.ts';
import { memberProcedure } from '../trpc.ts';

export const fileRouter = {
  list: memberProcedure('reviewer').query(({ ctx, input }) =>
    files.listFiles(ctx.deps.rooms, input.workspaceId),
  ),
  read: memberProcedure('reviewer')
    .input(readFileInput)
    .query(({ ctx, input }) => files.readWorkspaceFile(ctx.deps.rooms, input.workspaceId, input.path)),
  create: memberProcedure('editor')
    .input(createFileInput)
    .mutation(({ ctx, input }) =>
      files.createWorkspaceFile(ctx.deps.rooms, input.workspaceId, input.path, input),
    ),
  write: memberProcedure('editor')
    .input(writeFileInput)
    .mutation(({ ctx, input }) =>
      files.writeWorkspaceFile(ctx.deps.rooms, input.workspaceId, input.path, input.content),
    ),
  rename: memberProcedure('editor')
    .input(renameFileInput)
    .mutation(({ ctx, input }) => files.renamePath(ctx.deps.rooms, input.workspaceId, input.from, input.to)),
  delete: memberProcedure('editor')
    .input(deleteFileInput)
    .mutation(({ ctx, input }) => files.deletePath(ctx.deps.rooms, input.workspaceId, input.path)),
  /** Small batches as JSON (the 1 MiB body limit applies); archives and big trees use POST /api/.../upload. */
  upload: memberProcedure('editor')
    .input(uploadFilesInput)
    .mutation(({ ctx, input }) =>
      files.uploadEntries(ctx.deps.rooms, input.workspaceId, input.files, {
        folder: input.folder,
        overwrite: input.overwrite,
      }),
    ),
} satisfies TRPCRouterRecord;
