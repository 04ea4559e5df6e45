import type { Logger } from '@tessera/core/logging/logger';
import type { AuthServiceHandlers } from '@tessera/proto/generated/tessera/auth/v1/AuthService';
import type { User } from '@tessera/proto/generated/tessera/auth/v1/User';
import type { AccountService } from '../auth/account-service.ts';
import type { TokenAuthenticator } from '../auth/token-auth.ts';
import type { UserRecord } from '../store/job-store.ts';
import { publicUnary, unary } from './grpc-handlers.ts';

function toProtoUser(user: UserRecord): User {
  return { username: user.username, role: user.role, createdAt: user.createdAt.toISOString() };
}

/** tessera.auth.v1.AuthService: sign-in, sessions and users. Only Login runs without a token. */
export function authApiHandlers(deps: { auth: TokenAuthenticator; accounts: AccountService; log: Logger }): AuthServiceHandlers {
  const { auth, accounts, log } = deps;
  return {
    Login: publicUnary(log, 'Login', async (req) => {
      const session = await accounts.login(req.username, req.password, req.ttlSeconds);
      return { sessionToken: session.token, expiresAt: session.expiresAt.toISOString(), user: toProtoUser(session.user) };
    }),
    Logout: unary(auth, 'api', log, 'Logout', async (_req, _call, caller) => {
      await accounts.logout(caller);
      return {};
    }),
    WhoAmI: unary(auth, 'api', log, 'WhoAmI', async (_req, _call, caller) => {
      const { username, role } = await accounts.whoAmI(caller);
      return { username, role, tokenKind: caller.kind, expiresAt: caller.expiresAt?.toISOString() ?? '' };
    }),
    CreateUser: unary(auth, 'api', log, 'CreateUser', async (req, _call, caller) => toProtoUser(await accounts.createUser(caller, req))),
    ListUsers: unary(auth, 'api', log, 'ListUsers', async (_req, _call, caller) => ({ users: (await accounts.listUsers(caller)).map(toProtoUser) })),
  };
}
