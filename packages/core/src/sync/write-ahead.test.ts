import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { MemoryDocStorage } from './memory-storage.ts';
import type { DocStorage, StoredDoc } from './types.ts';
import {
  type AppendLog,
  WriteAheadStorage,
  decodeLogRecord,
  encodeLogRecord,
  replayLog,
} from './write-ahead.ts';

class MemoryLog implements AppendLog {
  records: Uint8Array[] = [];
  clears = 0;
  failNext: Error | null = null;

  get size(): number {
    return this.records.reduce((n, r) => n + r.byteLength, 0);
  }

  append(record: Uint8Array): void {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
    this.records.push(new Uint8Array(record));
  }

  clear(): void {
    this.records = [];
    this.clears++;
  }
}

/** Memory storage whose appends wait until released (or fail), to see what happens while they are in flight. */
class GatedStorage implements DocStorage {
  readonly inner = new MemoryDocStorage();
  readonly waiting: { docName: string; release: () => void; fail: (error: Error) => void }[] = [];
  gated = true;

  append(docName: string, updates: readonly Uint8Array[]): Promise<void> {
    if (!this.gated) return this.inner.append(docName, updates);
    return new Promise((resolve, reject) => {
      this.waiting.push({
        docName,
        release: () => void this.inner.append(docName, updates).then(resolve),
        fail: reject,
      });
    });
  }

  load(docName: string): Promise<StoredDoc> {
    return this.inner.load(docName);
  }

  compact(docName: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    return this.inner.compact(docName, snapshot, throughSeq);
  }

