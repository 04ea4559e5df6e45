import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the coordinator's public gRPC API listens: `TESSERA_COORDINATOR` when set, else the address an embedded
 * cluster writes to `<TESSERA_DATA_DIR or .tessera>/coordinator.json`. Read on every call (a few microseconds)
 * because an embedded cluster rewrites that file with a new port when it restarts.
 */
export function coordinatorAddress(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TESSERA_COORDINATOR) return env.TESSERA_COORDINATOR;
  const file = path.join(path.resolve(/*turbopackIgnore: true*/ env.TESSERA_DATA_DIR || '.tessera'), 'coordinator.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new Error(`no coordinator address: set TESSERA_COORDINATOR or start a cluster that writes ${file}`, { cause });
  }
  const parsed = JSON.parse(text) as { address?: unknown };
  if (typeof parsed.address !== 'string' || parsed.address === '') throw new Error(`${file} has no "address"`);
  return parsed.address;
}
