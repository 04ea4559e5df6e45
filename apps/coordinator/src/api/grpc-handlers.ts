import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@tessera/core/logging/logger';
import type { Access, Principal, TokenAuthenticator } from '../auth/token-auth.ts';
import { toGrpcError } from '../errors/domain-error.ts';

/**
 * Wraps a unary handler: checks the token first, runs the handler with the caller's principal, maps domain errors
 * to status codes. Every failure is answered; none escapes to crash the process.
 */
export function unary<Req, Res>(
  auth: TokenAuthenticator,
  access: Access,
  log: Logger,
  name: string,
  fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>, principal: Principal) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return answer(log, name, async (call) => fn(call.request, call, await auth.authenticate(call.metadata, access)));
}

/** A unary handler that needs no token (sign-in). Errors are mapped and answered as in `unary`. */
export function publicUnary<Req, Res>(
  log: Logger,
  name: string,
  fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return answer(log, name, (call) => fn(call.request, call));
}

function answer<Req, Res>(
  log: Logger,
  name: string,
  run: (call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    void (async () => {
      try {
        callback(null, await run(call));
      } catch (err) {
        const status = toGrpcError(err);
        if (status.code === grpc.status.INTERNAL) log.error('rpc failed', { rpc: name, err });
        callback(status);
      }
    })();
  };
}
