import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The processes of an embedded cluster besides the one that starts it. */
export type ClusterRole = 'coordinator' | 'worker';

export const clusterRoles: readonly ClusterRole[] = ['coordinator', 'worker'];

/** How to start one child process: the executable, its arguments and its working directory. */
export interface ChildCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/** Says how {@link startEmbeddedCluster}'s coordinator and workers are started (the environment is the cluster's). */
export type ChildLauncher = (role: ClusterRole) => ChildCommand;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The default: this Node with tsx running the app's `main.ts` from the checkout (`apps/<role>/src/main.ts`), in the
 * repository root. Needs the checkout's node_modules.
 */
export const tsxChildLauncher: ChildLauncher = (role) => ({
  command: process.execPath,
  args: ['--import', 'tsx', path.join(REPO_ROOT, 'apps', role, 'src', 'main.ts')],
  cwd: REPO_ROOT,
});

/** The argument that tells a script started by {@link selfChildLauncher} which role it plays. */
export const ROLE_FLAG = '--tessera-role';

/**
 * Starts each child as `script` run again by this Node with `--tessera-role <role>` (and `execArgv`, e.g. a
 * loader), in `cwd`. For a program that carries the coordinator and the worker itself, such as an esbuild bundle
 * with no node_modules or tsx beside it: its entry reads the role with {@link roleFromArgv} and runs that process.
 */
export function selfChildLauncher(script: string, options: { execArgv?: readonly string[]; cwd?: string } = {}): ChildLauncher {
  const execArgv = options.execArgv ?? process.execArgv;
  const cwd = options.cwd ?? process.cwd();
  return (role) => ({ command: process.execPath, args: [...execArgv, script, ROLE_FLAG, role], cwd });
}

/**
 * The role `argv` asks for (`--tessera-role coordinator|worker`), or undefined when there is no such flag (the
 * process is the launcher itself). An unknown or missing role is an error naming the flag.
 */
export function roleFromArgv(argv: readonly string[]): ClusterRole | undefined {
  const at = argv.indexOf(ROLE_FLAG);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  const role = clusterRoles.find((r) => r === value);
  if (role === undefined) throw new Error(`${ROLE_FLAG} must be one of ${clusterRoles.join(', ')}, got ${value === undefined ? 'nothing' : `"${value}"`}`);
  return role;
}
