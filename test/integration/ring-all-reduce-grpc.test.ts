import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isCollectiveFailure } from '@tessera/core/collectives/peer-transport';
import { GrpcPeerTransport } from '@tessera/worker/peers/grpc-peer-transport';
import { PeerServer } from '@tessera/worker/peers/peer-server';
import type { PeerCommand, PeerReply } from './support/ring-peer.ts';
import { fromBase64, ringInput } from './support/ring-vectors.ts';

const PEER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/ring-peer.ts');
const GRPC_UNAUTHENTICATED = 16;
const GRPC_FAILED_PRECONDITION = 9;

/** A ring-peer child process with a queue of its IPC replies. */
class Peer {
  readonly #replies: PeerReply[] = [];
  readonly #waiters: { resolve: (reply: PeerReply) => void; reject: (error: Error) => void }[] = [];
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: PeerReply) => {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#replies.push(reply);
      else waiter.resolve(reply);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(`ring peer exited (${code ?? signal})`));
        resolve();
      }),
    );
  }

  static spawn(joinToken: string): Peer {
    const child = fork(PEER_SCRIPT, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, RING_PEER_TOKEN: joinToken },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Peer(child);
  }

  next(): Promise<PeerReply> {
    const ready = this.#replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  send(command: PeerCommand): void {
    this.child.send(command);
  }
}

const spawned: Peer[] = [];
const servers: PeerServer[] = [];
afterEach(async () => {
  for (const peer of spawned.splice(0)) {
    if (peer.child.exitCode === null && peer.child.signalCode === null) peer.child.kill('SIGKILL');
    await peer.exited;
  }
  for (const server of servers.splice(0)) await server.close();
});

async function startRing(n: number, frameBytes: number): Promise<Peer[]> {
  const joinToken = randomUUID();
  const peers = Array.from({ length: n }, () => Peer.spawn(joinToken));
  spawned.push(...peers);
  const ports = await Promise.all(
    peers.map(async (peer) => {
      const reply = await peer.next();
      if (reply.type !== 'listening') throw new Error(`expected listening, got ${reply.type}`);
      return reply.port;
    }),
  );
  const addresses = ports.map((port) => `127.0.0.1:${port}`);
  const jobId = `job-${randomUUID()}`;
  peers.forEach((peer, rank) => peer.send({ cmd: 'join', jobId, generation: 1, rank, addresses, joinToken, frameBytes }));
  for (const peer of peers) expect((await peer.next()).type).toBe('joined');
  return peers;
}

async function allReduce(peers: Peer[], command: Extract<PeerCommand, { cmd: 'allReduce' }>): Promise<PeerReply[]> {
  for (const peer of peers) peer.send(command);
  return Promise.all(peers.map((peer) => peer.next()));
}

function expectedSum(n: number, length: number, op: 'sum' | 'mean'): Float32Array {
  const out = new Float32Array(length);
  for (let rank = 0; rank < n; rank++) ringInput(rank, length).forEach((v, i) => (out[i] = (out[i] as number) + v));
  if (op === 'mean') for (let i = 0; i < length; i++) out[i] = (out[i] as number) / n;
  return out;
}

describe('ring all-reduce over gRPC between 3 processes', () => {
  it('sums and averages vectors split into many frames, identical on every rank', async () => {
    const n = 3;
    // 4 KiB frames make every 10k-value message span several frames, so reassembly is exercised.
    const peers = await startRing(n, 4096);
    const cases = [
      { tag: 'sum-big', length: 10_007, op: 'sum' as const },
      { tag: 'mean-small', length: 2, op: 'mean' as const },
      { tag: 'sum-sliced', length: 5_000, op: 'sum' as const, sliceElements: 999 },
      { tag: 'empty', length: 0, op: 'sum' as const },
    ];
    for (const c of cases) {
      const replies = await allReduce(peers, { cmd: 'allReduce', timeoutMs: 30_000, ...c });
      const want = expectedSum(n, c.length, c.op);
      for (const reply of replies) {
        if (reply.type !== 'result') throw new Error(`${c.tag}: ${JSON.stringify(reply)}`);
        expect(Array.from(fromBase64(reply.values))).toEqual(Array.from(want));
      }
    }
    for (const peer of peers) peer.send({ cmd: 'close' });
    await Promise.all(peers.map((peer) => peer.exited));
  });

  it('fails the survivors with PeerLost, not a timeout, when a rank dies', async () => {
    const peers = await startRing(3, 4096);
    const warmup = await allReduce(peers, { cmd: 'allReduce', tag: 'warm', length: 30, op: 'sum', timeoutMs: 30_000 });
    expect(warmup.map((r) => r.type)).toEqual(['result', 'result', 'result']);
    const [p0, p1, p2] = peers as [Peer, Peer, Peer];
    p2.child.kill('SIGKILL');
    await p2.exited;
    const replies = await allReduce([p0, p1], { cmd: 'allReduce', tag: 'after-loss', length: 30, op: 'sum', timeoutMs: 60_000 });
    for (const reply of replies) expect(reply).toMatchObject({ type: 'failed', kind: 'PeerLost' });
  });
});

