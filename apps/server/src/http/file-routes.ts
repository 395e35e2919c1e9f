// Plain HTTP routes for what does not fit a JSON call: the workspace as an archive download, and uploads of zip,
// tar or tar.gz archives of up to 50 MB. Access rules are the tRPC ones (see http-auth.ts); edits go through the
// same file service, so they are live for every connected peer. Packing and unpacking run on worker threads
// (archive/archive-pool.ts); downloads are rate-limited per user and each user has at most
// MAX_CONCURRENT_UPLOADS_PER_USER uploads in flight, since each holds up to 50 MB of body (spooled to disk) and
// 100 MB of files.
import { AppError, archiveDownloadQuery, archiveUploadQuery, type DownloadFormat } from '@tandem/core';
import express, { type RequestHandler } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { writeAudit } from '../services/audit.ts';
import { exportArchive, uploadArchive } from '../services/files.ts';
import { getWorkspace } from '../services/workspaces.ts';
import { requireMember } from './http-auth.ts';
import { sendFile } from './send-file.ts';
import { spoolBody } from './spool-body.ts';
import { clientIp } from './request-id.ts';
import { httpErrorHandler } from './http-errors.ts';
import { checkOrigin } from './origin.ts';

export const MAX_ARCHIVE_UPLOAD = 50 * 1024 * 1024;
export const MAX_CONCURRENT_UPLOADS_PER_USER = 2;

export const archiveContentTypes = [
  'application/zip',
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
  'application/octet-stream',
];

const mediaTypes: Record<DownloadFormat, string> = { zip: 'application/zip', 'tar.gz': 'application/gzip' };

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new AppError('BAD_INPUT', `${where}${issue?.message ?? 'Invalid query'}`);
}

/**
 * `attachment` with an ASCII-only `filename` every client understands, plus the exact (sanitized) name as
 * RFC 5987 `filename*` for clients that read it. Neither can break out of the header or name a directory.
 */
export function contentDisposition(workspaceName: string, format: DownloadFormat): string {
  const ascii =
    workspaceName
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/[^\w.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 100) || 'workspace';
  const exact =
    workspaceName
      // eslint-disable-next-line no-control-regex
      .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, '-')
      .trim()
      .slice(0, 100) || 'workspace';
  const encoded = encodeURIComponent(`${exact}.${format}`).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}.${format}"; filename*=UTF-8''${encoded}`;
}

export function fileRoutes(deps: AppDeps): express.Router {
  const router = express.Router();

  router.get('/workspaces/:workspaceId/archive', async (req, res) => {
    const { workspaceId } = req.params;
    const member = await requireMember(deps, req, res, workspaceId, 'reviewer');
    const { format } = parseQuery(archiveDownloadQuery, req.query);
    await deps.limits.consume('downloadsPerUser', member.user.id);
    const workspace = await getWorkspace(deps.db, workspaceId);
    const archive = await exportArchive(deps.rooms, deps.archives, workspaceId, format);
    try {
      const { skipped, size } = archive;
      if (skipped.length > 0) {
        deps.logger.warn({ workspaceId, skipped: skipped.slice(0, 20) }, 'archive left out unsafe entries');
        res.setHeader('X-Tandem-Skipped-Files', String(skipped.length));
      }
      res.setHeader('Content-Type', mediaTypes[format]);
      res.setHeader('Content-Disposition', contentDisposition(workspace.name, format));
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Content-Length', String(size));
      await writeAudit(deps.db, {
        action: 'workspace.download',
        actorId: member.user.id,
        workspaceId,
        ip: clientIp(req, deps.config.trustProxy),
        meta: { format, bytes: size },
      });
      await sendFile(res, archive.path, size);
    } finally {
      await archive.release();
    }
  });

  const uploadsInFlight = new Map<string, number>();

  // Who may upload is settled before the body is read, so a stranger cannot make us buffer 50 MB.
  const mayUpload: RequestHandler<{ workspaceId: string }> = async (req, res, next) => {
    checkOrigin(req, deps.config.publicUrl);
    const member = await requireMember(deps, req, res, req.params.workspaceId, 'editor');
    const userId = member.user.id;
    const running = uploadsInFlight.get(userId) ?? 0;
    if (running >= MAX_CONCURRENT_UPLOADS_PER_USER) {
      throw new AppError(
        'RATE_LIMITED',
        `You already have ${running} uploads in progress; wait for one to finish.`,
        { retryAfter: 5, details: { reason: 'concurrent-uploads', limit: MAX_CONCURRENT_UPLOADS_PER_USER } },
      );
    }
    await deps.limits.consume('mutationsPerUser', userId);
    uploadsInFlight.set(userId, (uploadsInFlight.get(userId) ?? 0) + 1);
    // 'close' comes once the response is sent or the client went away, whichever way the upload ended.
    res.once('close', () => {
      const left = (uploadsInFlight.get(userId) ?? 1) - 1;
      if (left > 0) uploadsInFlight.set(userId, left);
      else uploadsInFlight.delete(userId);
    });
    res.locals.userId = userId;
    next();
  };

  router.post('/workspaces/:workspaceId/upload', mayUpload, async (req, res) => {
    const query = parseQuery(archiveUploadQuery, req.query);
    if (!req.is(archiveContentTypes)) {
      throw new AppError(
        'BAD_INPUT',
        `Send the archive as the request body with Content-Type ${archiveContentTypes.join(', ')}.`,
      );
    }
    const body = await spoolBody(req, MAX_ARCHIVE_UPLOAD);
    const result = await uploadArchive(
      deps.rooms,
      deps.archives,
      req.params.workspaceId,
      body.path,
      query,
    ).finally(() => body.remove());
    await writeAudit(deps.db, {
      action: 'workspace.upload',
      actorId: String(res.locals.userId),
      workspaceId: req.params.workspaceId,
      ip: clientIp(req, deps.config.trustProxy),
      meta: { files: result.files, bytes: result.bytes },
    });
    // Counts only: an archive may hold thousands of paths, and the live document shows them anyway.
    res.json({ files: result.files, bytes: result.bytes });
  });

  router.use(httpErrorHandler(deps));
  return router;
}
