// Whatever the benchmark leaves behind (server processes, temp dirs, throwaway databases) is undone even when a run
// fails or is interrupted: sync steps run on 'exit', async ones on SIGINT/SIGTERM before exiting.
type Undo = { sync?: () => void; async?: () => Promise<void> };

const pending = new Set<Undo>();
let installed = false;
let interrupted = false;

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const undo of pending) undo.sync?.();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\nsync bench: ${signal}, cleaning up`);
      void drain().finally(() => process.exit(130));
    });
  }
}

const runUndo = async (undo: Undo) => (undo.async ? undo.async() : undo.sync?.());

// The benchmark keeps running while this drains (its awaits fail one by one), so steps registered meanwhile are
// picked up by the next round.
async function drain() {
  while (pending.size > 0) {
    const round = [...pending];
    pending.clear();
    const results = await Promise.allSettled(round.map(runUndo));
    for (const r of results)
      if (r.status === 'rejected') console.error('sync bench: cleanup failed:', r.reason);
  }
}

export const isInterrupted = () => interrupted;

/** Throws once the run was interrupted, so nothing new (a server, a database) is started while cleaning up. */
export function assertNotInterrupted(): void {
  if (interrupted) throw new Error('interrupted');
}

/** Registers an undo step; the returned function runs it now (once) and unregisters it. */
export function onCleanup(undo: Undo): () => Promise<void> {
  install();
  pending.add(undo);
  return async () => {
    if (!pending.delete(undo)) return;
    await runUndo(undo);
  };
}
