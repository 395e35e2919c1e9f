// Tandem as deploy/ runs it in production, under load: Debian's nginx terminating TLS (deploy/nginx/tandem.conf, as
// e2e/nginx.ts renders it) in front of two instances of the built server sharing PostgreSQL and Redis.
// 1. API latency: 50 users (real accounts, real session cookies, HTTPS through nginx), in teams of five sharing a
//    workspace, each sending a mix of the main queries and mutations for a fixed time; p50/p95/p99 per procedure
//    and overall, and the error rate, against the tracking document's targets (p95 < 500 ms, errors < 1%).
// 2. The rolling restart's edit stall: two Yjs clients typing into one file through nginx while each instance is
//    restarted in turn (SIGTERM, start again: e2e's rollingRestart), from each keystroke to the peer seeing it.
// `pnpm bench proxy`; figures go to bench/results/proxy-api.json and proxy-restart.json. Needs nginx, openssl,
// PostgreSQL (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test) and Redis (REDIS_URL, else loopback).
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { Agent, request } from 'node:https';
import { loadavg } from 'node:os';
import path from 'node:path';
import {
  freshDatabase,
  rollingRestart,
  startTandem,
  until,
  type Tandem,
  type TandemOptions,
} from '../e2e/harness.ts';
import { freePort, startNginx, type Nginx } from '../e2e/nginx.ts';
import { percentiles, report, round, type BenchResult } from './stats.ts';
import { connectClient, type SyncClient } from './sync/clients.ts';
import { readStats } from './sync/server-process.ts';

const USERS = Number(process.env.PROXY_BENCH_USERS ?? 50);
const TEAM = 5;
const FILES_PER_WORKSPACE = 20;
/** Measured seconds of load, after WARMUP_SECONDS whose requests are not counted. */
const SECONDS = Number(process.env.PROXY_BENCH_SECONDS ?? 60);
const WARMUP_SECONDS = 5;
/**
 * Each user waits 0 to THINK_MAX_MS (uniformly) after every answer before the next request: about 8 requests a
 * second per user, far more than a person clicking causes, so the figures are for a heavy hour.
 */
const THINK_MAX_MS = 200;
const REQUEST_TIMEOUT_MS = 30_000;
/** Keystrokes per second of each of the two typists in the restart run. */
const KEYS_PER_SECOND = 10;
const RESTART_PAUSE_MS = 2_000;

const targets = { p95Ms: 500, errorRate: 0.01 };

const repoRoot = path.resolve(import.meta.dirname, '..');

/**
 * The limits a real deployment keeps (sign-ups per IP, mutations per user) would refuse a load generator that is
 * 50 users behind one loopback address sending 8 requests a second each: raised for the run, so the figures are
 * the server's and not the limiter's. Everything else runs with its production default.
 */
const benchLimits = {
  TANDEM_LIMIT_SIGN_UP_PER_IP: '10000/1h',
  TANDEM_LIMIT_SIGN_IN_PER_IP: '10000/60s',
  TANDEM_LIMIT_MUTATIONS_PER_USER: '1000000/60s',
};

interface Answer {
  status: number;
  cookies: string[];
  body: string;
}

/** One HTTPS request over the user's own keep-alive connection(s), trusting nginx's self-signed certificate. */
function send(
  agent: Agent,
  url: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'] ?? [];
        resolve({ status: res.statusCode ?? 0, cookies: setCookie, body: text });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

class CallError extends Error {
  constructor(
    readonly procedure: string,
    readonly code: string,
    message: string,
  ) {
    super(`${procedure}: ${code} ${message}`);
  }
}

/** A person in a browser: their session cookie and their connections to nginx. */
class User {
  cookie = '';
  readonly agent: Agent;

  constructor(
    readonly base: string,
    ca: string,
  ) {
    // A browser keeps up to six connections per origin; one user here sends one request at a time.
    this.agent = new Agent({ keepAlive: true, maxSockets: 6, ca });
  }

  /** One tRPC procedure as the web app sends it (superjson envelope, our Origin, the session cookie). */
  async call<T>(procedure: string, input: unknown, kind: 'query' | 'mutation'): Promise<T> {
    // superjson's envelope; the inputs here are plain JSON, so it has no `meta`.
    const payload = JSON.stringify({ json: input });
    const headers: Record<string, string> = {
      origin: this.base,
      ...(this.cookie ? { cookie: this.cookie } : {}),
    };
    const answer =
      kind === 'query'
        ? await send(
            this.agent,
            new URL(`/trpc/${procedure}?input=${encodeURIComponent(payload)}`, this.base),
            'GET',
            headers,
          )
        : await send(
            this.agent,
            new URL(`/trpc/${procedure}`, this.base),
            'POST',
            { ...headers, 'content-type': 'application/json' },
            payload,
          );
    let parsed: {
      result?: { data?: { json?: unknown } };
      error?: { json?: { message?: string; data?: { code?: string } } };
    };
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
      throw new CallError(procedure, `HTTP ${answer.status}`, answer.body.slice(0, 200));
    }
    const data = parsed.result?.data;
    if (answer.status !== 200 || !data) {
      const error = parsed.error?.json;
      throw new CallError(procedure, error?.data?.code ?? `HTTP ${answer.status}`, error?.message ?? '');
    }
    const session = answer.cookies
      .map((line) => line.split(';')[0] ?? '')
      .find((c) => c.startsWith('tandem_session='));
    if (session) this.cookie = session;
    return data.json as T;
  }
}

