// The start-up self-check: real runs through the real sandbox that prove, on this machine, the properties the
// runner promises (no network, no capabilities, the host's processes and data invisible, limits enforced). Any
// failure makes the sandbox refuse every run.
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import type { SandboxResult, SandboxRunSpec } from '@tandem/core';

export interface SelfCheckResult {
  name: string;
  ok: boolean;
  detail?: string;
}

// Each probe prints `name ok|fail detail`. bash's /dev/tcp opens real TCP connections without other tools.
const PROBE_SCRIPT = `
port=$1; datadir=$2; home=$3; environ_hash=$4; fsize=$5
cap=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
case "$cap" in *[!0]*|'') echo "no-capabilities fail CapEff=$cap";; *) echo "no-capabilities ok CapEff=$cap";; esac
if timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port" 2>/dev/null; then
  echo "no-network-loopback fail reached the host's 127.0.0.1:$port"
else echo "no-network-loopback ok host listener unreachable"; fi
if timeout 2 bash -c 'exec 3<>/dev/tcp/1.1.1.1/53' 2>/dev/null; then
  echo "no-network-internet fail reached 1.1.1.1:53"
else echo "no-network-internet ok"; fi
if [ -e "$datadir" ]; then echo "data-dir-invisible fail $datadir exists"; else echo "data-dir-invisible ok"; fi
if [ -e "$home" ]; then echo "home-invisible fail $home exists"; else echo "home-invisible ok"; fi
inner=$(sha256sum /proc/1/environ 2>/dev/null | cut -d' ' -f1)
if [ -n "$environ_hash" ] && [ "$inner" = "$environ_hash" ]; then echo "host-environ-unreadable fail"; else echo "host-environ-unreadable ok"; fi
echo "pidns $(readlink /proc/self/ns/pid)"
echo "ulimit-n $(ulimit -n)"
(head -c $((fsize + 65536)) /dev/zero > /tmp/fsize-probe) 2>/dev/null
echo "fsize-written $(wc -c < /tmp/fsize-probe)"
`;

function hostEnvironHash(): string {
  try {
    return createHash('sha256').update(readFileSync('/proc/1/environ')).digest('hex');
  } catch {
    return '';
  }
}

export async function selfCheck(options: {
  run: (spec: SandboxRunSpec) => Promise<SandboxResult>;
  dataDir: string;
  cgroups: boolean;
}): Promise<SelfCheckResult[]> {
  const checks: SelfCheckResult[] = [];
  // A real listener on the host's loopback: reaching it from inside would mean the network is shared.
  const listener = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const openFiles = 64;
  const fileSizeBytes = 1024 * 1024;
  let probe: SandboxResult;
  try {
    probe = await options.run({
      command: [
        'bash',
        '-c',
        PROBE_SCRIPT,
        'probe',
        String(port),
        options.dataDir,
        homedir(),
        hostEnvironHash(),
        String(fileSizeBytes),
      ],
      files: new Map(),
      // The probe itself takes a few seconds; the wall time only has to survive a machine busy with other work.
      limits: { wallMs: 30_000, openFiles, fileSizeBytes },
    });
  } finally {
    listener.close();
  }
  const lines = new Map<string, string>();
  for (const line of probe.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) lines.set(line.slice(0, space), line.slice(space + 1));
  }
  for (const name of [
    'no-capabilities',
    'no-network-loopback',
    'no-network-internet',
    'data-dir-invisible',
    'home-invisible',
    'host-environ-unreadable',
  ]) {
    const value = lines.get(name);
    if (value === undefined) {
      checks.push({ name, ok: false, detail: `no answer (${probe.end}: ${probe.stderr.slice(0, 200)})` });
      continue;
    }
    const [verdict = '', ...rest] = value.split(' ');
    checks.push({ name, ok: verdict === 'ok', ...(rest.length > 0 ? { detail: rest.join(' ') } : {}) });
  }
  const hostPidNs = readlinkSync('/proc/self/ns/pid');
  const innerPidNs = lines.get('pidns');
  checks.push({
    name: 'own-pid-namespace',
    ok: innerPidNs !== undefined && innerPidNs !== hostPidNs,
    detail: innerPidNs ?? 'no answer',
  });
  const nofile = lines.get('ulimit-n');
  // Writing 64 KB past the file size limit must stop at the limit.
  const written = Number(lines.get('fsize-written') ?? NaN);
  checks.push({
    name: 'rlimits',
    ok: nofile === String(openFiles) && written > 0 && written <= fileSizeBytes,
    detail: `open files ${nofile ?? '?'} of ${openFiles}; wrote ${written} bytes of a file limited to ${fileSizeBytes}`,
  });

  if (options.cgroups) {
    // A shell building a 64 MB string under a 24 MB limit must be killed by the memory cgroup.
    const memory = await options.run({
      command: ['sh', '-c', 'x=$(head -c 67108864 /dev/zero | tr "\\0" a); echo survived ${#x}'],
      files: new Map(),
      limits: { wallMs: 30_000, memoryBytes: 24 * 1024 * 1024 },
    });
    checks.push({
      name: 'memory-limit',
      ok: memory.end === 'memory',
      detail: `a 64 MB allocation under a 24 MB limit ended with ${memory.end}`,
    });
  }
  return checks;
}
