import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

class Gate {
  #open: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.#open.push(resolve));
  }
  openOne(): void {
    this.#open.shift()?.();
  }
  get waiting(): number {
    return this.#open.length;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('GroupCommit', () => {
  it('writes the first item at once and batches the rest in order', async () => {
    const gate = new Gate();
    const writes: number[][] = [];
    const committed: number[][] = [];
    const queue = new GroupCommit<number>({
      write: async (items) => {
        writes.push([...items]);
        await gate.wait();
      },
      committed: (items) => committed.push([...items]),
      failed: () => undefined,
    });
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(writes).toEqual([[1]]);
    expect(queue.pending).toBe(3);
    gate.openOne();
    await tick();
    expect(writes).toEqual([[1], [2, 3]]);
    queue.push(4);
    gate.openOne();
    await tick();
    gate.openOne();
    await queue.whenIdle();
    expect(writes).toEqual([[1], [2, 3], [4]]);
    expect(committed).toEqual(writes);
    expect(queue.pending).toBe(0);
  });

  it('reports a failed batch and carries on with the next', async () => {
    const failed: number[][] = [];
    const committed: number[][] = [];
    let calls = 0;
    const queue = new GroupCommit<number>({
      write: () => (calls++ === 0 ? Promise.reject(new Error('disk full')) : Promise.resolve()),
      committed: (items) => committed.push([...items]),
      failed: (items) => failed.push([...items]),
    });
    queue.push(1);
    queue.push(2);
    await queue.whenIdle();
    expect(failed).toEqual([[1]]);
    expect(committed).toEqual([[2]]);
  });

  it('drops queued items on request but never the batch in flight', async () => {
    const gate = new Gate();
    const writes: string[][] = [];
    const queue = new GroupCommit<string>({
      write: async (items) => {
        writes.push([...items]);
        await gate.wait();
      },
      committed: () => undefined,
      failed: () => undefined,
    });
    queue.push('a1');
    queue.push('b1');
    queue.push('a2');
    expect(queue.dropQueued((item) => item.startsWith('a'))).toEqual(['a2']);
    gate.openOne();
    await tick();
    gate.openOne();
    await queue.whenIdle();
    expect(writes).toEqual([['a1'], ['b1']]);
  });
});
