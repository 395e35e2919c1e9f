// Builds the server for production: our own TypeScript (this app and @tandem/core) bundled as plain JavaScript, so
// `pnpm start` runs on Node alone. Running the sources through tsx's loader costs about 45 MB of memory (the
// loader's thread and the transpiled sources) and compiles every module again at each start. The dependencies this
// package declares stay external and load from node_modules as usual (PGlite's WebAssembly, argon2's native code
// and BullMQ's scripts sit in their own folders); what only @tandem/core depends on is bundled, because Node could
// not resolve it from here. `node --import tsx build.ts` writes dist/.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const serverDir = import.meta.dirname;

export interface BuildOptions {
  /** Entry name -> source file. */
  entryPoints: Record<string, string>;
  /**
   * Output folder. It must sit directly in apps/server (as dist/ does): the bundle finds the migrations and the web
   * app from there (src/server-root.ts) and resolves the external packages from apps/server/node_modules.
   */
  outdir: string;
}

export async function buildServer({ entryPoints, outdir }: BuildOptions): Promise<void> {
  const manifest = JSON.parse(readFileSync(path.join(serverDir, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const external = Object.keys(manifest.dependencies).filter((name) => !name.startsWith('@tandem/'));
  // Chunk names carry content hashes: without a clean folder, every build would leave the last one's behind.
  rmSync(path.resolve(serverDir, outdir), { recursive: true, force: true });
  await build({
    // The archive and git workers (archive-pool.ts, git-runner.ts) are started from their own files beside the bundle.
    entryPoints: {
      ...entryPoints,
      'archive-worker': 'src/archive/archive-worker.ts',
      'git-worker': 'src/git/git-worker.ts',
    },
    absWorkingDir: serverDir,
    outdir,
    bundle: true,
    // Lazily imported parts (the AI pipeline, the PGlite or PostgreSQL driver) stay separate chunks.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    // Deep imports (`drizzle-orm/pglite`, `y-protocols/awareness`) are external like their packages.
    external: external.flatMap((name) => [name, `${name}/*`]),
    // Bundled CommonJS calls `require`, which ES modules lack.
    banner: {
      js: "import { createRequire as __tandemCreateRequire } from 'node:module'; const require = __tandemCreateRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

/**
 * The Node options `pnpm start` gives the built server (this package's start script), for whatever else runs
 * dist/main.js and means to run the process a deployment runs (the end-to-end tests, the benchmarks). Young-generation
 * semi-spaces of at most 4 MB instead of V8's 16 MB kept the server's resident memory about 15 MB lower at every
 * load of the sync bench, with latency and throughput unchanged. One V8 helper thread instead of four: the helpers
 * collect garbage for every thread's heap at normal priority, so an archive worker's collections (it runs at the
 * lowest priority) took both cores of a small machine from the event loop in bursts. With one, a peer's edit p99
 * during a 50 MB upload went from about 2.4x to 1.4x of idle, downloads from about 2x to 1.6x (`pnpm bench
 * archive`); the sync bench was unchanged, a git connect about 5% slower.
 */
export function startOptions(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(serverDir, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const options = /\bnode((?: --\S+)*) dist\/main\.js/.exec(manifest.scripts.start)?.[1];
  if (options === undefined)
    throw new Error('the server start script no longer runs `node [options] dist/main.js`');
  return options.split(' ').filter(Boolean);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildServer({ entryPoints: { main: 'src/main.ts' }, outdir: path.join(serverDir, 'dist') });
}