/** A source file of about 3 KB whose line `edited` reads `marker`. */
function fileText(index: number, marker: string): string {
  const lines = [`// module ${index}`, `export const marker = '${marker}';`];
  for (let i = 0; lines.length < 80; i++) {
    lines.push(`export function f${i}(a: number, b: number) { return a * ${i} + b; }`);
  }
  return `${lines.join('\n')}\n`;
}

interface Team {
  workspaceId: string;
  paths: string[];
  members: User[];
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Signs up USERS people through nginx, in teams of TEAM: the first of each makes a workspace and invites the rest. */
async function makeTeams(nginx: Nginx): Promise<Team[]> {
  const users = Array.from({ length: USERS }, () => new User(nginx.url, nginx.certificate));
  await inBatches(users, 10, async (user) => {
    const tag = randomBytes(4).toString('hex');
    await user.call(
      'auth.signUp',
      { email: `u-${tag}@example.com`, password: 'correct horse battery', name: `User ${tag}` },
      'mutation',
    );
  });
  const teams: Team[] = [];
  for (let t = 0; t * TEAM < users.length; t++) {
    const members = users.slice(t * TEAM, (t + 1) * TEAM);
    const [owner, ...others] = members;
    if (!owner) break;
    const { id: workspaceId } = await owner.call<{ id: string }>(
      'workspace.create',
      { name: `Team ${t}` },
      'mutation',
    );
    const paths = Array.from({ length: FILES_PER_WORKSPACE }, (_, i) => `src/module${i}.ts`);
    for (const [i, file] of paths.entries()) {
      await owner.call(
        'file.create',
        { workspaceId, path: file, content: fileText(i, 'initial') },
        'mutation',
      );
    }
    for (const member of others) {
      const { token } = await owner.call<{ token: string }>(
        'workspace.invite.create',
        { workspaceId, role: 'editor' },
        'mutation',
      );
      await member.call('workspace.invite.accept', { token }, 'mutation');
    }
    teams.push({ workspaceId, paths, members });
  }
  return teams;
}

interface Operation {
  name: string;
  /** Relative frequency in the mix. */
  weight: number;
  run(user: User, team: Team, n: number): Promise<unknown>;
}

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)] as T;

/** What a team working in the app sends: mostly reads of the workspace and its files, some writes and comments. */
const mix: Operation[] = [
  { name: 'auth.me', weight: 10, run: (u) => u.call('auth.me', undefined, 'query') },
  { name: 'workspace.list', weight: 10, run: (u) => u.call('workspace.list', undefined, 'query') },
  {
    name: 'file.list',
    weight: 15,
    run: (u, t) => u.call('file.list', { workspaceId: t.workspaceId }, 'query'),
  },
  {
    name: 'file.read',
    weight: 20,
    run: (u, t) => u.call('file.read', { workspaceId: t.workspaceId, path: pick(t.paths) }, 'query'),
  },
  {
    name: 'file.write',
    weight: 15,
    run: (u, t, n) => {
      const index = randomInt(t.paths.length);
      const content = fileText(index, `edit ${n}`);
      return u.call('file.write', { workspaceId: t.workspaceId, path: t.paths[index], content }, 'mutation');
    },
  },
  {
    name: 'task.list',
    weight: 10,
    run: (u, t) => u.call('task.list', { workspaceId: t.workspaceId, limit: 20 }, 'query'),
  },
  {
    name: 'review.comment.list',
    weight: 12,
    run: (u, t) =>
      u.call('review.comment.list', { workspaceId: t.workspaceId, path: pick(t.paths) }, 'query'),
  },
  {
    name: 'review.comment.create',
    weight: 5,
    run: (u, t, n) =>
      u.call(
        'review.comment.create',
        {
          workspaceId: t.workspaceId,
          target: { kind: 'file', path: pick(t.paths), line: 1 + randomInt(60) },
          body: `Looked at this (${n}).`,
        },
        'mutation',
      ),
  },
  {
    name: 'workspace.get',
    weight: 3,
    run: (u, t) => u.call('workspace.get', { workspaceId: t.workspaceId }, 'query'),
  },
];
const totalWeight = mix.reduce((sum, op) => sum + op.weight, 0);

