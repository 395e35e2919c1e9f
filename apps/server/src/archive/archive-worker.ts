// A worker thread that packs and unpacks archives (zip/tar parsing and building, inflate and deflate), the CPU-heavy
// part of uploads and downloads, and folds documents into compaction snapshots, so the server's event loop never
// runs them. Started by archive-pool.ts; bundled as
// dist/archive-worker.js for `pnpm start`.
import { readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import {
  exportStoredDoc,
  foldStoredDocInParts,
  importIntoStoredDoc,
  isAppError,
  placeUnder,
  readArchive,
  writeArchive,
  type StoredDoc,
} from '@tandem/core';
import { zlibArchiveCodec as codec } from '@tandem/core/zlib';
import { AttachedDatabase } from '../db/pglite-thread.ts';
import { loadDirect, stageState } from '../sync/pg-storage.ts';
import type {
  ArchiveJob,
  ArchiveReply,
  ArchiveResult,
  ArchiveSource,
  DirectLink,
  JobDoc,
} from './archive-pool.ts';

const port = parentPort;

/** The lowest scheduling priority, for this thread only. */
const LOWEST_PRIORITY = 19;

/**
 * On a machine with few cores this thread competes with the event loop for the CPU; at the lowest priority it takes
 * what the loop leaves, so an archive takes a little longer instead of everyone's edits waiting. Linux sets a nice
 * value per thread (`/proc/thread-self` names it); elsewhere the thread keeps the process's priority.
 */
function yieldCpuToEventLoop(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, LOWEST_PRIORITY);
  } catch {
    // Not Linux, or not allowed: the same priority as the event loop, as before.
  }
}
yieldCpuToEventLoop();

function applyErrorsInto(errors: string[]) {
  return (error: unknown) => errors.push(error instanceof Error ? error.message : String(error));
}

function bytesOf(archive: ArchiveSource): Uint8Array {
  if (typeof archive !== 'string') return archive;
  // A plain view, not a Buffer: a Buffer's `slice` shares its memory, and the entries must each own theirs.
  const file = readFileSync(archive);
  return new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
}

/** Writes a packed archive to the new file `out` and answers its size; a failed write leaves no file. */
function writeOut(out: string, bytes: Uint8Array): number {
  try {
    writeFileSync(out, bytes, { flag: 'wx' });
  } catch (error) {
    rmSync(out, { force: true });
    throw error;
  }
  return bytes.byteLength;
}

/** The job's document: as given, or read from the database over the job's own connection. */
async function storedOf(doc: JobDoc, direct: DirectLink | undefined): Promise<StoredDoc> {
  if (!('docName' in doc)) return doc;
  if (direct === undefined) throw new Error('a document to read needs a database connection');
  return loadDirect(new AttachedDatabase(direct.port), direct.statements, doc.docName);
}

async function importInto(
  job: Extract<ArchiveJob, { op: 'import' }>,
): Promise<{ reply: ArchiveResult; transfer: ArrayBuffer[] }> {
  const { stripRoot, folder, overwrite, statePartBytes } = job.options;
  const entries = readArchive(bytesOf(job.archive), {}, { stripRoot, codec });
  const applyErrors: string[] = [];
  const imported = importIntoStoredDoc(
    await storedOf(job.stored, job.direct),
    placeUnder(folder, entries),
    { overwrite, statePartBytes },
    applyErrorsInto(applyErrors),
  );
  const { edit } = imported;
  if ('state' in edit && job.stage && job.direct) {
    // Staged in the database from here: the state's bytes never go back to the event loop.
    const { port, statements } = job.direct;
    const staged = await stageState(new AttachedDatabase(port), statements, job.stage, edit.state);
    return {
      reply: { op: 'import', imported: { ...imported, edit: { staged } }, applyErrors },
      transfer: [],
    };
  }
  const parts = 'state' in edit ? edit.state : edit.updates;
  const transfer = [...new Set(parts.map((part) => part.buffer as ArrayBuffer))];
  return { reply: { op: 'import', imported, applyErrors }, transfer };
}

async function run(job: ArchiveJob): Promise<{ reply: ArchiveResult; transfer: ArrayBuffer[] }> {
  switch (job.op) {
    case 'unpack': {
      const entries = readArchive(bytesOf(job.archive), {}, { stripRoot: job.stripRoot, codec });
      // Each entry's content has a buffer of its own (see zip.ts, tar.ts), so all of them move without a copy.
      const transfer = [...new Set(entries.map((entry) => entry.content.buffer as ArrayBuffer))];
      return { reply: { op: 'unpack', entries }, transfer };
    }
    case 'pack': {
      const size = writeOut(job.out, writeArchive(job.files, job.format, { codec }));
      return { reply: { op: 'pack', size }, transfer: [] };
    }
    case 'import':
      return importInto(job);
    case 'fold': {
      const applyErrors: string[] = [];
      const parts = foldStoredDocInParts(job.stored, applyErrorsInto(applyErrors), job.partBytes);
      const transfer = parts.map((part) => part.buffer as ArrayBuffer);
      return { reply: { op: 'fold', parts, applyErrors }, transfer };
    }
    case 'export': {
      const applyErrors: string[] = [];
      const stored = await storedOf(job.stored, job.direct);
      const { files, skipped } = exportStoredDoc(stored, applyErrorsInto(applyErrors));
      const size = writeOut(job.out, writeArchive(files, job.format, { codec }));
      return { reply: { op: 'export', size, skipped, applyErrors }, transfer: [] };
    }
  }
}

port?.on('message', ({ id, job }: { id: number; job: ArchiveJob }) => {
  // The job's connection to the database, if it has one, ends with it.
  const done = () => {
    if ('direct' in job) job.direct?.port.close();
  };
  run(job)
    .finally(done)
    .then(
      ({ reply, transfer }) =>
        port.postMessage({ id, ok: true, result: reply } satisfies ArchiveReply, transfer),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        const failure = isAppError(error)
          ? { code: error.code, message, details: error.details }
          : { code: 'INTERNAL' as const, message, details: undefined };
        port.postMessage({ id, ok: false, error: failure } satisfies ArchiveReply);
      },
    );
});
