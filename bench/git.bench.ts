// Git-backed workspaces against a real `git http-backend` on loopback (apps/server/test/git-server.ts), with the
// server as the production bundle on plain Node and PGlite in a data folder, as `pnpm start` runs it:
// (a) git.connect of a 5,000-file repository against `git clone` of the same repository over the same loopback
//     (target: within 2x), five alternating rounds compared on each side's best run: noise only adds time, and the
//     baseline has the most of it here (its checkout writes 5,000 files, which on this VM took from 0.1 s to 4 s
//     from one run to the next while the fetch before it stayed at about 0.2 s), so its median flattered Tandem
//     and its best run is the strict comparison; medians are reported beside it;
// (b) commit and push of 100 changed files (target: under 2 s);
// (c) pulls of 50 remote commits each into a file two people are editing over real y-websocket clients, with the
//     edit latency between them during the pulls (target: p99 under 50 ms).
// `pnpm bench git`; figures go to bench/results/git*.json. BENCH_CPU_PROF=<dir> writes the server's CPU profiles
// (main thread and workers) there, to see where the time goes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startOptions } from '../apps/server/build.ts';
import { startGitServer } from '../apps/server/test/git-server.ts';
import { signedUpClient } from '../apps/server/test/harness.ts';
import { synced, timedEdit, until, yClient } from '../apps/server/test/yjs-client.ts';
import { onCleanup } from './sync/cleanup.ts';
import { compiled, startServer } from './sync/server-process.ts';
import { percentiles, report, round } from './stats.ts';

const TOKEN = 'bench-token';
const FILES = 5_000;
const ROUNDS = 3;
const CONNECT_ROUNDS = 5;
const CHANGED = 100;
const PULLS = 5;
const COMMITS_PER_PULL = 50;
const EDIT_INTERVAL_MS = 20;

/** A plausible source file of about 1.2 kB. */
function source(i: number): string {
  const lines = [`// module ${i}`, `export const id${i} = ${i};`];
  for (let j = 0; j < 36; j += 1)
    lines.push(`export function f${i}_${j}(x: number) { return x * ${j} + ${i}; }`);
  return `${lines.join('\n')}\n`;
}

const median = (values: number[]) => percentiles(values).p50;

