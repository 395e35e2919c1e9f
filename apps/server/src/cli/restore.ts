// `pnpm --filter @tandem/server restore --from <file>`: puts a backup into an empty instance (a new TANDEM_DATA_DIR,
// or an empty database at DATABASE_URL). Start the server afterwards.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BackupError, restoreBackup } from '../backup/backup.ts';
import { invocationDir, loadConfig } from '../env.ts';

const usage = 'Usage: pnpm --filter @tandem/server restore --from <file.tar.gz>';
let from: string | undefined;
try {
  from = parseArgs({ options: { from: { type: 'string' } } }).values.from;
} catch {
  from = undefined;
}
if (!from) {
  console.error(usage);
  process.exit(2);
}
const file = path.resolve(invocationDir(), from);
try {
  const config = loadConfig();
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new BackupError(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const { manifest, secretKeyWarning } = await restoreBackup(config, bytes);
  const into = config.databaseUrl ? 'the database DATABASE_URL names' : config.dataDir;
  console.log(`Restored the backup of ${manifest.createdAt} into ${into}.`);
  if (secretKeyWarning) console.warn(`Warning: ${secretKeyWarning}`);
} catch (error) {
  console.error(error instanceof BackupError ? error.message : error);
  process.exitCode = 1;
}
