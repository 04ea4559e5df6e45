import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobStore } from '../store/job-store.ts';
import { hashSecret, newSecret, type TokenScope } from './token-auth.ts';

export interface BootstrappedToken {
  scope: TokenScope;
  /** Where the secret is (a 0600 file under the data dir), or 'environment'. */
  source: string;
}

/**
 * Makes sure an API token and a join token exist. Tokens given in the environment (`TESSERA_API_TOKEN`,
 * `TESSERA_JOIN_TOKEN`) are registered as they are; otherwise each is read from, or created in, a file readable only
 * by its owner under the data dir. Only hashes reach the database. There is no default token.
 */
export async function bootstrapTokens(store: JobStore, dataDir: string, env: NodeJS.ProcessEnv): Promise<BootstrappedToken[]> {
  const result: BootstrappedToken[] = [];
  for (const scope of ['api', 'join'] as const) {
    const fromEnv = env[scope === 'api' ? 'TESSERA_API_TOKEN' : 'TESSERA_JOIN_TOKEN'];
    let secret = fromEnv;
    let source = 'environment';
    if (!secret) {
      source = path.join(dataDir, `${scope}-token`);
      secret = await readFile(source, 'utf8').then((s) => s.trim()).catch(() => undefined);
      if (!secret) {
        secret = newSecret(scope);
        await mkdir(dataDir, { recursive: true });
        await writeFile(source, secret + '\n', { mode: 0o600 });
        await chmod(source, 0o600);
      }
    }
    const hash = hashSecret(secret);
    if (!(await store.findApiToken(hash))) await store.addApiToken({ name: `${scope} (${source})`, scope, secretHash: hash });
    result.push({ scope, source });
  }
  return result;
}
