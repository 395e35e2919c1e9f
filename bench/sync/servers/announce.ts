// The contract between a benchmark server child and its parent: one JSON line with the URL on stdout once listening,
// and a graceful stop on SIGTERM (the parent kills whatever is still alive after a grace period).
export function announce(url: string, extra: Record<string, string>, stop: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify({ url, ...extra })}\n`);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
}
