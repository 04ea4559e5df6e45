import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcPeerTransport } from '@tessera/worker/peers/grpc-peer-transport';
import { PeerServer } from '@tessera/worker/peers/peer-server';

const LENGTH = 10_000;
/** 4 KiB frames: a 10k-value message spans 10 frames, so frames can arrive before, during and after `recvInto`. */
const FRAME_BYTES = 4096;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Rank 0 and rank 1 of a two-rank ring, each with its own real peer server on loopback. */
async function pair(): Promise<{ sender: GrpcPeerTransport; receiver: GrpcPeerTransport }> {
  const joinToken = randomUUID();
  const servers = await Promise.all([0, 1].map(() => PeerServer.start({ host: '127.0.0.1', port: 0, joinToken })));
  cleanups.push(async () => void (await Promise.all(servers.map((server) => server.close()))));
  const peerAddresses = servers.map((server) => `127.0.0.1:${server.port}`);
  const jobId = `job-${randomUUID()}`;
  const [sender, receiver] = servers.map(
    (server, rank) =>
      new GrpcPeerTransport({ server, jobId, generation: 1, rank, worldSize: 2, peerAddresses, joinToken, frameBytes: FRAME_BYTES }),
  ) as [GrpcPeerTransport, GrpcPeerTransport];
  cleanups.push(async () => void (await Promise.all([sender.close(), receiver.close()])));
  return { sender, receiver };
}

const message = Float32Array.from({ length: LENGTH }, (_, i) => i * 0.5 - 1000);

function filled(value: number): Float32Array {
  return new Float32Array(LENGTH).fill(value);
}

function expectEach(into: Float32Array, expected: (i: number) => number): void {
  const wrong = Array.from(into).findIndex((value, i) => value !== expected(i));
  expect(wrong).toBe(-1);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GrpcPeerTransport.recvInto', () => {
  it('adds a message whose frames arrive after the call', async () => {
    const { sender, receiver } = await pair();
    const into = filled(1);
    const received = receiver.recvInto(0, 'early', into, 'add');
    await sender.send(1, 'early', message);
    await received;
    expectEach(into, (i) => 1 + (message[i] as number));
  });

  it('adds a message that arrived whole before the call', async () => {
    const { sender, receiver } = await pair();
    await sender.send(1, 'late', message);
    // The receiver needs a moment to take the frames off the socket; a later call for a marker message orders it.
    await sender.send(1, 'marker', new Float32Array(1));
    await receiver.recv(0, 'marker');
    const into = filled(2);
    await receiver.recvInto(0, 'late', into, 'add');
    expectEach(into, (i) => 2 + (message[i] as number));
  });

  it('adds a message whose first frames came before the call and the rest after', async () => {
    const { sender, receiver } = await pair();
    const into = filled(3);
    const sent = sender.send(1, 'mid', message);
    await nextTurn();
    await nextTurn();
    await Promise.all([sent, receiver.recvInto(0, 'mid', into, 'add')]);
    expectEach(into, (i) => 3 + (message[i] as number));
  });

  it('copies over the array in set mode', async () => {
    const { sender, receiver } = await pair();
    const into = filled(9);
    await Promise.all([sender.send(1, 'set', message), receiver.recvInto(0, 'set', into, 'set')]);
    expectEach(into, (i) => message[i] as number);
  });

  it('rejects with ChunkSizeMismatch when the message has another length', async () => {
    const { sender, receiver } = await pair();
    const failure = await Promise.all([sender.send(1, 'short', message), receiver.recvInto(0, 'short', new Float32Array(LENGTH - 1), 'set')]).then(
      () => expect.fail('recvInto resolved'),
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ kind: 'ChunkSizeMismatch', fromRank: 0, tag: 'short', expected: LENGTH - 1, received: LENGTH });
  });
});
