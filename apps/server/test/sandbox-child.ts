// A server stand-in for the sandbox tests: starts one long sandbox run and says so, then waits to be killed.
import { createBwrapSandbox } from '../src/sandbox/bwrap.ts';

const [dataDir = '', marker = ''] = process.argv.slice(2);
const sandbox = createBwrapSandbox({ searchPath: process.env.PATH ?? '/usr/bin:/bin', dataDir });
await sandbox.ready;
void sandbox.run({
  command: ['sh', '-c', `echo started; exec sleep ${marker}`],
  files: new Map(),
  limits: { wallMs: 600_000 },
  onOutput: (chunk) => {
    if (chunk.includes('started')) process.stdout.write('running\n');
  },
});
