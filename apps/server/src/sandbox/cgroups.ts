// Per-run control groups: memory, processes and CPU time of the whole sandboxed tree, which rlimits (per process)
// cannot bound. cgroup v1 (one hierarchy per controller, as on this kind of machine) and v2 (one unified
// hierarchy) get one interface; where no hierarchy is writable, `detectCgroups` says so and the runner falls back
// to rlimits and reports what that leaves unenforced.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface RunCgroupLimits {
  memoryBytes: number;
  processes: number;
}

export interface RunCgroup {
  /** The `cgroup.procs` files a process writes its pid into to join this run's groups (before it execs bwrap). */
  procsFiles: readonly string[];
  /** CPU time used by the tree so far, in milliseconds. */
  cpuMs(): number;
  /** Whether the kernel's OOM killer killed a process of this run. */
  oomKilled(): boolean;
  /** SIGKILL to every process still in the groups. */
  killAll(): void;
  /** Removes the groups (after killing what is left); safe to call twice. */
  remove(): Promise<void>;
}

export interface Cgroups {
  kind: 'cgroup-v1' | 'cgroup-v2';
  create(limits: RunCgroupLimits): RunCgroup;
  /** Resolves once the groups a dead server left are removed (or found impossible to remove). */
  swept: Promise<void>;
}

export type CgroupDetection = { ok: true; cgroups: Cgroups } | { ok: false; reason: string };

/** Our own cgroup in each hierarchy, from /proc/self/cgroup (`id:controllers:path`). */
function ownPaths(): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, controllers = '', cgroupPath = '/'] = match;
    if (controllers === '') paths.set('', cgroupPath);
    for (const controller of controllers.split(',')) if (controller) paths.set(controller, cgroupPath);
  }
  return paths;
}

function readNumber(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return 0;
  }
}

/** `key value` lines (memory.events, cpu.stat, memory.oom_control). */
function readKeyed(file: string, key: string): number {
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [name, value] = line.split(' ');
      if (name === key) return Number(value);
    }
  } catch {
    // The group is gone: nothing was counted that we can still see.
  }
  return 0;
}

