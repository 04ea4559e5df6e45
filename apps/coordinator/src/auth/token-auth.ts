import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { JobStore } from '../store/job-store.ts';

export type TokenScope = 'api' | 'join';

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

/**
 * Checks a call's bearer token against the store. API tokens and join tokens are separate scopes: a worker's join
 * token cannot submit jobs, and an API token cannot join a worker into a ring.
 */
export class TokenAuthenticator {
  private readonly cache = new Map<string, TokenScope>();

  constructor(private readonly store: JobStore) {}

  async require(metadata: grpc.Metadata, scope: TokenScope): Promise<void> {
    const token = bearerToken(metadata);
    if (!token) {
      throw new CoordinatorError({ kind: 'Unauthenticated', message: 'missing token: send "authorization: Bearer <token>"' });
    }
    const hash = hashSecret(token);
    let found = this.cache.get(hash);
    if (!found) {
      const record = await this.store.findApiToken(hash);
      if (record) {
        found = record.scope;
        this.cache.set(hash, found);
      }
    }
    if (found !== scope) {
      throw new CoordinatorError({
        kind: 'Unauthenticated',
        message: found ? `this token is a ${found} token; this call needs a ${scope} token` : 'invalid token',
      });
    }
  }
}

/** Constant-time comparison for secrets held in memory (peer join tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
