import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryRoomBus } from './memory-bus.ts';
import { MemoryDocStorage } from './memory-storage.ts';
import { RoomManager } from './room-manager.ts';
import {
  type Cluster,
  ControlledStorage,
  alice,
  bob,
  carol,
  createCluster,
  recordingMetrics,
  reloadFromStorage,
  textOf,
} from './test/harness.ts';
import type { DocStorage } from './types.ts';

const clusters: Cluster[] = [];
afterEach(() => {
  for (const cluster of clusters.splice(0)) cluster.destroy();
});

function twoInstances(storage: DocStorage = new MemoryDocStorage()) {
  const bus = new MemoryRoomBus();
  const metrics = recordingMetrics();
  const one = new RoomManager({ storage, bus, instanceId: 'one', metrics });
  const two = new RoomManager({ storage, bus, instanceId: 'two' });
  const cluster = createCluster([one, two], storage, [bus]);
  clusters.push(cluster);
  return { ...cluster, one, two, bus, metrics };
}

describe('two RoomManagers over a shared bus and storage', () => {
  it('converge under concurrent edits on both instances', async () => {
    const { connect, settle, one, two, storage, metrics } = twoInstances();
    const a = connect('ws1', alice, 0);
    const b = connect('ws1', bob, 1);
    await settle();
    for (let round = 0; round < 15; round++) {
      a.doc.getText('text').insert(0, `a${round};`);
      b.doc.getText('text').insert(b.doc.getText('text').length, `b${round};`);
      if (round % 4 === 3) a.doc.getText('text').delete(2, 2);
    }
    await settle();
    expect(textOf(a.doc)).toBe(textOf(b.doc));
    expect(textOf(a.doc)).toContain('b14;');
    const docOne = one.getDoc('ws1');
    const docTwo = two.getDoc('ws1');
    expect(docOne && textOf(docOne)).toBe(textOf(a.doc));
    expect(docTwo && textOf(docTwo)).toBe(textOf(a.doc));
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe(textOf(a.doc));
    // Echoes of our own publications are dropped, not applied twice or counted as errors.
    expect(metrics.count('error')).toBe(0);
  });

  it('shares awareness across instances, including for late joiners and leavers', async () => {
    const { connect, settle } = twoInstances();
    const a = connect('ws1', alice, 0);
    a.awareness.setLocalState({ cursor: 4, user: { name: 'not me' } });
    await settle();
    // Instance two loads the room now and asks instance one for its presence.
    const b = connect('ws1', bob, 1);
    await settle();
    expect(b.awareness.getStates().get(a.doc.clientID)).toEqual({
      cursor: 4,
      user: { id: 'u-alice', name: 'Alice', color: '#f00' },
    });
    b.awareness.setLocalState({ cursor: 9 });
    await settle();
    expect(a.awareness.getStates().get(b.doc.clientID)).toMatchObject({ cursor: 9, user: { id: 'u-bob' } });
    a.disconnect();
    await settle();
    expect(b.awareness.getStates().has(a.doc.clientID)).toBe(false);
  });

  it('delivers an update that becomes durable elsewhere after this instance loaded the room', async () => {
    const storage = new ControlledStorage();
    const { connect, settle, bus } = twoInstances(storage);
    const a = connect('ws1', alice, 0);
    await settle();
    storage.hold();
    a.doc.getText('text').insert(0, 'in flight on one');
    await settle({ writes: false });
    // Instance two loads while the append is still pending, so storage does not have it yet.
    const b = connect('ws1', bob, 1);
    await settle({ writes: false });
    expect(bus.subscriberCount('ws1')).toBe(2);
    expect(textOf(b.doc)).toBe('');
    storage.release();
    await settle();
    expect(textOf(b.doc)).toBe('in flight on one');
  });

  it('unsubscribes an instance from the bus when its room unloads', async () => {
    const { connect, settle, bus, two } = twoInstances();
    connect('ws1', alice, 0);
    const b = connect('ws1', bob, 1);
    await settle();
    expect(bus.subscriberCount('ws1')).toBe(2);
    b.disconnect();
    await settle();
    expect(two.roomCount).toBe(0);
    expect(bus.subscriberCount('ws1')).toBe(1);
  });

  it('fans server-side edits out to every instance', async () => {
    const { connect, settle, one } = twoInstances();
    connect('ws1', alice, 0);
    const c = connect('ws1', carol, 1);
    await settle();
    await one.transact('ws1', (doc) => doc.getMap('files').set('README.md', new Y.Text('# hi')));
    await settle();
    expect(c.doc.getMap<Y.Text>('files').get('README.md')?.toJSON()).toBe('# hi');
  });
});
