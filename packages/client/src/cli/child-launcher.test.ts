import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { roleFromArgv, ROLE_FLAG, selfChildLauncher, tsxChildLauncher } from './child-launcher.ts';

describe('tsxChildLauncher', () => {
  it.each(['coordinator', 'worker'] as const)('runs the %s app main.ts from the checkout with tsx, in the repository root', (role) => {
    const { command, args, cwd } = tsxChildLauncher(role);
    expect(command).toBe(process.execPath);
    expect(args.slice(0, 2)).toEqual(['--import', 'tsx']);
    expect(args[2]).toBe(`${cwd}/apps/${role}/src/main.ts`);
    expect(existsSync(args[2]!)).toBe(true);
  });
});

describe('selfChildLauncher', () => {
  it('re-runs the script with its role after the given execArgv, in the given directory', () => {
    const launch = selfChildLauncher('/opt/cluster/job.js', { execArgv: ['--enable-source-maps'], cwd: '/tmp/run' });
    expect(launch('worker')).toEqual({
      command: process.execPath,
      args: ['--enable-source-maps', '/opt/cluster/job.js', ROLE_FLAG, 'worker'],
      cwd: '/tmp/run',
    });
    expect(launch('coordinator').args.slice(-2)).toEqual([ROLE_FLAG, 'coordinator']);
  });

  it("defaults to this process's execArgv and working directory", () => {
    expect(selfChildLauncher('job.js')('worker')).toEqual({
      command: process.execPath,
      args: [...process.execArgv, 'job.js', ROLE_FLAG, 'worker'],
      cwd: process.cwd(),
    });
  });
});

describe('roleFromArgv', () => {
  it('reads the role the launcher passed, and nothing when there is no role flag', () => {
    const args = selfChildLauncher('job.js', { execArgv: [] })('coordinator').args;
    expect(roleFromArgv(['node', ...args])).toBe('coordinator');
    expect(roleFromArgv(['node', 'job.js', '--gpu', '1', ROLE_FLAG, 'worker'])).toBe('worker');
    expect(roleFromArgv(['node', 'job.js'])).toBeUndefined();
  });

  it('rejects an unknown or missing role, naming the flag', () => {
    expect(() => roleFromArgv(['node', 'job.js', ROLE_FLAG, 'scheduler'])).toThrow(/--tessera-role must be one of coordinator, worker, got "scheduler"/);
    expect(() => roleFromArgv(['node', 'job.js', ROLE_FLAG])).toThrow(/got nothing/);
  });
});
