// A worker thread that runs git jobs (git-ops.ts) one at a time: unpacking, hashing and the network all stay off
// the server's event loop, and a job that overruns its deadline is ended by terminating the thread. Started by
// git-runner.ts; bundled as dist/git-worker.js for `pnpm start`.
import { parentPort } from 'node:worker_threads';
import { isAppError } from '@tandem/core';
import { runGitJob, type GitJob } from './git-ops.ts';

const port = parentPort;
port?.on('message', (job: GitJob) => {
  runGitJob(job).then(
    (result) => {
      // A clone's document edit is built here and used only there: moved, not copied.
      const edit = result.op === 'clone' ? result.result.imported?.edit : undefined;
      const parts = edit === undefined ? [] : 'state' in edit ? edit.state : edit.updates;
      port.postMessage({ ok: true, result }, [...new Set(parts.map((part) => part.buffer as ArrayBuffer))]);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({
        ok: false,
        error: isAppError(error)
          ? { code: error.code, message, details: error.details }
          : { code: 'INTERNAL', message, details: undefined },
      });
    },
  );
});