function killPids(procsFile: string): void {
  let text: string;
  try {
    text = readFileSync(procsFile, 'utf8');
  } catch {
    return;
  }
  for (const pid of text.split('\n')) {
    if (!pid) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Groups are named after the creating process, so a later start can remove what a crashed server left. */
const groupName = () => `tandem-sandbox-${process.pid}-${randomUUID()}`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the groups a dead server left: whatever still runs in them belonged to that server and is killed, and
 * removal waits for the kernel to finish tearing those processes down.
 */
function sweep(parent: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return Promise.resolve();
  }
  const removals = names
    .filter((name) => {
      const match = /^tandem-sandbox-(\d+)-/.exec(name);
      return match !== null && !alive(Number(match[1]));
    })
    .map((name) => removeDir(path.join(parent, name), path.join(parent, name, 'cgroup.procs')));
  return Promise.all(removals).then(() => undefined);
}

/** rmdir fails while the kernel still tears down the killed processes; a few short retries cover that. */
async function removeDir(dir: string, procsFile: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (!existsSync(dir)) return;
    killPids(procsFile);
    try {
      rmdirSync(dir);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function v1(root: string): CgroupDetection {
  const own = ownPaths();
  const controllers = ['memory', 'pids', 'cpuacct'] as const;
  const parents: Record<string, string> = {};
  for (const controller of controllers) {
    const mount = path.join(root, controller);
    if (!existsSync(path.join(mount, 'cgroup.procs'))) {
      return { ok: false, reason: `the ${controller} controller is not mounted at ${mount}` };
    }
    parents[controller] = path.join(mount, own.get(controller) ?? '/');
  }
  const sweeps: Promise<void>[] = [];
  // Creating and removing a probe group proves we may write the hierarchies (root, or delegated to us).
  for (const controller of controllers) {
    sweeps.push(sweep(parents[controller] ?? ''));
    const probe = path.join(parents[controller] ?? '', `tandem-probe-${randomUUID()}`);
    try {
      mkdirSync(probe);
      rmdirSync(probe);
    } catch (error) {
      return { ok: false, reason: `cannot create a ${controller} cgroup: ${(error as Error).message}` };
    }
  }
  const create = (limits: RunCgroupLimits): RunCgroup => {
    const name = groupName();
    const dirs = {
      memory: path.join(parents.memory ?? '', name),
      pids: path.join(parents.pids ?? '', name),
      cpuacct: path.join(parents.cpuacct ?? '', name),
    };
    const made: string[] = [];
    const removeAll = async () => {
      for (const dir of [...made].reverse()) await removeDir(dir, path.join(dir, 'cgroup.procs'));
    };
    try {
      for (const dir of Object.values(dirs)) {
        mkdirSync(dir);
        made.push(dir);
      }
      writeFileSync(path.join(dirs.memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      // With swap accounting, memory + swap gets the same bound, so a run cannot page its way past the limit.
      const memsw = path.join(dirs.memory, 'memory.memsw.limit_in_bytes');
      if (existsSync(memsw)) writeFileSync(memsw, String(limits.memoryBytes));
      writeFileSync(path.join(dirs.pids, 'pids.max'), String(limits.processes));
    } catch (error) {
      void removeAll();
      throw error;
    }
    const procsFiles = Object.values(dirs).map((dir) => path.join(dir, 'cgroup.procs'));
    return {
      procsFiles,
      cpuMs: () => readNumber(path.join(dirs.cpuacct, 'cpuacct.usage')) / 1e6,
      oomKilled: () => readKeyed(path.join(dirs.memory, 'memory.oom_control'), 'oom_kill') > 0,
      killAll: () => {
        for (const file of procsFiles) killPids(file);
      },
      remove: removeAll,
    };
  };
  const swept = Promise.all(sweeps).then(() => undefined);
  return { ok: true, cgroups: { kind: 'cgroup-v1', create, swept } };
}

function v2(root: string): CgroupDetection {
  const own = ownPaths().get('') ?? '/';
  // A v2 group that holds processes cannot delegate controllers to children ("no internal processes"), so our own
  // group only works when it is the root; otherwise the root of the hierarchy is tried (we are root, no systemd).
  const candidates = [...new Set([path.join(root, own), root])];
  let reason = 'no writable cgroup v2 group';
  for (const candidate of candidates) {
    const parent = path.join(candidate, 'tandem-sandbox');
    let swept: Promise<void>;
    try {
      const available = readFileSync(path.join(candidate, 'cgroup.controllers'), 'utf8').split(/\s+/);
      for (const needed of ['memory', 'pids', 'cpu']) {
        if (!available.includes(needed)) throw new Error(`the ${needed} controller is not available`);
      }
      writeFileSync(path.join(candidate, 'cgroup.subtree_control'), '+memory +pids +cpu');
      if (!existsSync(parent)) mkdirSync(parent);
      swept = sweep(parent);
      writeFileSync(path.join(parent, 'cgroup.subtree_control'), '+memory +pids +cpu');
    } catch (error) {
      reason = `cannot use ${candidate}: ${(error as Error).message}`;
      continue;
    }
    const create = (limits: RunCgroupLimits): RunCgroup => {
      const dir = path.join(parent, groupName());
      mkdirSync(dir);
      try {
        writeFileSync(path.join(dir, 'memory.max'), String(limits.memoryBytes));
        const swap = path.join(dir, 'memory.swap.max');
        if (existsSync(swap)) writeFileSync(swap, '0');
        writeFileSync(path.join(dir, 'pids.max'), String(limits.processes));
      } catch (error) {
        void removeDir(dir, path.join(dir, 'cgroup.procs'));
        throw error;
      }
      const procs = path.join(dir, 'cgroup.procs');
      const killAll = () => {
        try {
          writeFileSync(path.join(dir, 'cgroup.kill'), '1');
        } catch {
          killPids(procs);
        }
      };
      return {
        procsFiles: [procs],
        cpuMs: () => readKeyed(path.join(dir, 'cpu.stat'), 'usage_usec') / 1000,
        oomKilled: () => readKeyed(path.join(dir, 'memory.events'), 'oom_kill') > 0,
        killAll,
        remove: () => {
          killAll();
          return removeDir(dir, procs);
        },
      };
    };
    return { ok: true, cgroups: { kind: 'cgroup-v2', create, swept } };
  }
  return { ok: false, reason };
}

/** Which cgroup hierarchy this machine lets us use for per-run limits, if any. */
export function detectCgroups(root = '/sys/fs/cgroup'): CgroupDetection {
  try {
    if (existsSync(path.join(root, 'cgroup.controllers'))) return v2(root);
    if (existsSync(path.join(root, 'memory'))) return v1(root);
    return { ok: false, reason: `no cgroup hierarchy at ${root}` };
  } catch (error) {
    return { ok: false, reason: `cgroups unusable: ${(error as Error).message}` };
  }
}
