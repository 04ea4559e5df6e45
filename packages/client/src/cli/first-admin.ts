import { randomBytes } from 'node:crypto';
import type { TesseraClient } from '../tessera-client.ts';

/** 18 random bytes as base64url: 24 characters, 144 bits; well past the coordinator's 12-character minimum. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Creates user `admin` with a random password when the coordinator has no users yet, and returns the password
 * (shown once, never written to disk); undefined when users already exist. There is no default password. Needs a
 * client holding an API token. Two racing first starts agree: the loser sees AlreadyExists and returns undefined.
 */
export async function ensureFirstAdmin(client: TesseraClient): Promise<string | undefined> {
  if ((await client.listUsers()).length > 0) return undefined;
  const password = generatePassword();
  try {
    await client.createUser({ username: 'admin', password, role: 'admin' });
  } catch (err) {
    if ((err as { kind?: string }).kind === 'AlreadyExists') return undefined;
    throw err;
  }
  return password;
}
