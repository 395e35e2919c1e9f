// Child-process entry: Hocuspocus with its default in-memory setup (no extensions, so nothing is persisted).
import { Server } from '@hocuspocus/server';
import { announce } from './announce.ts';

const server = new Server({ port: 0, quiet: true, stopOnSignals: false });
await server.listen();

announce(`http://127.0.0.1:${server.address.port}`, {}, () => server.destroy());
