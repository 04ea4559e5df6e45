import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraClient } from '@tessera/client/tessera-client';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../packages/client/src/cli/main.ts');

/** The TesseraClientError kind and message a call rejects with. */
async function failure(call: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await call;
  } catch (err) {
    return { kind: (err as { kind: string }).kind, message: (err as Error).message };
  }
  throw new Error('expected the call to fail');
}

describe('users and sessions against a real coordinator', () => {
  let tc: TestCluster;
  let anonymous: TesseraClient;
  let adminPassword: string;

  beforeAll(async () => {
    tc = await startTestCluster({ workers: 0, label: 'auth' });
    anonymous = new TesseraClient({ address: tc.cluster.address, token: '' });
    adminPassword = tc.cluster.adminPassword ?? '';
  });
  afterAll(async () => {
    anonymous?.close();
    await tc?.close();
  });

  it('creates user admin with a random password on the first start, written nowhere under the data dir', async () => {
    expect(adminPassword).toMatch(/^[\w-]{24}$/);
    expect((await tc.client.listUsers()).map((u) => [u.username, u.role])).toEqual([['admin', 'admin']]);
    for (const entry of await readdir(tc.dataDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.parentPath.includes(`${path.sep}db`)) continue;
      expect(await readFile(path.join(entry.parentPath, entry.name), 'utf8'), entry.name).not.toContain(adminPassword);
    }
  });

  it('signs in with the right password and refuses a wrong password and an unknown user alike', async () => {
    const session = await anonymous.login('admin', adminPassword);
    expect(session.sessionToken).toMatch(/^tsr_session_/);
    expect(session.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(Date.parse(session.expiresAt) - Date.now()).toBeGreaterThan(11 * 3600_000);
    const wrong = await failure(anonymous.login('admin', `${adminPassword}x`));
    const unknown = await failure(anonymous.login('nobody', adminPassword));
    expect(wrong).toEqual({ kind: 'Unauthenticated', message: 'invalid username or password' });
    expect(unknown).toEqual(wrong);
    expect(await failure(anonymous.listJobs())).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('missing token') as string });
  });

  it('opens the job API with a session, and closes it on logout', async () => {
    const { sessionToken } = await anonymous.login('admin', adminPassword);
    const user = tc.client.withToken(sessionToken);
    expect(await user.whoAmI()).toMatchObject({ username: 'admin', role: 'admin', tokenKind: 'session' });
    expect(await user.listJobs()).toEqual([]);
    expect(await user.listDatasets()).toEqual([]);
    expect(await tc.client.whoAmI()).toEqual({ username: '', role: 'admin', tokenKind: 'api', expiresAt: '' });
    await user.logout();
    expect(await failure(user.listJobs())).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('signed out') as string });
    expect(await failure(user.logout())).toMatchObject({ kind: 'Unauthenticated' });
    expect(await failure(tc.client.logout())).toMatchObject({ kind: 'FailedPrecondition' });
  });

  it('stops accepting a session once it expires', async () => {
    const { sessionToken, expiresAt } = await anonymous.login('admin', adminPassword, { ttlSeconds: 1 });
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(1000);
    const user = tc.client.withToken(sessionToken);
    let last: { kind: string; message: string } | undefined;
    while (!last) {
      last = await user.listJobs().then(() => undefined, (err: Error & { kind: string }) => ({ kind: err.kind, message: err.message }));
      if (!last) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(last).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('expired') as string });
  });

  it('lets an admin create users, refuses a member, and names the field at fault', async () => {
    const admin = tc.client.withToken((await anonymous.login('admin', adminPassword)).sessionToken);
    expect(await admin.createUser({ username: 'mia', password: 'mia member pw' })).toMatchObject({ username: 'mia', role: 'member' });
    const member = tc.client.withToken((await anonymous.login('mia', 'mia member pw')).sessionToken);
    expect(await member.whoAmI()).toMatchObject({ username: 'mia', role: 'member', tokenKind: 'session' });
    expect(await member.listJobs()).toEqual([]);
    expect(await failure(member.createUser({ username: 'eve', password: 'eve password 1', role: 'admin' })))
      .toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('mia is a member') as string });
    expect(await failure(member.listUsers())).toMatchObject({ kind: 'PermissionDenied' });
    expect(await failure(admin.createUser({ username: 'mia', password: 'another password' }))).toEqual({ kind: 'AlreadyExists', message: 'user mia already exists' });
    expect(await failure(admin.createUser({ username: 'weak', password: 'short' }))).toMatchObject({ kind: 'InvalidArgument', message: expect.stringContaining('invalid password: too short') as string });
    expect(await failure(admin.createUser({ username: 'Bad Name', password: 'long enough pw' }))).toMatchObject({ kind: 'InvalidArgument', message: expect.stringContaining('invalid username') as string });
    expect((await tc.client.listUsers()).map((u) => u.username)).toEqual(['admin', 'mia']);
  });

  it('keeps the join token out of the job and auth APIs', async () => {
    const joinToken = (await readFile(path.join(tc.dataDir, 'join-token'), 'utf8')).trim();
    const join = tc.client.withToken(joinToken);
    for (const call of [join.listJobs(), join.whoAmI(), join.createUser({ username: 'intruder', password: 'intruder pw 1' })]) {
      expect(await failure(call)).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('this token is a join token') as string });
    }
    // A join token is not a password either.
    expect(await failure(anonymous.login('admin', joinToken))).toMatchObject({ kind: 'Unauthenticated', message: 'invalid username or password' });
  });

  it('creates users from the CLI with a given or a generated password', async () => {
    const cli = (args: string[], env: NodeJS.ProcessEnv) =>
      run(process.execPath, ['--import', 'tsx', CLI, '--data-dir', tc.dataDir, ...args], { env: { ...process.env, TESSERA_COORDINATOR: '', TESSERA_API_TOKEN: '', ...env } });
    const given = await cli(['user', 'create', 'ops', '--admin'], { TESSERA_NEW_PASSWORD: 'ops password 123' });
    expect(given.stdout).toContain('created admin ops');
    expect(given.stdout).not.toContain('ops password 123');
    expect((await anonymous.login('ops', 'ops password 123')).user.role).toBe('admin');
    const generated = await cli(['user', 'create', 'dana'], { TESSERA_NEW_PASSWORD: '' });
    const password = /password: (\S+)/.exec(generated.stdout)?.[1] ?? '';
    expect(password).toMatch(/^[\w-]{24}$/);
    expect((await anonymous.login('dana', password)).user).toMatchObject({ username: 'dana', role: 'member' });
  });
});
