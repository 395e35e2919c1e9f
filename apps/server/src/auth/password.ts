// argon2id with OWASP's recommended minimum (19 MiB, 2 passes): memory-hard and a few ms per hash.
import { hash, verify } from '@node-rs/argon2';

const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const; // Argon2id is the default algorithm

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Sign-in for an unknown email verifies against this hash, so both paths cost the same time and the response
// time does not reveal whether an account exists.
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('tandem-dummy-password-for-timing');
  return dummy;
}
