import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApp } from './app.js';

let server: Server;
let base: string;

before(async () => {
  server = createApp().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
});

const send = (path: string, method: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the API', () => {
  it('answers its health check', async () => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  it('creates a todo, lists it and marks it done', async () => {
    const created = await send('/todos', 'POST', { title: ' Write the docs ' });
    assert.equal(created.status, 201);
    const todo = (await created.json()) as { id: number; title: string };
    assert.equal(todo.title, 'Write the docs');

    const list = (await (await fetch(`${base}/todos`)).json()) as unknown[];
    assert.equal(list.length, 1);

    const done = await send(`/todos/${todo.id}`, 'PATCH', { done: true });
    assert.deepEqual(await done.json(), { id: todo.id, title: 'Write the docs', done: true });
  });

  it('refuses a todo without a title, and an unknown id', async () => {
    assert.equal((await send('/todos', 'POST', { title: '' })).status, 400);
    assert.equal((await send('/todos/999', 'PATCH', { done: true })).status, 404);
  });
});
