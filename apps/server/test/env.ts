// Test-only view of the environment: which real services this run may use.
export const testEnv = {
  databaseUrl: process.env.DATABASE_URL || undefined,
  redisUrl: process.env.REDIS_URL || undefined,
};
