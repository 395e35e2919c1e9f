// Inputs of the file API (tRPC `file.*` and the archive routes). Paths arrive raw and are normalized by the file
// model itself, so a bad path fails as `INVALID_PATH` with the rule it broke rather than as a generic BAD_INPUT.

import { z } from 'zod';
import { workspaceRef } from '../workspace/schemas.ts';
import { MAX_PATH_BYTES } from './path.ts';

/** Most entries one JSON upload may carry; the 1 MiB body limit usually binds first. */
export const MAX_UPLOAD_ENTRIES = 5_000;

/** A path as the client typed it; `normalizePath` decides whether it is valid. */
export const filePathInput = z.string().max(MAX_PATH_BYTES * 4, 'Path is too long');

const base64Content = z.base64('Not valid base64');

export const listFilesInput = workspaceRef;

export const readFileInput = workspaceRef.extend({ path: filePathInput });

/** A new file: `content` for text, `base64` for bytes (text if they are valid UTF-8), neither for an empty file. */
export const createFileInput = workspaceRef
  .extend({
    path: filePathInput,
    content: z.string().optional(),
    base64: base64Content.optional(),
  })
  .refine((input) => input.content === undefined || input.base64 === undefined, {
    message: 'Give either content or base64, not both',
    path: ['base64'],
  });

export const writeFileInput = workspaceRef.extend({ path: filePathInput, content: z.string() });

/** Renames a file or a whole folder. */
export const renameFileInput = workspaceRef.extend({ from: filePathInput, to: filePathInput });

/** Deletes a file, or a folder with everything in it. */
export const deleteFileInput = workspaceRef.extend({ path: filePathInput });

export const uploadEntryInput = z.union([
  z.strictObject({ path: filePathInput, text: z.string() }),
  z.strictObject({ path: filePathInput, base64: base64Content }),
]);

export const uploadFilesInput = workspaceRef.extend({
  /** Folder the entry paths are relative to; the workspace root when absent. */
  folder: filePathInput.optional(),
  /** Replace files that exist at exactly the same path; otherwise any existing path is PATH_EXISTS. */
  overwrite: z.boolean().default(false),
  files: z
    .array(uploadEntryInput)
    .min(1, 'Upload at least one file')
    .max(MAX_UPLOAD_ENTRIES, `Upload at most ${MAX_UPLOAD_ENTRIES} files at once`),
});

export const downloadFormats = ['zip', 'tar.gz'] as const;
export type DownloadFormat = (typeof downloadFormats)[number];

/** A query-string switch: present without a value, `true`/`1` mean on; `false`/`0` mean off. */
const queryFlag = z
  .enum(['', 'true', '1', 'false', '0'], 'Use true or false')
  .transform((value) => value !== 'false' && value !== '0');

export const archiveDownloadQuery = z.object({
  format: z.enum(downloadFormats, 'Use format=zip or format=tar.gz').default('zip'),
});

export const archiveUploadQuery = z.object({
  folder: filePathInput.optional(),
  overwrite: queryFlag.default(false),
  /** Drop a single top-level folder that holds every entry (GitHub's "Download ZIP" adds one). */
  stripRoot: queryFlag.default(false),
});

export type CreateFileInput = z.infer<typeof createFileInput>;
export type UploadEntryInput = z.infer<typeof uploadEntryInput>;
export type UploadFilesInput = z.infer<typeof uploadFilesInput>;
export type ArchiveUploadQuery = z.infer<typeof archiveUploadQuery>;
