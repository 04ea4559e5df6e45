import 'server-only';
import { TesseraClient } from '@tessera/client/tessera-client';
import { coordinatorAddress } from './coordinator-address.ts';
import type { Session } from './session-store.ts';

const KEY = Symbol.for('tessera.dashboard.coordinator');

/**
 * One HTTP/2 connection to the coordinator for the whole server, replaced when the coordinator's address changes
 * (an embedded cluster restarted). Kept on `globalThis` so every route bundle shares it.
 */
function connection(): TesseraClient {
  const address = coordinatorAddress();
  const holder = globalThis as unknown as Record<symbol, { address: string; client: TesseraClient } | undefined>;
  const current = holder[KEY];
  if (current?.address === address) return current.client;
  current?.client.close();
  const client = new TesseraClient({ address, token: '' });
  holder[KEY] = { address, client };
  return client;
}

/**
 * A client that acts as this session's user (its coordinator session token) over the shared connection: cheap,
 * made per request. This is the dashboard's only way to the cluster; the coordinator enforces what the user may do.
 */
export function coordinatorFor(session: Session): TesseraClient {
  return connection().withToken(session.coordinatorToken);
}

/** A client with no token, for signing in. */
export function anonymousCoordinator(): TesseraClient {
  return connection();
}
