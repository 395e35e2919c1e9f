// Heap and RSS around one piece of work, with a real `gc()` on both sides when V8 lets us expose it at runtime
// (`pnpm bench` does not pass --expose-gc), so deltas measure the work rather than leftover garbage.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

function gc(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

export interface MemoryDelta {
  /** Heap in use right after the work, minus before (what it allocated and had not yet collected). */
  heapMb: number;
  /** Heap still in use after a full collection while the result is held: what the work retains. */
  retainedMb: number;
  rssMb: number;
}

const mb = (bytes: number): number => bytes / (1024 * 1024);

export async function measureMemory<T>(work: () => Promise<T>): Promise<{ value: T; memory: MemoryDelta }> {
  gc();
  const before = process.memoryUsage();
  const value = await work();
  const after = process.memoryUsage();
  gc();
  const settled = process.memoryUsage();
  return {
    value,
    memory: {
      heapMb: mb(after.heapUsed - before.heapUsed),
      retainedMb: mb(settled.heapUsed - before.heapUsed),
      rssMb: mb(after.rss - before.rss),
    },
  };
}
