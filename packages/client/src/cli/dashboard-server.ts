import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const DASHBOARD_DIR = path.join(REPO_ROOT, 'apps/dashboard');
const NEXT_BIN = path.join(DASHBOARD_DIR, 'node_modules/next/dist/bin/next');
/** Sources a production build depends on; a build older than any of them is rebuilt. */
const BUILD_INPUTS = ['apps/dashboard/src', 'apps/dashboard/next.config.ts', 'packages/client/src', 'packages/core/src', 'packages/proto/src', 'proto'];

export interface DashboardServer {
  url: string;
  /** How long `next build` took in this run, or null when the existing build was current. */
  buildMs: number | null;
  close(): Promise<void>;
}

/**
 * A production dashboard (`next build` when the build is missing or stale, then `next start` on loopback: `port`, or
 * a free one) pointed at a cluster through `TESSERA_DATA_DIR` (it reads coordinator.json there, as in embedded mode).
 * Used by `tessera up` / `quickstart`, the end-to-end tests and the dashboard benchmark.
 */
export async function startDashboard(options: { dataDir: string; logFile: string; env?: NodeJS.ProcessEnv; port?: number }): Promise<DashboardServer> {
  let buildMs: number | null = null;
  if (await buildIsStale()) {
    const started = performance.now();
    await run(['build'], options.logFile);
    buildMs = performance.now() - started;
  }
  const port = options.port ?? (await freePort());
  const child = spawnNext(['start', '-p', String(port), '-H', '127.0.0.1'], options.logFile, { TESSERA_DATA_DIR: options.dataDir, ...options.env });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(`${url}/sign-in`, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    buildMs,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function spawnNext(args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: DASHBOARD_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function run(args: string[], logFile: string): Promise<void> {
  const child = spawnNext(args, logFile);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`next ${args.join(' ')} exited with ${code}; see ${logFile}`);
}

async function buildIsStale(): Promise<boolean> {
  const built = await stat(path.join(DASHBOARD_DIR, '.next/BUILD_ID')).catch(() => undefined);
  if (!built) return true;
  for (const input of BUILD_INPUTS) {
    if ((await newestMtime(path.join(REPO_ROOT, input))) > built.mtimeMs) return true;
  }
  return false;
}

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target)) {
    if (entry === 'node_modules' || entry === '.next') continue;
    newest = Math.max(newest, await newestMtime(path.join(target, entry)));
  }
  return newest;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the dashboard did not answer at ${url} within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
