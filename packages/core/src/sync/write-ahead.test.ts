import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { importSlice, planImport } from '../files/archive-slices.ts';
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

  append(record: readonly Uint8Array[]): void {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
    this.records.push(joined(record));
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

  compact(docName: string, snapshot: Uint8Array | readonly Uint8Array[], throughSeq: number): Promise<void> {
    return this.inner.compact(docName, snapshot, throughSeq);
  }

  replace(docName: string, state: readonly Uint8Array[], loadedSeq: number): Promise<void> {
    return this.inner.replace(docName, state, loadedSeq);
  }

  releaseAll(): void {
    for (const w of this.waiting.splice(0)) w.release();
  }
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const joined = (parts: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A schedule on a clock that moves only when the test says so. */
function manualClock() {
  let now = 0;
  const timers: { callback: () => void; due: number; delayMs: number }[] = [];
  return {
    timers,
    schedule: (callback: () => void, delayMs: number) => {
      const timer = { callback, due: now + delayMs, delayMs };
      timers.push(timer);
      return () => {
        const at = timers.indexOf(timer);
        if (at >= 0) timers.splice(at, 1);
      };
    },
    /** Moves the clock on, running each timer that falls due, and lets the promises they start settle. */
    advance: async (ms: number) => {
      now += ms;
      for (let due = timers.find((t) => t.due <= now); due; due = timers.find((t) => t.due <= now)) {
        timers.splice(timers.indexOf(due), 1);
        due.callback();
      }
      await tick();
    },
  };
}

/** A WriteAheadStorage on a manual clock, storing 50 ms after the log went quiet (1 s at most). */
function writeAhead(
  storage: DocStorage,
  log: AppendLog,
  options: ConstructorParameters<typeof WriteAheadStorage>[2] = {},
) {
  const clock = manualClock();
  const wal = new WriteAheadStorage(storage, log, { schedule: clock.schedule, ...options });
  return { wal, clock };
}

describe('update log records', () => {
  it('round-trip a document name and its updates, large ones as parts of their own', () => {
    const large = new Uint8Array(100_000).fill(7);
    const parts = encodeLogRecord('doc-ü', [bytes(1, 2, 3), large, bytes(), bytes(255)]);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toBe(large);
    expect(decodeLogRecord(joined(parts))).toEqual({
      docName: 'doc-ü',
      updates: [bytes(1, 2, 3), large, bytes(), bytes(255)],
    });
    expect(decodeLogRecord(joined(encodeLogRecord('d', [large])))).toEqual({
      docName: 'd',
      updates: [large],
    });
  });

  it('refuse truncated records and trailing bytes with a parse error', () => {
    const record = joined(encodeLogRecord('doc', [bytes(1, 2, 3)]));
    expect(() => decodeLogRecord(record.subarray(0, record.byteLength - 1))).toThrow(AppError);
    expect(() => decodeLogRecord(Uint8Array.of(...record, 0))).toThrow('malformed update log record');
  });
});

describe('WriteAheadStorage', () => {
  it('is durable once logged, stores once the log is quiet and empties it when everything is stored', async () => {
    const storage = new GatedStorage();
    const log = new MemoryLog();
    const { wal, clock } = writeAhead(storage, log);
    await wal.append('a', [bytes(1)]);
    await clock.advance(30);
    await wal.append('a', [bytes(2), bytes(3)]);
    expect(log.records.map((r) => decodeLogRecord(r))).toEqual([
      { docName: 'a', updates: [bytes(1)] },
      { docName: 'a', updates: [bytes(2), bytes(3)] },
    ]);
    expect(wal.backlog).toBe(2);
    // The second append started the quiet period again: nothing has gone to the storage yet.
    await clock.advance(30);
    expect(storage.waiting).toHaveLength(0);
    await clock.advance(20);
    expect(storage.waiting.map((w) => w.docName)).toEqual(['a', 'a']);

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

  it('stores a steady stream after the longest delay even though the log is never quiet', async () => {
    const storage = new GatedStorage();
    const { wal, clock } = writeAhead(storage, new MemoryLog(), { storeQuietMs: 50, storeMaxDelayMs: 200 });
    for (let i = 0; i < 9; i++) {
      await wal.append('a', [bytes(i)]);
      await clock.advance(20);
    }
    // 180 ms in: still waiting. At 200 ms the nine appends so far go out together.
    expect(storage.waiting).toHaveLength(0);
    await wal.append('a', [bytes(9)]);
    await clock.advance(20);
    expect(storage.waiting).toHaveLength(10);
    storage.releaseAll();
    await tick();
    expect((await storage.inner.load('a')).updates).toHaveLength(10);
  });

  it('loads a document at once with its logged updates stored, without waiting for other documents', async () => {
    const storage = new GatedStorage();
    storage.gated = false;
    const { wal } = writeAhead(storage, new MemoryLog());
    await wal.append('a', [bytes(1)]);
    expect((await storage.inner.load('a')).updates).toEqual([]);
    expect((await wal.load('a')).updates).toEqual([bytes(1)]);

    storage.gated = true;
    await wal.append('b', [bytes(2)]);
    await wal.append('c', [bytes(3)]);
    let loadedB: StoredDoc | null = null;
    void wal.load('b').then((doc) => (loadedB = doc));
    expect((await wal.load('d')).updates).toEqual([]);
    await tick();
    expect(loadedB).toBeNull();
    storage.waiting.find((w) => w.docName === 'b')?.release();
    await tick();
    await tick();
    expect(loadedB).not.toBeNull();
    expect(loadedB!.updates).toEqual([bytes(2)]);
  });

  it('flush stores every document logged so far at once and resolves once they are stored, later appends aside', async () => {
    const storage = new GatedStorage();
    const { wal, clock } = writeAhead(storage, new MemoryLog());
    await wal.append('a', [bytes(1)]);
    await wal.append('b', [bytes(2)]);
    let flushed = false;
    const flushing = wal.flush().then(() => (flushed = true));
    await tick();
    // No quiet period: both went to the storage at once.
    expect(storage.waiting.map((w) => w.docName)).toEqual(['a', 'b']);
    await wal.append('c', [bytes(3)]);
    storage.waiting[0]?.release();
    await tick();
    expect(flushed).toBe(false);
    storage.waiting[1]?.release();
    await flushing;
    // The append after the flush began is not waited for; it goes out after the usual quiet period.
    expect(storage.waiting).toHaveLength(2);
    await clock.advance(50);
    expect(storage.waiting.map((w) => w.docName)).toEqual(['a', 'b', 'c']);
  });

  it('compacts only after the logged updates it folds are stored', async () => {
    const storage = new GatedStorage();
    const { wal } = writeAhead(storage, new MemoryLog());
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
    const errors: unknown[] = [];
    const { wal, clock } = writeAhead(storage, log, {
      retryMs: 10,
      maxRetryMs: 25,
      onError: (error, docName) => errors.push([docName, (error as Error).message]),
    });
    await wal.append('a', [bytes(1)]);
    await clock.advance(50);
    for (const expectedDelay of [10, 20, 25]) {
      storage.waiting.shift()?.fail(new Error('disk full'));
      await tick();
      expect(clock.timers.map((t) => t.delayMs)).toEqual([expectedDelay]);
      await clock.advance(expectedDelay);
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
    const { wal, clock } = writeAhead(storage, log);
    log.failNext = new Error('ENOSPC');
    await expect(wal.append('a', [bytes(1)])).rejects.toThrow('ENOSPC');
    await clock.advance(1_000);
    expect(storage.waiting).toHaveLength(0);
    expect(wal.backlog).toBe(0);
  });

  it('writes straight to the storage while the log is over its limit, and logs again once it drained', async () => {
    const storage = new GatedStorage();
    const log = new MemoryLog();
    const { wal, clock } = writeAhead(storage, log, { maxLogBytes: 8 });
    await wal.append('a', [new Uint8Array(10)]);
    expect(log.size).toBeGreaterThanOrEqual(8);

    let direct = false;
    void wal.append('a', [bytes(2)]).then(() => (direct = true));
    await tick();
    expect(direct).toBe(false);
    expect(log.records).toHaveLength(1);
    expect(storage.waiting).toHaveLength(1);
    await clock.advance(50);
    storage.releaseAll();
    await tick();
    await tick();
    expect(direct).toBe(true);
    expect(log.size).toBe(0);

    await wal.append('a', [bytes(3)]);
    expect(log.records).toHaveLength(1);
  });

  it("keeps every slice of a large import out of the log with the default sizes, so others' typing stays fast", async () => {
    // Source files of about 60 KB, as a repository archive holds them: each slice's update must reach the storage
    // directly. With 256 KiB slices under a 256 KiB bar, four such files made a slice just small enough for the log,
    // which then filled and sent every other document's keystrokes to the database behind the upload.
    const doc = new Y.Doc();
    const entries = Array.from({ length: 24 }, (_, i) => ({
      path: `src/module-${i}.ts`,
      content: `export const value${i} = ${JSON.stringify('x'.repeat(60_000))};\n`,
    }));
    const plan = planImport(doc, entries);
    expect(plan.slices.length).toBeGreaterThan(3);
    const storage = new MemoryDocStorage();
    const log = new MemoryLog();
    const { wal } = writeAhead(storage, log);
    for (const slice of plan.slices) {
      const updates: Uint8Array[] = [];
      const collect = (update: Uint8Array) => updates.push(update);
      doc.on('update', collect);
      importSlice(doc, slice);
      doc.off('update', collect);
      await wal.append('bulk', updates);
    }
    expect(log.size).toBe(0);
    expect((await storage.load('bulk')).updates).toHaveLength(plan.slices.length);
  });

  it('writes bulk appends straight to the storage, keeping the log for the edits of everyone else', async () => {
    const storage = new GatedStorage();
    const log = new MemoryLog();
    const { wal } = writeAhead(storage, log, { maxLogBytes: 64, directAppendBytes: 16 });
    let bulkStored = false;
    const bulk = wal.append('bulk', [new Uint8Array(10), new Uint8Array(10)]).then(() => (bulkStored = true));
    await tick();
    // The bulk write waits for the storage like any write there, and never enters the log.
    expect(bulkStored).toBe(false);
    expect(log.size).toBe(0);
    expect(storage.waiting.map((write) => write.docName)).toEqual(['bulk']);
    // Many more bulk writes than the log could hold still leave typing in another document to the log.
    for (let i = 0; i < 8; i += 1) void wal.append('bulk', [new Uint8Array(16)]);
    await wal.append('typing', [bytes(1)]);
    expect(log.records).toHaveLength(1);
    storage.releaseAll();
    await bulk;
    expect(bulkStored).toBe(true);
  });

  it('on close, stores at once and leaves what fails in the log for the next start', async () => {
    const storage = new GatedStorage();
    const log = new MemoryLog();
    const { wal, clock } = writeAhead(storage, log);
    await wal.append('a', [bytes(1)]);
    await wal.append('b', [bytes(2)]);
    await clock.advance(50);
    storage.waiting.shift()?.fail(new Error('database gone'));
    await tick();
    await wal.append('c', [bytes(3)]);
    const closed = wal.close();
    await clock.advance(100);
    storage.waiting.find((w) => w.docName === 'b')?.release();
    storage.waiting.find((w) => w.docName === 'c')?.release();
    storage.waiting.find((w) => w.docName === 'a')?.fail(new Error('database gone'));
    await closed;
    expect(log.records.map((r) => decodeLogRecord(r).docName)).toEqual(['a', 'b', 'c']);
    expect((await storage.inner.load('b')).updates).toEqual([bytes(2)]);
    expect((await storage.inner.load('c')).updates).toEqual([bytes(3)]);
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
        joined(encodeLogRecord('a', [bytes(1)])),
        Uint8Array.of(200),
        joined(encodeLogRecord('b', [bytes(2)])),
        joined(encodeLogRecord('a', [bytes(3), bytes(4)])),
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
