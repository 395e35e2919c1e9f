// Lines up the slowest edits of a bench trace (BENCH_ARCHIVE_TRACE) with a server thread's CPU profile (--cpu-prof,
// through BENCH_SERVER_FLAGS): per phase, the thread's busy time by function, then each slow edit with what the
// thread ran while it was on its way. A slow edit while the thread sat idle waited elsewhere (another thread, the
// client, the scheduler); few samples across a long edit mean the whole process was off the CPU.
//
//   node --import tsx bench/profile-edits.ts <trace> <main-thread.cpuprofile> [slow edits per phase, default 8]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [traceFile, profileFile, perPhaseArg] = process.argv.slice(2);
if (!traceFile || !profileFile) throw new Error('usage: profile-edits.ts <trace> <cpuprofile> [count]');
const perPhase = Number(perPhaseArg ?? 8);
const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const nameOf = (id: number) => {
  const frame = nodes.get(id)?.callFrame;
  if (!frame) return '?';
  return `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() ?? ''}:${frame.lineNumber + 1}`;
};
/** The innermost frame from the server's own bundle, which says whose work a native leaf was. */
const ownFrame = (id: number) => {
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    if (/tandem-server|chunk-|archive-worker/.test(nodes.get(at)?.callFrame.url ?? '')) return nameOf(at);
  }
  return '-';
};
const idle = (id: number) => nodes.get(id)?.callFrame.functionName === '(idle)';

let clock = profile.startTime;
const samples = profile.samples.map((id, i) => {
  clock += profile.timeDeltas[i] ?? 0;
  return { id, at: clock, us: profile.timeDeltas[i + 1] ?? 0 };
});
const edits = readFileSync(traceFile, 'utf8')
  .trim()
  .split('\n')
  .map((line) => {
    const [at = '0', ms = '0', phase = '?'] = line.split(' ');
    return { at: Number(at), ms: Number(ms), phase };
  });

/** Busy microseconds by leaf function (and own frame) over samples in [from, to]. */
function busy(from: number, to: number): { total: number; top: [string, number][]; count: number } {
  const byName = new Map<string, number>();
  let total = 0;
  let count = 0;
  for (const sample of samples) {
    if (sample.at < from || sample.at > to) continue;
    count += 1;
    if (idle(sample.id)) continue;
    const key = `${nameOf(sample.id)} [${ownFrame(sample.id)}]`;
    byName.set(key, (byName.get(key) ?? 0) + sample.us);
    total += sample.us;
  }
  return { total, top: [...byName].sort((a, b) => b[1] - a[1]), count };
}

const seconds = (at: number) => `${((at - profile.startTime) / 1e6).toFixed(2)}s`;
const ms = (us: number) => (us / 1000).toFixed(1);
for (const phase of [...new Set(edits.map((edit) => edit.phase))]) {
  const list = edits.filter((edit) => edit.phase === phase);
  const first = list[0];
  const last = list.at(-1);
  if (!first || !last) continue;
  const span = busy(first.at, last.at + last.ms * 1000);
  console.log(
    `\n=== ${phase}: ${list.length} edits ${seconds(first.at)}..${seconds(last.at)}, busy ${ms(span.total)} ms`,
  );
  for (const [name, us] of span.top.slice(0, 12)) console.log(`${ms(us).padStart(9)}  ${name}`);
  console.log('  slowest edits:');
  for (const edit of [...list].sort((a, b) => b.ms - a.ms).slice(0, perPhase)) {
    const window = busy(edit.at - 2000, edit.at + edit.ms * 1000);
    const top = window.top
      .slice(0, 3)
      .map(([name, us]) => `${ms(us)} ${name}`)
      .join(' | ');
    console.log(
      `  ${edit.ms.toFixed(1)} ms @${seconds(edit.at)}: busy ${ms(window.total)} in ${window.count} samples: ${top}`,
    );
  }
}
