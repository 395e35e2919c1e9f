import {
  createFileInput,
  deleteFileInput,
  readFileInput,
  renameFileInput,
  uploadFilesInput,
  userEditOrigin,
  writeFileInput,
} from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import * as files from '../../services/files.ts';
import { exampleIds } from '../examples.ts';
import { memberProcedure } from '../trpc.ts';

export const fileRouter = {
  list: memberProcedure('reviewer')
    .meta({
      description: 'The tree of the live document (files and folders with sizes) and the workspace totals.',
      example: { input: { workspaceId: exampleIds.workspaceId } },
    })
    .query(({ ctx, input }) => files.listFiles(ctx.deps.rooms, input.workspaceId)),
  read: memberProcedure('reviewer')
    .meta({
      description: 'One file as it is in the live document now: text as `content`, bytes as base64.',
      example: { input: { workspaceId: exampleIds.workspaceId, path: 'src/index.ts' } },
      errors: ['INVALID_PATH', 'NOT_FOUND'],
    })
    .input(readFileInput)
    .query(({ ctx, input }) => files.readWorkspaceFile(ctx.deps.rooms, input.workspaceId, input.path)),
  create: memberProcedure('editor')
    .meta({
      description:
        'Creates a file: `content` for text, `base64` for bytes, neither for an empty file. Every connected editor sees it at once.',
      example: {
        input: {
          workspaceId: exampleIds.workspaceId,
          path: 'src/math.ts',
          content: 'export const add = (a: number, b: number) => a + b;\n',
        },
      },
      errors: ['INVALID_PATH', 'PATH_EXISTS', 'FILE_TOO_LARGE', 'WORKSPACE_TOO_LARGE'],
    })
    .input(createFileInput)
    .mutation(({ ctx, input }) =>
      files.createWorkspaceFile(
        ctx.deps.rooms,
        input.workspaceId,
        input.path,
        input,
        userEditOrigin(ctx.user.id),
      ),
    ),
  write: memberProcedure('editor')
    .meta({
      description:
        'Replaces the text of an existing file as a minimal character diff against the live text, so cursors and concurrent typing in unchanged text survive.',
      example: { input: { workspaceId: exampleIds.workspaceId, path: 'README.md', content: '# Payments\n' } },
      errors: ['INVALID_PATH', 'NOT_FOUND', 'BINARY_FILE', 'FILE_TOO_LARGE', 'WORKSPACE_TOO_LARGE'],
    })
    .input(writeFileInput)
    .mutation(({ ctx, input }) =>
      files.writeWorkspaceFile(
        ctx.deps.rooms,
        input.workspaceId,
        input.path,
        input.content,
        userEditOrigin(ctx.user.id),
      ),
    ),
  rename: memberProcedure('editor')
    .meta({
      description: 'Renames or moves a file, or a folder with everything in it.',
      example: { input: { workspaceId: exampleIds.workspaceId, from: 'src/math.ts', to: 'src/lib/math.ts' } },
      errors: ['INVALID_PATH', 'NOT_FOUND', 'PATH_EXISTS'],
    })
    .input(renameFileInput)
    .mutation(({ ctx, input }) => files.renamePath(ctx.deps.rooms, input.workspaceId, input.from, input.to)),
  delete: memberProcedure('editor')
    .meta({
      description: 'Deletes a file, or a folder with everything in it.',
      example: { input: { workspaceId: exampleIds.workspaceId, path: 'src/old' } },
      errors: ['INVALID_PATH', 'NOT_FOUND'],
    })
    .input(deleteFileInput)
    .mutation(({ ctx, input }) => files.deletePath(ctx.deps.rooms, input.workspaceId, input.path)),
  /** Small batches as JSON (the 1 MiB body limit applies); archives and big trees use POST /api/.../upload. */
  upload: memberProcedure('editor')
    .meta({
      description:
        'Adds a small batch of files (text or base64) under `folder`; existing paths fail unless `overwrite`. Archives and large trees go to `POST /api/workspaces/:workspaceId/upload`.',
      example: {
        input: {
          workspaceId: exampleIds.workspaceId,
          folder: 'assets',
          overwrite: false,
          files: [
            { path: 'notes.txt', text: 'hello' },
            { path: 'pixel.png', base64: 'iVBORw0KGgo=' },
          ],
        },
      },
      errors: ['INVALID_PATH', 'PATH_EXISTS', 'FILE_TOO_LARGE', 'WORKSPACE_TOO_LARGE'],
    })
    .input(uploadFilesInput)
    .mutation(({ ctx, input }) =>
      files.uploadEntries(ctx.deps.rooms, input.workspaceId, input.files, {
        folder: input.folder,
        overwrite: input.overwrite,
        origin: userEditOrigin(ctx.user.id),
      }),
    ),
} satisfies TRPCRouterRecord;
