import * as grpc from '@grpc/grpc-js';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@tessera/core/time/clock';
import { MemoryJobStore } from '../store/memory-job-store.ts';
import { AccountService, validateNewUser } from './account-service.ts';
import { hashSecret, TokenAuthenticator, type Principal } from './token-auth.ts';

const HOUR = 60 * 60 * 1000;
const bearer = (token: string) => {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
};

describe('accounts and sessions', () => {
  let clock: FakeClock;
  let store: MemoryJobStore;
  let accounts: AccountService;
  let auth: TokenAuthenticator;
  let apiCaller: Principal;

  beforeEach(async () => {
    clock = new FakeClock(Date.UTC(2030, 0, 1));
    store = new MemoryJobStore({ now: () => new Date(clock.now()) });
    accounts = new AccountService(store, { sessionTtlMs: 12 * HOUR, clock });
    auth = new TokenAuthenticator(store, clock);
    await store.addApiToken({ name: 'api', scope: 'api', secretHash: hashSecret('api-secret') });
    await store.addApiToken({ name: 'join', scope: 'join', secretHash: hashSecret('join-secret') });
    apiCaller = await auth.authenticate(bearer('api-secret'), 'api');
    await accounts.createUser(apiCaller, { username: 'alice', password: 'alice password 1', role: 'admin' });
    await accounts.createUser(apiCaller, { username: 'bob', password: 'bob password 12', role: '' });
  });

  it('signs in with the right password and gives the same answer for a wrong password and an unknown user', async () => {
    const session = await accounts.login('alice', 'alice password 1');
    expect(session.token).toMatch(/^tsr_session_/);
    expect(session.user).toMatchObject({ username: 'alice', role: 'admin' });
    expect(session.expiresAt.getTime()).toBe(clock.now() + 12 * HOUR);
    const wrong = accounts.login('alice', 'alice password 2');
    const unknown = accounts.login('mallory', 'alice password 1');
    await expect(wrong).rejects.toMatchObject({ error: { kind: 'Unauthenticated', message: 'invalid username or password' } });
    await expect(unknown).rejects.toMatchObject({ error: { kind: 'Unauthenticated', message: 'invalid username or password' } });
    await expect(accounts.login('', 'x')).rejects.toMatchObject({ error: { kind: 'InvalidArgument', field: 'username' } });
  });

  it('opens the API with a session until it expires (fake clock), and never the worker API', async () => {
    const session = await accounts.login('bob', 'bob password 12');
    const principal = await auth.authenticate(bearer(session.token), 'api');
    expect(principal).toMatchObject({ kind: 'session', username: 'bob' });
    await expect(auth.authenticate(bearer(session.token), 'join')).rejects.toMatchObject({ error: { kind: 'Unauthenticated', message: expect.stringContaining('session token') as string } });
    clock.advance(12 * HOUR - 1);
    await auth.authenticate(bearer(session.token), 'api');
    clock.advance(1);
    await expect(auth.authenticate(bearer(session.token), 'api')).rejects.toMatchObject({ error: { kind: 'Unauthenticated', message: expect.stringContaining('expired') as string } });
  });

  it('gives a shorter session when asked, never a longer one', async () => {
    expect((await accounts.login('bob', 'bob password 12', 60)).expiresAt.getTime()).toBe(clock.now() + 60_000);
    expect((await accounts.login('bob', 'bob password 12', 10 ** 9)).expiresAt.getTime()).toBe(clock.now() + 12 * HOUR);
  });

  it('ends a session on logout, at once, and refuses logout for an API token', async () => {
    const session = await accounts.login('bob', 'bob password 12');
    const principal = await auth.authenticate(bearer(session.token), 'api');
    await accounts.logout(principal);
    await expect(auth.authenticate(bearer(session.token), 'api')).rejects.toMatchObject({ error: { kind: 'Unauthenticated' } });
    await expect(accounts.logout(apiCaller)).rejects.toMatchObject({ error: { kind: 'NotASession' } });
  });

  it('keeps join tokens out of the API and API tokens out of the worker API', async () => {
    await expect(auth.authenticate(bearer('join-secret'), 'api')).rejects.toMatchObject({ error: { kind: 'Unauthenticated', message: expect.stringContaining('join token') as string } });
    await expect(auth.authenticate(bearer('api-secret'), 'join')).rejects.toMatchObject({ error: { kind: 'Unauthenticated' } });
    await expect(auth.authenticate(new grpc.Metadata(), 'api')).rejects.toMatchObject({ error: { kind: 'Unauthenticated', message: expect.stringContaining('missing token') as string } });
  });

  it('lets an API token or an admin session manage users, and refuses a member', async () => {
    const admin = await auth.authenticate(bearer((await accounts.login('alice', 'alice password 1')).token), 'api');
    const member = await auth.authenticate(bearer((await accounts.login('bob', 'bob password 12')).token), 'api');
    expect(await accounts.whoAmI(admin)).toEqual({ username: 'alice', role: 'admin' });
    expect(await accounts.whoAmI(member)).toEqual({ username: 'bob', role: 'member' });
    expect(await accounts.whoAmI(apiCaller)).toEqual({ username: '', role: 'admin' });
    await accounts.createUser(admin, { username: 'carol', password: 'carol password', role: 'member' });
    await expect(accounts.createUser(member, { username: 'dave', password: 'dave password 1', role: 'admin' })).rejects.toMatchObject({ error: { kind: 'PermissionDenied' } });
    await expect(accounts.listUsers(member)).rejects.toMatchObject({ error: { kind: 'PermissionDenied' } });
    expect((await accounts.listUsers(apiCaller)).map((u) => [u.username, u.role])).toEqual([['alice', 'admin'], ['bob', 'member'], ['carol', 'member']]);
    await expect(accounts.createUser(admin, { username: 'carol', password: 'another password', role: '' })).rejects.toMatchObject({ error: { kind: 'UserAlreadyExists', username: 'carol' } });
    expect((await store.getUser('carol'))?.passwordHash).toMatch(/^scrypt\$/);
  });

  it('names the field at fault in a new user', () => {
    const ok = { username: 'erin', password: 'twelve chars', role: 'member' };
    expect(validateNewUser(ok)).toBe('member');
    expect(validateNewUser({ ...ok, role: '' })).toBe('member');
    for (const [input, field] of [
      [{ ...ok, password: 'eleven char' }, 'password'],
      [{ ...ok, username: 'Erin' }, 'username'],
      [{ ...ok, username: 'e' }, 'username'],
      [{ ...ok, username: '1erin' }, 'username'],
      [{ ...ok, username: 'erin/../x' }, 'username'],
      [{ ...ok, role: 'root' }, 'role'],
    ] as const) {
      expect(() => validateNewUser(input)).toThrow(expect.objectContaining({ error: expect.objectContaining({ kind: 'InvalidArgument', field }) as unknown }) as Error);
    }
  });
});
