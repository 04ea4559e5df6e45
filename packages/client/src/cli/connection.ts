import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface Connection {
  address: string;
  token: string;
}

/**
 * Where to reach the coordinator and with which token: flags, then `TESSERA_COORDINATOR` / `TESSERA_API_TOKEN`,
 * then the files an embedded cluster leaves under its data dir (`coordinator.json`, `api-token`).
 */
export async function resolveConnection(flags: { coordinator?: string; token?: string; dataDir: string }, env: NodeJS.ProcessEnv): Promise<Connection> {
  let address = flags.coordinator || env.TESSERA_COORDINATOR;
  if (!address) {
    const infoFile = path.join(flags.dataDir, 'coordinator.json');
    const info = await readFile(infoFile, 'utf8').then((s) => JSON.parse(s) as { address?: string }).catch(() => undefined);
    address = info?.address;
    if (!address) throw new Error(`no coordinator: pass --coordinator host:port, set TESSERA_COORDINATOR, or start one with "tessera up" (looked for ${infoFile})`);
  }
  let token = flags.token || env.TESSERA_API_TOKEN;
  if (!token) {
    const tokenFile = path.join(flags.dataDir, 'api-token');
    token = await readFile(tokenFile, 'utf8').then((s) => s.trim()).catch(() => undefined);
    if (!token) throw new Error(`no API token: pass --token, set TESSERA_API_TOKEN, or run next to an embedded cluster (looked for ${tokenFile})`);
  }
  return { address, token };
}
