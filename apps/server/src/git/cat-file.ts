// Reads many blobs of a bare repository at once with `git cat-file --batch`. A clone reads every file of its tree:
// git's own inflate and delta cache read 5,000 files in about a third of the time object-store.ts takes, in
// another process (the worker thread only parses), and the object store stays for the few objects other jobs read.
import { spawn } from 'node:child_process';
import { AppError } from '@tandem/core';

const HEADER_LIMIT = 256;

export interface CatOptions {
  searchPath: string;
  /**
   * Sees each blob's size before its bytes are read; may throw to stop the reading (a file or a total over the
   * limits).
   */
  checkSize: (index: number, size: number) => void;
  /** Takes each blob as soon as it is read, in order; may throw to stop the reading. */
  onBlob: (index: number, blob: Buffer) => void;
}

/** Reads `oids`' blobs in order: the caller's work on each overlaps git's reading of the next. */
export function streamBlobs(gitdir: string, oids: readonly string[], options: CatOptions): Promise<void> {
  if (oids.length === 0) return Promise.resolve();
  let read = 0;
  return new Promise((resolve, reject) => {
    const child = spawn('git', [`--git-dir=${gitdir}`, 'cat-file', '--batch', '--buffer'], {
      env: {
        PATH: options.searchPath,
        LC_ALL: 'C',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let failure: Error | null = null;
    const fail = (error: Error) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4096);
    });
    // Between blobs: the header line read so far. In a blob: its parts so far, and the bytes it needs (with its LF).
    let head = Buffer.alloc(0);
    let parts: Buffer[] | null = null;
    let have = 0;
    let need = 0;
    const take = (chunk: Buffer) => {
      let rest = chunk;
      while (rest.length > 0) {
        if (parts === null) {
          const lf = rest.indexOf(10);
          if (lf < 0) {
            head = Buffer.concat([head, rest]);
            if (head.length > HEADER_LIMIT) throw new AppError('INTERNAL', 'git cat-file wrote no header.');
            return;
          }
          const line = Buffer.concat([head, rest.subarray(0, lf)]).toString('latin1');
          head = Buffer.alloc(0);
          rest = rest.subarray(lf + 1);
          const [oid, type, size] = line.split(' ');
          const index = read;
          if (oid !== oids[index] || type !== 'blob' || size === undefined || !/^\d+$/.test(size)) {
            throw new AppError('INTERNAL', `The repository has no blob ${oids[index] ?? oid} (${line}).`);
          }
          options.checkSize(index, Number(size));
          parts = [];
          have = 0;
          need = Number(size) + 1;
          continue;
        }
        const part = rest.subarray(0, need - have);
        parts.push(part);
        have += part.length;
        rest = rest.subarray(part.length);
        if (have === need) {
          const whole = parts.length === 1 ? part : Buffer.concat(parts);
          parts = null;
          options.onBlob(read, whole.subarray(0, need - 1));
          read += 1;
        }
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        take(chunk);
      } catch (error) {
        fail(error as Error);
      }
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error) =>
      fail(new AppError('INTERNAL', `git could not be started: ${error.message}`)),
    );
    child.on('close', (code) => {
      if (failure) reject(failure);
      else if (code !== 0 || read !== oids.length) {
        reject(new AppError('INTERNAL', `git cat-file failed: ${stderr.trim().slice(-500)}`));
      } else resolve();
    });
    child.stdin.end(`${oids.join('\n')}\n`);
  });
}
