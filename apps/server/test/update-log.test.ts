// The write-ahead log on disk: records read back whole or not at all, what a killed process only logged is stored at
// the next start, and a live edit reaches the other peer only once it is in the log.
import { randomUUID } from 'node:crypto';
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  encodeLogRecord,
  encodeUpdateMessage,
  messageSync,
  snapshotUpdate,
  type RoomManager,
} from '@tandem/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openDatabase, type Database } from '../src/db/client.ts';
import { users, workspaces } from '../src/db/schema.ts';
import { createMetrics } from '../src/http/metrics.ts';
import { PgDocStorage } from '../src/sync/pg-storage.ts';
import { createRooms } from '../src/sync/rooms.ts';
import { FileAppendLog } from '../src/sync/update-log.ts';
import { until } from './yjs-client.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tandem-update-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (text: string) => [new TextEncoder().encode(text)];

describe('FileAppendLog', () => {
  it('reads back every record appended, across a reopen', () => {
    const file = path.join(dir, 'plain.log');
    const first = FileAppendLog.open(file);
    expect(first.records).toEqual([]);
    first.log.append(record('one'));
    first.log.append(record(''));
    first.log.append(record('three'));
    first.log.close();
    const again = FileAppendLog.open(file);
    expect(again.records.map((r) => Buffer.from(r).toString())).toEqual(['one', '', 'three']);
    expect(again.unreadBytes).toBe(0);
    expect(again.log.size).toBe(statSync(file).size);
    again.log.close();
  });

  it('writes a record given in parts as one, however many parts', () => {
    const file = path.join(dir, 'parts.log');
    const { log } = FileAppendLog.open(file);
    const large = new Uint8Array(300_000).fill(5);
    log.append([record('a')[0] ?? new Uint8Array(), large, record('z')[0] ?? new Uint8Array()]);
    // More parts than one writev takes.
    const many = Array.from({ length: 3_000 }, (_, i) => Uint8Array.of(i % 256));
    log.append(many);
    log.close();
    const again = FileAppendLog.open(file);
    expect(again.records.map((r) => r.byteLength)).toEqual([300_002, 3_000]);
    expect(new Uint8Array(again.records[0]?.subarray(1, 300_001) ?? [])).toEqual(large);
    expect(again.records[1]?.[2_999]).toBe(2_999 % 256);
    again.log.close();
  });

  it('stops at a torn last record and at a damaged one, counting what it could not read', () => {
    const file = path.join(dir, 'torn.log');
    const { log } = FileAppendLog.open(file);
    log.append(record('kept'));
    log.append(record('also kept'));
    log.close();
    const whole = readFileSync(file);
    // A write cut short: a header promising 100 bytes, then 3 of them.
    const torn = Buffer.alloc(11);
    torn.writeUInt32LE(100, 0);
    appendFileSync(file, torn);
    const afterTear = FileAppendLog.open(file);
    expect(afterTear.records.map((r) => Buffer.from(r).toString())).toEqual(['kept', 'also kept']);
    expect(afterTear.unreadBytes).toBe(11);
    afterTear.log.close();

    // One flipped bit in the first record's payload: its checksum fails and nothing after it is trusted.
    const damaged = Buffer.from(whole);
    damaged[9] = (damaged[9] ?? 0) ^ 1;
    writeFileSync(file, damaged);
    const afterDamage = FileAppendLog.open(file);
    expect(afterDamage.records).toEqual([]);
    expect(afterDamage.unreadBytes).toBe(whole.byteLength);
    afterDamage.log.close();
  });

  it('appends from the start again once cleared', () => {
    const file = path.join(dir, 'cleared.log');
    const { log } = FileAppendLog.open(file);
    log.append(record('old'));
    log.clear();
    expect(statSync(file).size).toBe(0);
    log.append(record('new'));
    log.close();
    const again = FileAppendLog.open(file);
    expect(again.records.map((r) => Buffer.from(r).toString())).toEqual(['new']);
    again.log.close();
  });
});