export async function run() {
  const remote = await startGitServer(TOKEN);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-git-bench-'));
  const removeDir = onCleanup({ sync: () => rmSync(dataDir, { recursive: true, force: true }) });
  const entry = path.join(import.meta.dirname, 'sync/servers/tandem-server.ts');
  const env = { BENCH_DATA_DIR: dataDir, BENCH_DATABASE_URL: '', BENCH_GIT_ALLOWED_HOSTS: '127.0.0.1' };
  const prepared = spawnSync(process.execPath, [await compiled(entry)], {
    env: { ...process.env, ...env, BENCH_PREPARE_ONLY: '1' },
    encoding: 'utf8',
  });
  if (prepared.status !== 0) throw new Error(`preparing the database failed:\n${prepared.stderr}`);
  const server = await startServer(entry, env, [
    ...startOptions(),
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
  ]);
  try {
    const owner = await signedUpClient(server.url, 'Bench');
    const peer = await signedUpClient(server.url, 'Peer');
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i += 1) files[`src/m${Math.floor(i / 100)}/f${i}.ts`] = source(i);
    const bigUrl = await remote.createRepo('big', files);

    const connectWorkspace = async (name: string, url: string) => {
      const ws = await owner.trpc.workspace.create.mutate({ name });
      const { credentialId } = await owner.trpc.git.credential.create.mutate({
        workspaceId: ws.id,
        token: TOKEN,
      });
      const started = performance.now();
      const connected = await owner.trpc.git.connect.mutate({ workspaceId: ws.id, url, credentialId });
      return { id: ws.id, ms: performance.now() - started, files: connected.files };
    };

    // (a) connect vs git clone, alternating, after one warm-up of each.
    await connectWorkspace('warm-up', bigUrl);
    await remote.clone('big');
    const connects: number[] = [];
    const clones: number[] = [];
    let big = { id: '', ms: 0, files: 0 };
    for (let r = 0; r < CONNECT_ROUNDS; r += 1) {
      big = await connectWorkspace(`big-${r}`, bigUrl);
      connects.push(big.ms);
      const started = performance.now();
      await remote.clone('big');
      clones.push(performance.now() - started);
    }
    if (big.files !== FILES) throw new Error(`connected ${big.files} files, expected ${FILES}`);

    // (b) commit and push 100 changed files of the 5,000.
    const commits: number[] = [];
    const pushes: number[] = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      for (let i = 0; i < CHANGED; i += 1) {
        const n = r * CHANGED + i * 37;
        const file = `src/m${Math.floor(n / 100)}/f${n}.ts`;
        await owner.trpc.file.write.mutate({
          workspaceId: big.id,
          path: file,
          content: `${source(n)}// round ${r}\n`,
        });
      }
      let started = performance.now();
      const made = await owner.trpc.git.commit.mutate({ workspaceId: big.id, message: `Round ${r}` });
      commits.push(performance.now() - started);
      if (made.changes.length !== CHANGED) throw new Error(`committed ${made.changes.length} files`);
      started = performance.now();
      await owner.trpc.git.push.mutate({ workspaceId: big.id });
      pushes.push(performance.now() - started);
    }

    // (c) pulls into a file two people are editing.
    const shared = [
      'export const shared = 1;',
      ...Array.from({ length: 200 }, (_, i) => `// line ${i}`),
      '',
    ].join('\n');
    const pullFiles: Record<string, string> = { 'src/shared.ts': shared };
    for (let i = 0; i < 200; i += 1) pullFiles[`lib/f${i}.ts`] = source(i);
    const pullUrl = await remote.createRepo('pull', pullFiles);
    const pulled = await connectWorkspace('pull', pullUrl);
    const invite = await owner.trpc.workspace.invite.create.mutate({
      workspaceId: pulled.id,
      role: 'editor',
    });
    await peer.trpc.workspace.invite.accept.mutate({ token: invite.token });
    const writer = yClient(server.url, pulled.id, owner.jar.header());
    const reader = yClient(server.url, pulled.id, peer.jar.header());
    await Promise.all([synced(writer), synced(reader)]);
    await until(() => reader.doc.getMap('files').has('src/shared.ts'), 10_000, 'the shared file');
    let n = 0;
    const during = async (work: Promise<unknown>) => {
      let done = false;
      const finished = work.finally(() => (done = true));
      const samples: number[] = [];
      while (!done) {
        samples.push(await timedEdit(writer, reader, 'src/shared.ts', `// edit ${(n += 1)}\n`));
        await delay(EDIT_INTERVAL_MS);
      }
      await finished;
      return samples;
    };
    await during(delay(2_000));
    const idle = await during(delay(5_000));
    const work = await remote.clone('pull');
    const pullMs: number[] = [];
    const pulling: number[] = [];
    const landed: number[] = [];
    for (let p = 0; p < PULLS; p += 1) {
      for (let c = 0; c < COMMITS_PER_PULL; c += 1) {
        const k = p * COMMITS_PER_PULL + c;
        await appendFile(path.join(work, 'src/shared.ts'), `// remote ${k}\n`);
        await mkdir(path.join(work, 'lib'), { recursive: true });
        await writeFile(path.join(work, `lib/f${k % 200}.ts`), `${source(k % 200)}// remote ${k}\n`);
        await remote.git(work, 'commit', '-qam', `Remote ${k}`);
      }
      await remote.git(work, 'push', '-q', 'origin', 'main');
      const started = performance.now();
      const pull = owner.trpc.git.pull.mutate({ workspaceId: pulled.id }).then((outcome) => {
        pullMs.push(performance.now() - started);
        landed.push(outcome.commits);
        if (outcome.conflicts.length > 0)
          throw new Error(`the pull conflicted: ${JSON.stringify(outcome.conflicts)}`);
      });
      pulling.push(...(await during(pull)));
    }
    await until(
      () =>
        reader.doc
          .getMap('files')
          .get('src/shared.ts')
          ?.toString()
          .includes(`// remote ${PULLS * COMMITS_PER_PULL - 1}`) ?? false,
      10_000,
      'the last pulled line',
    );
    writer.destroy();
    reader.destroy();

    const ms = (values: number[]) => values.map((v) => round(v, 0)).join(' / ');
    const connectMedian = median(connects);
    const cloneMedian = median(clones);
    const best = (values: number[]) => Math.min(...values);
    report('git', {
      'connect 5,000 files': {
        'median ms': round(connectMedian, 0),
        'runs ms': ms(connects),
        'git clone median ms': round(cloneMedian, 0),
        'git clone runs ms': ms(clones),
        'vs git clone': `${round(best(connects) / best(clones))}x best runs (target <= 2x); ${round(connectMedian / cloneMedian)}x medians`,
      },
      [`commit + push ${CHANGED} files`]: {
        'median ms': round(median(commits.map((c, i) => c + (pushes[i] ?? 0))), 0),
        'runs ms': ms(commits.map((c, i) => c + (pushes[i] ?? 0))),
        'git clone median ms': '',
        'git clone runs ms': `commit ${ms(commits)}; push ${ms(pushes)}`,
        'vs git clone': 'target < 2000 ms',
      },
      [`pull ${COMMITS_PER_PULL} commits`]: {
        'median ms': round(median(pullMs), 0),
        'runs ms': ms(pullMs),
        'git clone median ms': '',
        'git clone runs ms': `${landed.join(', ')} commits`,
        'vs git clone': '',
      },
    });
    const row = (samples: number[], what: string) => {
      const stats = percentiles(samples);
      return {
        work: what,
        edits: stats.n,
        'p50 ms': round(stats.p50),
        'p99 ms': round(stats.p99),
        'max ms': round(stats.max),
      };
    };
    report('git-edits', {
      idle: row(idle, 'none'),
      pulling: row(
        pulling,
        `${PULLS} pulls of ${COMMITS_PER_PULL} commits into the edited file (target p99 < 50 ms)`,
      ),
    });
  } finally {
    await server.stop();
    await remote.close();
    await removeDir();
  }
}
