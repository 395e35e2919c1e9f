// `pnpm --filter @tandem/server backup --out <file>`: a backup of the instance TANDEM_DATA_DIR / DATABASE_URL name,
// taken while it runs (see backup/backup.ts for what it holds and what it leaves out).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BackupError, takeBackup } from '../backup/backup.ts';
import { invocationDir, loadConfig } from '../env.ts';

const usage = 'Usage: pnpm --filter @tandem/server backup --out <file.tar.gz>';
let out: string | undefined;
try {
  out = parseArgs({ options: { out: { type: 'string' } } }).values.out;
} catch {
  out = undefined;
}
if (!out) {
  console.error(usage);
  process.exit(2);
}
const file = path.resolve(invocationDir(), out);
try {
  const { manifest, bytes, via } = await takeBackup(loadConfig());
  writeFileSync(file, bytes, { mode: 0o600 });
  const how = { server: 'from the running server', offline: 'no server was running', pg_dump: 'pg_dump' }[
    via
  ];
  console.log(
    `Backed up the ${manifest.database} database and git repositories to ${file} (${bytes.byteLength} bytes, ${how}).`,
  );
  console.log(
    manifest.secretKeyId
      ? `The secret key (id ${manifest.secretKeyId}) is not in the backup: keep a copy of it apart.`
      : 'No secret key exists yet: no secrets are stored.',
  );
} catch (error) {
  console.error(error instanceof BackupError ? error.message : error);
  process.exitCode = 1;
}