  releaseAll(): void {
    for (const w of this.waiting.splice(0)) w.release();
  }
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A schedule that runs callbacks only when the test says so. */
function manualSchedule() {
  const timers: { callback: () => void; delayMs: number }[] = [];
  return {
    timers,
    schedule: (callback: () => void, delayMs: number) => {
      const timer = { callback, delayMs };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    },
    runAll: () => {
      for (const timer of timers.splice(0)) timer.callback();
    },
  };
}

describe('update log records', () => {
  it('round-trip a document name and its updates', () => {
    const record = encodeLogRecord('doc-ü', [bytes(1, 2, 3), bytes(), bytes(255)]);
    expect(decodeLogRecord(record)).toEqual({
      docName: 'doc-ü',
      updates: [bytes(1, 2, 3), bytes(), bytes(255)],
    });
  });

  it('refuse truncated records and trailing bytes with a parse error', () => {
    const record = encodeLogRecord('doc', [bytes(1, 2, 3)]);
    expect(() => decodeLogRecord(record.subarray(0, record.byteLength - 1))).toThrow(AppError);
    expect(() => decodeLogRecord(Uint8Array.of(...record, 0))).toThrow('malformed update log record');
  });
});

describe('WriteAheadStorage', () => {
  it('is durable once logged, forwards to the storage and empties the log when everything is stored', async () => {
    const storage = new GatedStorage();
    const log = new MemoryLog();
    const wal = new WriteAheadStorage(storage, log);
    await wal.append('a', [bytes(1)]);
    await wal.append('a', [bytes(2), bytes(3)]);
    expect(log.records.map((r) => decodeLogRecord(r))).toEqual([
      { docName: 'a', updates: [bytes(1)] },
      { docName: 'a', updates: [bytes(2), bytes(3)] },
    ]);
    expect(wal.backlog).toBe(2);
    expect((await storage.inner.load('a')).updates).toEqual([]);

    storage.waiting[0]?.release();
    await tick();
    // One record is still on its way: the log must keep both.
    expect(log.clears).toBe(0);
    storage.waiting[1]?.release();
    await tick();
    expect(log.clears).toBe(1);
    expect(log.size).toBe(0);
    expect(wal.backlog).toBe(0);
    expect((await storage.inner.load('a')).updates).toEqual([bytes(1), bytes(2), bytes(3)]);
  });

  it('loads a document once its logged updates are stored, without waiting for other documents', async () => {
    const storage = new GatedStorage();
    const wal = new WriteAheadStorage(storage, new MemoryLog());
    await wal.append('a', [bytes(1)]);
    await wal.append('b', [bytes(2)]);
    let loadedA: StoredDoc | null = null;
    void wal.load('a').then((doc) => (loadedA = doc));
    const loadedC = await wal.load('c');
    expect(loadedC.updates).toEqual([]);
    await tick();
    expect(loadedA).toBeNull();

    storage.waiting.find((w) => w.docName === 'a')?.release();
    await tick();
    await tick();
    expect(loadedA).not.toBeNull();
    expect(loadedA!.updates).toEqual([bytes(1)]);
  });

  it('compacts only after the logged updates it folds are stored', async () => {
    const storage = new GatedStorage();
    const wal = new WriteAheadStorage(storage, new MemoryLog());
    await wal.append('a', [bytes(1)]);
    let compacted = false;
    void wal.compact('a', bytes(9), 1).then(() => (compacted = true));
    await tick();
    expect(compacted).toBe(false);
    storage.releaseAll();
    await tick();
    await tick();
    expect(compacted).toBe(true);
    expect(await storage.inner.load('a')).toEqual({ snapshot: bytes(9), updates: [], seq: 1 });
  });

  it('retries a failed storage write with growing delays and keeps the log until it succeeds', async () => {
    const storage = new GatedStorage();
    const log = new MemoryLog();
    const clock = manualSchedule();
    const errors: unknown[] = [];
    const wal = new WriteAheadStorage(storage, log, {
      schedule: clock.schedule,
      retryMs: 10,
      maxRetryMs: 25,
      onError: (error, docName) => errors.push([docName, (error as Error).message]),
    });
    await wal.append('a', [bytes(1)]);
    for (const expectedDelay of [10, 20, 25]) {
      storage.waiting.shift()?.fail(new Error('disk full'));
      await tick();
      expect(clock.timers.map((t) => t.delayMs)).toEqual([expectedDelay]);
      clock.runAll();
      await tick();
    }
    expect(errors).toEqual([
      ['a', 'disk full'],
      ['a', 'disk full'],
      ['a', 'disk full'],
    ]);
    expect(log.records).toHaveLength(1);
    storage.releaseAll();
    await tick();
    expect(log.records).toHaveLength(0);
    expect((await wal.load('a')).updates).toEqual([bytes(1)]);
  });

  it('rejects an append the log could not take, and stores nothing of it', async () => {
    const storage = new GatedStorage();
    const log = new MemoryLog();
    const wal = new WriteAheadStorage(storage, log);
    log.failNext = new Error('ENOSPC');
    await expect(wal.append('a', [bytes(1)])).rejects.toThrow('ENOSPC');
    expect(storage.waiting).toHaveLength(0);
    expect(wal.backlog).toBe(0);
  });

  it('writes straight to the storage while the log is over its limit, and logs again once it drained', async () => {
    const storage = new GatedStorage();
    const log = new MemoryLog();
    const wal = new WriteAheadStorage(storage, log, { maxLogBytes: 8 });
    await wal.append('a', [new Uint8Array(10)]);
    expect(log.size).toBeGreaterThanOrEqual(8);

    let direct = false;
    void wal.append('a', [bytes(2)]).then(() => (direct = true));
    await tick();
    expect(direct).toBe(false);
    expect(log.records).toHaveLength(1);
    storage.releaseAll();
    await tick();
    await tick();
    expect(direct).toBe(true);
    expect(log.size).toBe(0);

    await wal.append('a', [bytes(3)]);
    expect(log.records).toHaveLength(1);
  });

  it('on close, waits for stored writes and leaves failing ones in the log for the next start', async () => {
    const storage = new GatedStorage();
    const log = new MemoryLog();
    const clock = manualSchedule();
    const wal = new WriteAheadStorage(storage, log, { schedule: clock.schedule });
    await wal.append('a', [bytes(1)]);
    await wal.append('b', [bytes(2)]);
    storage.waiting.shift()?.fail(new Error('database gone'));
    await tick();
    const closed = wal.close();
    clock.runAll();
    await tick();
    storage.waiting.find((w) => w.docName === 'b')?.release();
    storage.waiting.find((w) => w.docName === 'a')?.fail(new Error('database gone'));
    await closed;
    expect(log.records.map((r) => decodeLogRecord(r).docName)).toEqual(['a', 'b']);
    expect((await storage.inner.load('b')).updates).toEqual([bytes(2)]);
    expect(wal.backlog).toBe(0);
  });
});

describe('replayLog', () => {
  it('appends every record in order and reports the ones that do not decode', async () => {
    const storage = new MemoryDocStorage();
    const skipped: unknown[] = [];
    const count = await replayLog(
      storage,
      [
        encodeLogRecord('a', [bytes(1)]),
        Uint8Array.of(200),
        encodeLogRecord('b', [bytes(2)]),
        encodeLogRecord('a', [bytes(3), bytes(4)]),
      ],
      (error) => skipped.push(error),
    );
    expect(count).toBe(3);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toBeInstanceOf(AppError);
    expect((await storage.load('a')).updates).toEqual([bytes(1), bytes(3), bytes(4)]);
    expect((await storage.load('b')).updates).toEqual([bytes(2)]);
  });
});
