// `pnpm --filter @tandem/server admin <email> [--revoke]`: grant (or revoke) instance admin from the shell.
import { openDatabase } from '../db/client.ts';
import { loadConfig } from '../env.ts';
import { setAdmin } from '../services/accounts.ts';

const args = process.argv.slice(2);
const email = args.find((a) => !a.startsWith('--'));
if (!email) {
  console.error('Usage: pnpm --filter @tandem/server admin <email> [--revoke]');
  process.exit(2);
}
const grant = !args.includes('--revoke');
const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const user = await setAdmin({ db: database.db }, { email }, grant, null);
  console.log(`${user.email} is ${grant ? 'now' : 'no longer'} an instance admin.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await database.close();
}