function chooseOperation(): Operation {
  let r = randomInt(totalWeight);
  for (const op of mix) {
    if (r < op.weight) return op;
    r -= op.weight;
  }
  return mix[0] as Operation;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function loadRun(teams: Team[], instances: Tandem[]): Promise<Record<string, BenchResult>> {
  const latency = new Map<string, number[]>(mix.map((op) => [op.name, []]));
  const errors = new Map<string, Map<string, number>>();
  const startedAt = performance.now();
  const measureFrom = startedAt + WARMUP_SECONDS * 1000;
  const endAt = measureFrom + SECONDS * 1000;
  let n = 0;
  // CPU time the instances spend in the measured window: what a request costs whatever else the machine runs.
  const cpu = () => instances.reduce((sum, instance) => sum + readStats(instance.pid).cpuSeconds, 0);
  let cpuAtStart = NaN;
  const cpuWindow = (async () => {
    await sleep(measureFrom - performance.now());
    cpuAtStart = cpu();
    await sleep(endAt - performance.now());
    return cpu() - cpuAtStart;
  })();
  const userLoop = async (user: User, team: Team) => {
    while (performance.now() < endAt) {
      const op = chooseOperation();
      const began = performance.now();
      let failure: string | undefined;
      try {
        await op.run(user, team, n++);
      } catch (error) {
        failure =
          error instanceof CallError ? error.code : error instanceof Error ? error.message : String(error);
      }
      if (began >= measureFrom) {
        // Every request counts, failed ones included: a quick refusal must not hide among fast answers unseen.
        latency.get(op.name)?.push(performance.now() - began);
        if (failure !== undefined) {
          const byCode = errors.get(op.name) ?? new Map<string, number>();
          byCode.set(failure, (byCode.get(failure) ?? 0) + 1);
          errors.set(op.name, byCode);
        }
      }
      await sleep(randomInt(THINK_MAX_MS + 1));
    }
  };
  await Promise.all(teams.flatMap((team) => team.members.map((user) => userLoop(user, team))));
  const cpuSeconds = await cpuWindow;

  const row = (name: string, samples: number[], failed: number, codes: string): BenchResult => {
    const p = percentiles(samples);
    return {
      requests: p.n,
      per_s: round(p.n / SECONDS, 0),
      p50_ms: round(p.p50, 1),
      p95_ms: round(p.p95, 1),
      p99_ms: round(p.p99, 1),
      max_ms: round(p.max, 1),
      errors: failed,
      error_pct: round((100 * failed) / Math.max(1, p.n), 2),
      ...(codes ? { error_codes: codes } : {}),
    };
  };
  const rows: Record<string, BenchResult> = {};
  const all: number[] = [];
  let failedAll = 0;
  for (const op of mix) {
    const samples = latency.get(op.name) ?? [];
    const byCode = errors.get(op.name) ?? new Map<string, number>();
    const failed = [...byCode.values()].reduce((a, b) => a + b, 0);
    failedAll += failed;
    all.push(...samples);
    rows[op.name] = row(
      op.name,
      samples,
      failed,
      [...byCode].map(([code, count]) => `${code} x${count}`).join(', '),
    );
  }
  const overall = row('all', all, failedAll, '');
  const p95 = Number(overall.p95_ms);
  const errorRate = failedAll / Math.max(1, all.length);
  rows[`all (${USERS} users)`] = {
    ...overall,
    server_cpu_ms_per_request: round((cpuSeconds * 1000) / Math.max(1, all.length), 1),
    target: `p95 < ${targets.p95Ms} ms, errors < ${targets.errorRate * 100}%`,
    met: p95 < targets.p95Ms && errorRate < targets.errorRate ? 'yes' : 'NO',
  };
  return rows;
}

/**
 * Two people type into one file, each through nginx on a live connection of their own, while `restart` runs. Each
 * keystroke appends a unique token; the time until the other client's document holds it is the stall that person
 * sees. Returns every delay and the tokens that never arrived.
 */
async function typingThrough(
  nginx: Nginx,
  team: Team,
  restart: (mark: (what: string) => void) => Promise<void>,
): Promise<Record<string, BenchResult>> {
  const [ada, bob] = team.members;
  if (!ada || !bob) throw new Error('a team needs two people');
  const file = 'src/live.ts';
  await ada.call(
    'file.create',
    { workspaceId: team.workspaceId, path: file, content: '// typed during a restart\n' },
    'mutation',
  );
  const clients: SyncClient[] = [ada, bob].map((user) =>
    connectClient({
      protocol: 'y-websocket',
      baseUrl: nginx.url,
      room: team.workspaceId,
      cookie: user.cookie,
      ca: nginx.certificate,
    }),
  );
  try {
    await Promise.all(clients.map((c) => c.synced));
    const texts = await Promise.all(clients.map((c) => until(() => c.files.get(file))));
    const t0 = performance.now();
    const delays: number[] = [];
    const timeline: string[] = [];
    let longest = { ms: 0, at: 0 };
    // Tokens one side typed that the other has not seen yet, oldest first (Yjs delivers one client's edits in order).
    const pending: { token: string; at: number }[][] = [[], []];
    for (const [receiver, client] of clients.entries()) {
      const queue = pending[1 - receiver] ?? [];
      const text = texts[receiver];
      client.doc.on('afterTransaction', () => {
        if (queue.length === 0 || !text) return;
        const now = performance.now();
        const content = text.toString();
        while (queue.length > 0 && content.includes(queue[0]?.token ?? '\0')) {
          const typed = queue.shift();
          if (!typed) break;
          const ms = now - typed.at;
          delays.push(ms);
          if (ms > longest.ms) longest = { ms, at: (typed.at - t0) / 1000 };
        }
      });
    }
    let typing = true;
    let keys = 0;
    const typist = async (index: number) => {
      const text = texts[index];
      const doc = clients[index]?.doc;
      for (let i = 0; typing && text && doc; i++) {
        const token = ` ${index === 0 ? 'a' : 'b'}${i};`;
        pending[index]?.push({ token, at: performance.now() });
        doc.transact(() => text.insert(text.length, token));
        keys++;
        await sleep(1000 / KEYS_PER_SECOND);
      }
    };
    const both = Promise.all([typist(0), typist(1)]);
    await restart((what) => timeline.push(`${((performance.now() - t0) / 1000).toFixed(1)} s ${what}`));
    await sleep(RESTART_PAUSE_MS);
    typing = false;
    await both;
    await until(() => pending.every((queue) => queue.length === 0), 30_000).catch(() => undefined);
    const lost = pending.reduce((sum, queue) => sum + queue.length, 0);
    const p = percentiles(delays);
    return {
      'keystroke to peer': {
        keystrokes: keys,
        delivered: p.n,
        lost,
        p50_ms: round(p.p50, 1),
        p99_ms: round(p.p99, 1),
        longest_stall_ms: round(longest.ms, 0),
        longest_stall_at_s: round(longest.at, 1),
        timeline: timeline.join(', '),
      },
    };
  } finally {
    for (const client of clients) client.destroy();
  }
}

export async function run() {
  if (process.env.PROXY_BENCH_SKIP_BUILD !== '1') {
    // The instances run the bundled server, as `pnpm start` does (the web app is not needed for the API).
    execFileSync(process.execPath, ['--import', 'tsx', 'build.ts'], {
      cwd: path.join(repoRoot, 'apps/server'),
      stdio: 'inherit',
    });
  }
  const db = await freshDatabase(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test');
  const ports = [await freePort(), await freePort()];
  const edge = { http: await freePort(), https: await freePort() };
  const options: TandemOptions = {
    databaseUrl: db.url,
    env: {
      REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
      TANDEM_REDIS_NAMESPACE: `bench-${randomBytes(6).toString('hex')}`,
      TANDEM_PUBLIC_URL: `https://localhost:${edge.https}`,
      TANDEM_TRUST_PROXY: 'loopback',
      TANDEM_SECRET_KEY: randomBytes(32).toString('base64'),
      // The production default (the harness sets 0 for tests that stop servers mid-task).
      TANDEM_SHUTDOWN_DRAIN_MS: '15000',
      ...benchLimits,
    },
  };
  const instances: Tandem[] = [];
  let nginx: Nginx | undefined;
  try {
    // One after the other: the first one migrates the shared database.
    for (const port of ports) instances.push(await startTandem({ ...options, port }));
    nginx = await startNginx(
      ports.map((port) => `127.0.0.1:${port}`),
      edge,
    );
    const proxy = nginx;
    console.error('proxy bench: two instances behind nginx; signing up the users');
    const teams = await makeTeams(proxy);
    console.error(
      `proxy bench: ${USERS} users in ${teams.length} workspaces, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s of load`,
    );
    const api = await loadRun(teams, instances);
    console.error(
      `proxy bench: load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    report('proxy-api', api);

    const team = teams[0];
    if (!team) throw new Error('no team');
    const restart = await typingThrough(proxy, team, (mark) =>
      rollingRestart(instances, ports, options, RESTART_PAUSE_MS, (step, index) =>
        mark(`instance ${index + 1} ${step}`),
      ),
    );
    report('proxy-restart', restart);
  } finally {
    await nginx?.stop();
    for (const instance of instances) await instance.stop().catch((error: unknown) => console.error(error));
    await db.drop();
  }
}
