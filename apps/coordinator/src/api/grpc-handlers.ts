import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@tessera/core/logging/logger';
import type { TokenAuthenticator, TokenScope } from '../auth/token-auth.ts';
import { toGrpcError } from '../errors/domain-error.ts';

/**
 * Wraps a unary handler: checks the token first, runs the handler, maps domain errors to status codes.
 * Every failure is answered; none escapes to crash the process.
 */
export function unary<Req, Res>(
  auth: TokenAuthenticator,
  scope: TokenScope,
  log: Logger,
  name: string,
  fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    void (async () => {
      try {
        await auth.require(call.metadata, scope);
        callback(null, await fn(call.request, call));
      } catch (err) {
        const status = toGrpcError(err);
        if (status.code === grpc.status.INTERNAL) log.error('rpc failed', { rpc: name, err });
        callback(status);
      }
    })();
  };
}
