import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { systemClock, type Clock } from '@tessera/core/time/clock';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { JobStore, TokenScope } from '../store/job-store.ts';

export type { TokenScope } from '../store/job-store.ts';

/**
 * What a call needs. `api`: an API token or a live session (every JobService and most AuthService calls);
 * `join`: a worker's join token (WorkerService). The two never overlap.
 */
export type Access = 'api' | 'join';

/** Who is calling, as far as the token says. */
export interface Principal {
  kind: TokenScope;
  /** The token's name ("api (environment)", "session alice"). */
  name: string;
  /** Sessions: the signed-in user. */
  username: string | null;
  expiresAt: Date | null;
  /** sha256 of the bearer secret: enough to revoke it, useless to replay it. */
  secretHash: string;
}

/** Secrets are stored only as sha256 hashes: a leaked database does not leak working tokens. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new random token; the prefix says what it is for when one turns up in a shell history. */
export function newSecret(scope: TokenScope): string {
  return `tsr_${scope}_${randomBytes(24).toString('base64url')}`;
}

export function bearerToken(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1];
}

const ACCEPTS: Record<Access, ReadonlySet<TokenScope>> = {
  api: new Set(['api', 'session']),
  join: new Set(['join']),
};

const NEEDS: Record<Access, string> = { api: 'an API token or a session', join: 'a join token' };

/**
 * Checks a call's bearer token against the store. API tokens and sessions open the public API; join tokens open
 * only the worker API: a worker's join token cannot submit jobs or sign in, and neither an API token nor a session
 * can join a worker into a ring.
 *
 * API and join tokens are cached after the first lookup (they have no expiry). Sessions are looked up on every
 * call (one indexed read) so that a logout or an expiry takes effect at once, on any coordinator.
 */
export class TokenAuthenticator {
  private readonly cache = new Map<string, Principal>();

  constructor(
    private readonly store: JobStore,
    private readonly clock: Clock = systemClock,
  ) {}

  async authenticate(metadata: grpc.Metadata, access: Access): Promise<Principal> {
    const token = bearerToken(metadata);
    if (!token) {
      throw new CoordinatorError({ kind: 'Unauthenticated', message: 'missing token: send "authorization: Bearer <token>"' });
    }
    const secretHash = hashSecret(token);
    let principal = this.cache.get(secretHash);
    if (!principal) {
      const record = await this.store.findApiToken(secretHash);
      if (!record) throw new CoordinatorError({ kind: 'Unauthenticated', message: 'invalid token (unknown, revoked or signed out)' });
      principal = { kind: record.scope, name: record.name, username: record.username, expiresAt: record.expiresAt, secretHash };
      if (record.scope !== 'session') this.cache.set(secretHash, principal);
    }
    if (!ACCEPTS[access].has(principal.kind)) {
      throw new CoordinatorError({ kind: 'Unauthenticated', message: `this token is a ${principal.kind} token; this call needs ${NEEDS[access]}` });
    }
    if (principal.expiresAt && principal.expiresAt.getTime() <= this.clock.now()) {
      throw new CoordinatorError({ kind: 'Unauthenticated', message: `session expired at ${principal.expiresAt.toISOString()}; sign in again` });
    }
    return principal;
  }

  async require(metadata: grpc.Metadata, access: Access): Promise<void> {
    await this.authenticate(metadata, access);
  }
}

/** Constant-time comparison for secrets held in memory (peer join tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