describe('rooms on PGlite on disk', () => {
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dataDir, 'updates.log');
  let database: Database;
  const silent = pino({ level: 'silent' });
  const context = { userId: 'u', name: 'U', color: '#000', readOnly: false };
  const nobody = { send: () => undefined, close: () => undefined };
  /** Rooms over the database as the server opens them, closed as the server closes them. */
  const withRooms = async (use: (rooms: RoomManager) => Promise<void>) => {
    const roomSet = await createRooms(database, undefined, createMetrics(), silent, undefined);
    try {
      await use(roomSet.rooms);
    } finally {
      await roomSet.rooms.close();
      await roomSet.close();
    }
  };

  const workspace = async () => {
    const id = randomUUID();
    await database.db.insert(workspaces).values({ id, name: 'w', createdBy: 'u' });
    return id;
  };
  /** The workspace layout's one text file, which the rooms check every update against. */
  const fileIn = (doc: Y.Doc) => {
    const files = doc.getMap<Y.Text>('files');
    let text = files.get('main.ts');
    if (!text) {
      text = new Y.Text();
      files.set('main.ts', text);
    }
    return text;
  };
  const updateOf = (text: string, doc = new Y.Doc()) => {
    const before = Y.encodeStateVector(doc);
    doc.transact(() => fileIn(doc).insert(fileIn(doc).length, text));
    return Y.encodeStateAsUpdate(doc, before);
  };
  const textOf = async (id: string) => {
    const stored = await new PgDocStorage(database).load(id);
    const doc = new Y.Doc();
    const snapshot = snapshotUpdate(stored.snapshot);
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
    return doc.getMap<Y.Text>('files').get('main.ts')?.toString() ?? '';
  };

  beforeAll(async () => {
    database = await openDatabase({ dataDir });
    await database.db.insert(users).values({ id: 'u', email: 'u@example.com', name: 'U', passwordHash: 'x' });
  }, 60_000);
  afterAll(() => database.close());

  it('stores at start what a stopped process had only logged, and keeps a copy of a damaged log', async () => {
    const id = await workspace();
    const doc = new Y.Doc();
    const left = FileAppendLog.open(logFile);
    left.log.append(encodeLogRecord(id, [updateOf('a', doc), updateOf('b', doc)]));
    left.log.append(encodeLogRecord(id, [updateOf('c', doc)]));
    left.log.close();
    appendFileSync(logFile, Buffer.from([7, 0, 0]));
    const before = readFileSync(logFile);

    await withRooms(async () => {
      expect(await textOf(id)).toBe('abc');
      expect(statSync(logFile).size).toBe(0);
      const copies = readdirSync(dataDir).filter((name) => name.startsWith('updates.log.damaged-'));
      expect(copies).toHaveLength(1);
      expect(readFileSync(path.join(dataDir, copies[0] ?? ''))).toEqual(before);
    });
  });

  it('sends an edit to the other peer once it is logged, and empties the log once it is stored', async () => {
    const id = await workspace();
    await withRooms(async (rooms) => {
      const received: { frame: Uint8Array; loggedBytes: number }[] = [];
      const writer = rooms.join(id, nobody, context);
      rooms.join(
        id,
        {
          // Sync update frames only (message type sync, then 2), with what the log file held at that moment.
          send: (frame) => {
            if (frame[0] === messageSync && frame[1] === 2)
              received.push({ frame, loggedBytes: statSync(logFile).size });
          },
          close: () => undefined,
        },
        context,
      );
      const update = updateOf('edit');
      writer.receive(encodeUpdateMessage(update));
      await until(() => received.length > 0, 5_000, 'the edit to reach the peer');
      expect(received[0]?.frame).toEqual(encodeUpdateMessage(update));
      // The database write comes after: when the peer was sent the edit, the log held it.
      expect(received[0]?.loggedBytes).toBeGreaterThan(update.byteLength);
      await until(() => statSync(logFile).size === 0, 5_000, 'the log to be emptied');
      expect(await textOf(id)).toBe('edit');
    });
  });

  it('stores on close what was logged just before', async () => {
    const id = await workspace();
    await withRooms(async (rooms) => {
      const writer = rooms.join(id, nobody, context);
      await until(() => rooms.getDoc(id) !== undefined, 5_000, 'the document to load');
      writer.receive(encodeUpdateMessage(updateOf('last words')));
      expect(statSync(logFile).size).toBeGreaterThan(0);
    });
    expect(statSync(logFile).size).toBe(0);
    expect(await textOf(id)).toBe('last words');
  });
});
