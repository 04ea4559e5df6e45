/**
 * A stand-in coordinator in its own process for `heartbeat-thread.test.ts`: a real gRPC WorkerService on a loopback
 * port that records when each heartbeat arrives (by its own clock, which keeps running while the test's main thread
 * is blocked) and answers NOT_FOUND for a worker id it is told to forget. Driven over the IPC channel.
 */
import * as grpc from '@grpc/grpc-js';
import { contracts } from '@tessera/proto/contracts';

export type RecorderCommand = { cmd: 'arrivals' } | { cmd: 'forget'; workerId: string };
export type RecorderReply = { type: 'listening'; port: number } | { type: 'arrivals'; at: Array<{ workerId: string; ms: number }> };

const arrivals: Array<{ workerId: string; ms: number }> = [];
const forgotten = new Set<string>();
const server = new grpc.Server();
const unimplemented = (_call: unknown, callback: (err: grpc.ServiceError | null) => void) =>
  callback(Object.assign(new Error('not in this stand-in'), { code: grpc.status.UNIMPLEMENTED, details: 'not in this stand-in', metadata: new grpc.Metadata() }));
server.addService(contracts().workers.tessera.workers.v1.WorkerService.service, {
  register: unimplemented,
  streamAssignments: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
  reportProgress: unimplemented,
  heartbeat: (call: grpc.ServerUnaryCall<{ workerId: string }, object>, callback: grpc.sendUnaryData<object>) => {
    const { workerId } = call.request;
    arrivals.push({ workerId, ms: Date.now() });
    if (forgotten.has(workerId)) {
      callback({ code: grpc.status.NOT_FOUND, details: `unknown worker ${workerId}`, name: 'NotFound', message: 'unknown worker', metadata: new grpc.Metadata() });
      return;
    }
    callback(null, {});
  },
});
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
);
process.on('message', (command: RecorderCommand) => {
  if (command.cmd === 'arrivals') process.send?.({ type: 'arrivals', at: arrivals } satisfies RecorderReply);
  else forgotten.add(command.workerId);
});
process.on('disconnect', () => server.forceShutdown());
process.send?.({ type: 'listening', port } satisfies RecorderReply);
