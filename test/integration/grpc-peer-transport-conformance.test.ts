import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isCollectiveFailure } from '@tessera/core/collectives/peer-transport';
import { describePeerTransportConformance } from '@tessera/core/collectives/peer-transport-conformance';
import { GrpcPeerTransport } from '@tessera/worker/peers/grpc-peer-transport';
import { PeerServer } from '@tessera/worker/peers/peer-server';

/** 16 KiB frames: the large message (1M values, 4 MiB) spans 256 of them, so a peer's leaving can overtake its frames. */
const FRAME_BYTES = 16 * 1024;

/** A ring of `n` ranks, each with its own real peer server on a loopback port, as worker processes have. */
async function openRing(n: number): Promise<{ transports: GrpcPeerTransport[]; dispose: () => Promise<void> }> {
  const joinToken = randomUUID();
  const servers = await Promise.all(Array.from({ length: n }, () => PeerServer.start({ host: '127.0.0.1', port: 0, joinToken })));
  const peerAddresses = servers.map((server) => `127.0.0.1:${server.port}`);
  const jobId = `job-${randomUUID()}`;
  const transports = servers.map(
    (server, rank) => new GrpcPeerTransport({ server, jobId, generation: 1, rank, worldSize: n, peerAddresses, joinToken, frameBytes: FRAME_BYTES }),
  );
  return {
    transports,
    dispose: async () => {
      await Promise.all(transports.map((t) => t.close()));
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}

describePeerTransportConformance('GrpcPeerTransport over loopback', openRing, 1 << 20);

describe('GrpcPeerTransport leaving with a reason', () => {
  const rings: { dispose: () => Promise<void> }[] = [];
  afterEach(async () => {
    for (const ring of rings.splice(0)) await ring.dispose();
  });

  it('fails the waits of the rank that feeds it, on every sender, at once rather than at a step timeout', async () => {
    const ring = await openRing(3);
    rings.push(ring);
    const [a, b] = ring.transports as [GrpcPeerTransport, GrpcPeerTransport];
    await a.send(1, 'hello', new Float32Array([1, 2, 3]));
    expect(Array.from(await b.recv(0, 'hello'))).toEqual([1, 2, 3]);
    // a waits on rank 2, which is alive; rank 1 (whom a feeds) gives up: the ring cannot complete.
    const waiting = a.recv(2, 'never').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    await b.close(new Error('the run failed'));
    const failure = await waiting;
    expect(isCollectiveFailure(failure), String(failure)).toBe(true);
    expect(failure).toMatchObject({ kind: 'PeerLost', rank: 1 });
  });
});
