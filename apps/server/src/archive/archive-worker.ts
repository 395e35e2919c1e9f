// A worker thread that packs and unpacks archives (zip/tar parsing and building, inflate and deflate), the CPU-heavy
// part of uploads and downloads, and folds documents into compaction snapshots, so the server's event loop never
// runs them. Started by archive-pool.ts; bundled as
// dist/archive-worker.js for `pnpm start`.
import { parentPort } from 'node:worker_threads';
import { foldStoredDoc, isAppError, readArchive, writeArchive } from '@tandem/core';
import type { ArchiveJob, ArchiveReply, ArchiveResult } from './archive-pool.ts';

const port = parentPort;

function run(job: ArchiveJob): { reply: ArchiveResult; transfer: ArrayBuffer[] } {
  switch (job.op) {
    case 'unpack': {
      const entries = readArchive(job.bytes, {}, { stripRoot: job.stripRoot });
      // Each entry's content has a buffer of its own (see zip.ts, tar.ts), so all of them move without a copy.
      const transfer = [...new Set(entries.map((entry) => entry.content.buffer as ArrayBuffer))];
      return { reply: { op: 'unpack', entries }, transfer };
    }
    case 'pack': {
      const bytes = writeArchive(job.files, job.format);
      return { reply: { op: 'pack', bytes }, transfer: [bytes.buffer as ArrayBuffer] };
    }
    case 'fold': {
      const applyErrors: string[] = [];
      const snapshot = foldStoredDoc(job.stored, (error) =>
        applyErrors.push(error instanceof Error ? error.message : String(error)),
      );
      return { reply: { op: 'fold', snapshot, applyErrors }, transfer: [snapshot.buffer as ArrayBuffer] };
    }
  }
}

port?.on('message', ({ id, job }: { id: number; job: ArchiveJob }) => {
  try {
    const { reply, transfer } = run(job);
    port.postMessage({ id, ok: true, result: reply } satisfies ArchiveReply, transfer);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failure = isAppError(error)
      ? { code: error.code, message, details: error.details }
      : { code: 'INTERNAL' as const, message, details: undefined };
    port.postMessage({ id, ok: false, error: failure } satisfies ArchiveReply);
  }
});