describe('peer server admission', () => {
  /** A real server with rank 1 of a two-rank ring bound to it. */
  async function serverBoundTo(
    joinToken: string,
    jobId: string,
    generation: number,
  ): Promise<{ server: PeerServer; receiver: GrpcPeerTransport }> {
    const server = await PeerServer.start({ host: '127.0.0.1', port: 0, joinToken, bindWaitMs: 200 });
    servers.push(server);
    const receiver = new GrpcPeerTransport({
      server,
      jobId,
      generation,
      rank: 1,
      worldSize: 2,
      peerAddresses: ['127.0.0.1:1', `127.0.0.1:${server.port}`],
      joinToken,
    });
    return { server, receiver };
  }

  /** Sends one message from a rank-0 transport and returns how its ring failed (the rejection of a pending recv). */
  async function failureOfSend(target: PeerServer, ring: { joinToken: string; jobId: string; generation: number }): Promise<unknown> {
    const own = await PeerServer.start({ host: '127.0.0.1', port: 0, joinToken: ring.joinToken });
    servers.push(own);
    const sender = new GrpcPeerTransport({
      server: own,
      ...ring,
      rank: 0,
      worldSize: 2,
      peerAddresses: [`127.0.0.1:${own.port}`, `127.0.0.1:${target.port}`],
    });
    try {
      // Bounded so a server that wrongly accepts the frames fails this test instead of hanging it.
      const pending = sender.recv(1, 'never-sent', { signal: AbortSignal.timeout(10_000) });
      await sender.send(1, 'probe', new Float32Array([1, 2, 3])).catch(() => undefined);
      return await pending.then(() => expect.fail('recv resolved'), (error: unknown) => error);
    } finally {
      await sender.close();
    }
  }

  it('rejects a sender with the wrong join token as UNAUTHENTICATED', async () => {
    const jobId = `job-${randomUUID()}`;
    const { server, receiver } = await serverBoundTo('right-token', jobId, 1);
    const failure = await failureOfSend(server, { joinToken: 'wrong-token', jobId, generation: 1 });
    expect(isCollectiveFailure(failure) && failure.kind).toBe('PeerLost');
    expect((failure as Error).cause).toMatchObject({ code: GRPC_UNAUTHENTICATED });
    await receiver.close();
  });

  it('rejects frames of an older generation as FAILED_PRECONDITION', async () => {
    const jobId = `job-${randomUUID()}`;
    const { server, receiver } = await serverBoundTo('token', jobId, 2);
    const failure = await failureOfSend(server, { joinToken: 'token', jobId, generation: 1 });
    expect(failure).toMatchObject({ kind: 'StaleGeneration', jobId, generation: 1 });
    expect((failure as Error).cause).toMatchObject({ code: GRPC_FAILED_PRECONDITION });
    await receiver.close();
  });

  it('rejects frames for another job as FAILED_PRECONDITION', async () => {
    const { server, receiver } = await serverBoundTo('token', `job-${randomUUID()}`, 1);
    const failure = await failureOfSend(server, { joinToken: 'token', jobId: 'other-job', generation: 1 });
    expect(failure).toMatchObject({ kind: 'StaleGeneration' });
    expect((failure as Error).cause).toMatchObject({ code: GRPC_FAILED_PRECONDITION });
    await receiver.close();
  });
});
