import 'server-only';
import { TesseraClient } from '@tessera/client/tessera-client';
import { coordinatorAddress } from './coordinator-address.ts';
import type { Session } from './session-store.ts';

interface CachedClient {
  address: string;
  token: string;
  client: TesseraClient;
}

const KEY = Symbol.for('tessera.dashboard.clients');

function cache(): Map<string, CachedClient> {
  const holder = globalThis as unknown as Record<symbol, Map<string, CachedClient> | undefined>;
  return (holder[KEY] ??= new Map());
}

/**
 * The gRPC client that acts as this session's user: one HTTP/2 connection per session, reused across requests and
 * replaced when the coordinator's address changes. This is the dashboard's only way to the cluster.
 */
export function coordinatorFor(session: Session): TesseraClient {
  const address = coordinatorAddress();
  const clients = cache();
  const cached = clients.get(session.id);
  if (cached && cached.address === address && cached.token === session.coordinatorToken) return cached.client;
  cached?.client.close();
  const client = new TesseraClient({ address, token: session.coordinatorToken });
  clients.set(session.id, { address, token: session.coordinatorToken, client });
  return client;
}

/** A client with no token, for signing in. The caller closes it. */
export function anonymousCoordinator(): TesseraClient {
  return new TesseraClient({ address: coordinatorAddress(), token: '' });
}

/** Closes a signed-out session's connection. */
export function forgetCoordinator(sessionId: string): void {
  cache().get(sessionId)?.client.close();
  cache().delete(sessionId);
}
