/**
 * One ring member in its own process, driven over the IPC channel by `ring-all-reduce-grpc.test.ts`: it starts a
 * real peer server on a loopback port, joins the ring it is told about and runs the all-reduces it is asked for.
 */
import { isCollectiveFailure } from '@tessera/core/collectives/peer-transport';
import { ringAllReduce } from '@tessera/core/collectives/ring-all-reduce';
import { GrpcPeerTransport } from '@tessera/worker/peers/grpc-peer-transport';
import { PeerServer } from '@tessera/worker/peers/peer-server';
import { ringInput, toBase64 } from './ring-vectors.ts';

export type PeerCommand =
  | { cmd: 'join'; jobId: string; generation: number; rank: number; addresses: string[]; joinToken: string; frameBytes: number }
  | { cmd: 'allReduce'; tag: string; length: number; op: 'sum' | 'mean'; timeoutMs: number; sliceElements?: number }
  | { cmd: 'close' };

export type PeerReply =
  | { type: 'listening'; port: number }
  | { type: 'joined' }
  | { type: 'result'; tag: string; values: string }
  | { type: 'failed'; tag: string; kind: string; message: string };

const joinToken = process.env.RING_PEER_TOKEN ?? '';
const server = await PeerServer.start({ host: '127.0.0.1', port: 0, joinToken });
let transport: GrpcPeerTransport | undefined;

function reply(message: PeerReply): void {
  process.send?.(message);
}

async function handle(command: PeerCommand): Promise<void> {
  switch (command.cmd) {
    case 'join':
      transport = new GrpcPeerTransport({
        server,
        jobId: command.jobId,
        generation: command.generation,
        rank: command.rank,
        worldSize: command.addresses.length,
        peerAddresses: command.addresses,
        joinToken: command.joinToken,
        frameBytes: command.frameBytes,
      });
      reply({ type: 'joined' });
      return;
    case 'allReduce': {
      if (transport === undefined) throw new Error('allReduce before join');
      try {
        const result = await ringAllReduce(transport, ringInput(transport.rank, command.length), command);
        reply({ type: 'result', tag: command.tag, values: toBase64(result) });
      } catch (error) {
        const kind = isCollectiveFailure(error) ? error.kind : 'Unknown';
        reply({ type: 'failed', tag: command.tag, kind, message: String(error) });
      }
      return;
    }
    case 'close':
      await transport?.close();
      await server.close();
      process.disconnect();
      return;
  }
}

process.on('message', (command: PeerCommand) => void handle(command));
reply({ type: 'listening', port: server.port });
