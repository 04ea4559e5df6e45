import { systemClock, type Clock } from '@tessera/core/time/clock';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { JobStore, UserRecord, UserRole } from '../store/job-store.ts';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './password-hash.ts';
import { hashSecret, newSecret, type Principal } from './token-auth.ts';

/** 12 hours: a working day, so a forgotten browser tab does not stay signed in overnight. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;
const USERNAME = /^[a-z][a-z0-9._-]{2,31}$/;
const ROLES: readonly UserRole[] = ['admin', 'member'];

export interface Session {
  token: string;
  expiresAt: Date;
  user: UserRecord;
}

/** Checks a new user's fields; throws InvalidArgument naming the field at fault. */
export function validateNewUser(input: { username: string; password: string; role: string }): UserRole {
  const invalid = (field: string, message: string) => new CoordinatorError({ kind: 'InvalidArgument', field, message });
  if (!USERNAME.test(input.username)) {
    throw invalid('username', `"${input.username}" must be 3-32 characters of a-z, 0-9, '.', '_' or '-', starting with a letter`);
  }
  if (input.password.length < MIN_PASSWORD_LENGTH) throw invalid('password', `too short: at least ${MIN_PASSWORD_LENGTH} characters`);
  if (input.password.length > MAX_PASSWORD_LENGTH) throw invalid('password', `too long: at most ${MAX_PASSWORD_LENGTH} characters`);
  const role = (input.role || 'member') as UserRole;
  if (!ROLES.includes(role)) throw invalid('role', `"${input.role}" is not one of ${ROLES.join(', ')}`);
  return role;
}

/**
 * Users and their sessions. A session is a token of scope `session` stored by hash with its user and expiry, so
 * everything that checks API tokens checks sessions the same way, and logging out is one revocation.
 */
export class AccountService {
  constructor(
    private readonly store: JobStore,
    private readonly options: { sessionTtlMs: number; clock?: Clock },
  ) {}

  private now(): Date {
    return new Date((this.options.clock ?? systemClock).now());
  }

  /**
   * Verifies the password and opens a session. Unknown users cost the same scrypt work as known ones and get the
   * same answer, so neither the message nor the time says which usernames exist.
   */
  async login(username: string, password: string, ttlSeconds = 0): Promise<Session> {
    if (!username) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'username', message: 'required' });
    if (!password) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'password', message: 'required' });
    const user = await this.store.getUser(username);
    const ok = user && password.length <= MAX_PASSWORD_LENGTH
      ? await verifyPassword(password, user.passwordHash)
      : await verifyAgainstDecoy(password.slice(0, MAX_PASSWORD_LENGTH));
    if (!ok || !user) throw new CoordinatorError({ kind: 'Unauthenticated', message: 'invalid username or password' });
    const ttlMs = ttlSeconds > 0 ? Math.min(ttlSeconds * 1000, this.options.sessionTtlMs) : this.options.sessionTtlMs;
    const expiresAt = new Date(this.now().getTime() + ttlMs);
    const token = newSecret('session');
    await this.store.addApiToken({ name: `session ${user.username}`, scope: 'session', secretHash: hashSecret(token), username: user.username, expiresAt });
    return { token, expiresAt, user };
  }

  async logout(caller: Principal): Promise<void> {
    if (caller.kind !== 'session') throw new CoordinatorError({ kind: 'NotASession' });
    await this.store.revokeApiToken(caller.secretHash);
  }

  /** The caller's user and role; an API token acts as an admin without a user. */
  async whoAmI(caller: Principal): Promise<{ username: string; role: UserRole }> {
    if (caller.kind !== 'session') return { username: '', role: 'admin' };
    const user = caller.username ? await this.store.getUser(caller.username) : null;
    if (!user) throw new CoordinatorError({ kind: 'Unauthenticated', message: 'the session\'s user no longer exists' });
    return { username: user.username, role: user.role };
  }

  async createUser(caller: Principal, input: { username: string; password: string; role: string }): Promise<UserRecord> {
    await this.requireAdmin(caller, 'creating users');
    const role = validateNewUser(input);
    return this.store.createUser({ username: input.username, passwordHash: await hashPassword(input.password), role, createdAt: this.now() });
  }

  async listUsers(caller: Principal): Promise<UserRecord[]> {
    await this.requireAdmin(caller, 'listing users');
    return this.store.listUsers();
  }

  private async requireAdmin(caller: Principal, what: string): Promise<void> {
    const { username, role } = await this.whoAmI(caller);
    if (role !== 'admin') {
      throw new CoordinatorError({ kind: 'PermissionDenied', message: `${what} needs an API token or an admin's session; ${username} is a ${role}` });
    }
  }
}
