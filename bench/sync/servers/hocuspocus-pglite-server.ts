// Child-process entry: Hocuspocus persisting into PGlite on disk, wired as its own Database extension would be: the
// onStoreDocument hook saves the whole document (Hocuspocus's default debounce: 2 s after the last change, 10 s at
// most, so updates are broadcast long before they are stored) and onLoadDocument reads it back. PGlite runs in this
// thread with Tandem's settings, and the process with Tandem's Node options, on a data folder created beforehand by a
// run with BENCH_PREPARE_ONLY (initdb leaves hundreds of MB of WebAssembly memory behind): the least an embedded
// PostgreSQL costs a server that persists in it, whichever server that is.
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { Server } from '@hocuspocus/server';
import * as Y from 'yjs';
import { PGLITE_CONF } from '../../../apps/server/src/db/pglite-conf.ts';
import { announce } from './announce.ts';

// As Tandem runs PGlite (apps/server/src/db/client.ts): its WebAssembly on V8's baseline compiler only.
setFlagsFromString('--liftoff-only');
const db = await PGlite.create(process.env.BENCH_DATA_DIR, { postgresqlconf: [...PGLITE_CONF] });
await db.exec('create table if not exists documents (name text primary key, state bytea not null)');
if (process.env.BENCH_PREPARE_ONLY) {
  await db.close();
  process.exit(0);
}

const server = new Server({
  port: 0,
  quiet: true,
  stopOnSignals: false,
  async onLoadDocument({ document, documentName }) {
    const { rows } = await db.query<{ state: Uint8Array }>('select state from documents where name = $1', [
      documentName,
    ]);
    if (rows[0]) Y.applyUpdate(document, rows[0].state);
    return document;
  },
  async onStoreDocument({ document, documentName }) {
    await db.query(
      'insert into documents (name, state) values ($1, $2) on conflict (name) do update set state = excluded.state',
      [documentName, Y.encodeStateAsUpdate(document)],
    );
  },
});
await server.listen();

announce(`http://127.0.0.1:${server.address.port}`, { database: 'pglite' }, async () => {
  await server.destroy();
  await db.close();
});
