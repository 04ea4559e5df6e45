import { afterEach, describe, expect, it } from 'vitest';
import { isCollectiveFailure, type PeerTransport } from './peer-transport.ts';

/** One ring for one test: rank r's transport at index r, and how to release what the ring holds. */
export interface ConformanceRing {
  readonly transports: readonly PeerTransport[];
  dispose(): Promise<void>;
}

/** Values no other message in the suite has, so a mix-up shows. */
function message(seed: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => seed * 1000 + (i % 997) * 0.25);
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection, but it resolved'),
    (caught: unknown) => caught,
  );
}

function expectFailure(error: unknown, kind: string, rank?: number): void {
  expect(isCollectiveFailure(error), `expected a CollectiveFailure, got ${String(error)}`).toBe(true);
  expect(error).toMatchObject(rank === undefined ? { kind } : { kind, rank });
}

/**
 * The contract every PeerTransport keeps, run against the in-process fake and the gRPC transport so the fake cannot
 * drift: delivery by sender and tag in either order, a peer that leaves cleanly (its collectives done) losing nothing
 * it sent and stopping nothing else, waits and sends on a peer that left failing with `PeerLost`, and a closed
 * transport failing with `TransportClosed`. `open(n)` returns a fresh ring of n ranks; `largeMessage` is a length
 * that spans many of the transport's frames (1 for a transport without frames).
 */
export function describePeerTransportConformance(
  name: string,
  open: (worldSize: number) => Promise<ConformanceRing>,
  largeMessage: number,
): void {
  describe(`PeerTransport conformance: ${name}`, () => {
    const rings: ConformanceRing[] = [];
    const ring = async (worldSize: number): Promise<readonly PeerTransport[]> => {
      const opened = await open(worldSize);
      rings.push(opened);
      expect(opened.transports.map((t) => [t.rank, t.worldSize])).toEqual(opened.transports.map((_, rank) => [rank, worldSize]));
      return opened.transports;
    };
    afterEach(async () => {
      for (const opened of rings.splice(0)) await opened.dispose();
    });

    it('delivers each message by sender and tag, whether it arrives before or after the recv', async () => {
      const [a, b, c] = (await ring(3)) as [PeerTransport, PeerTransport, PeerTransport];
      const early = message(1, 300);
      await a.send(1, 'm', early);
      // The sender may reuse its array once send resolves.
      early.fill(-1);
      const late = b.recv(2, 'm');
      const other = b.recv(2, 'n');
      await c.send(1, 'n', message(3, 5));
      await c.send(1, 'm', message(2, largeMessage));
      expect(await b.recv(0, 'm')).toEqual(message(1, 300));
      expect(await late).toEqual(message(2, largeMessage));
      expect(await other).toEqual(message(3, 5));
    });

    it('keeps what a peer sent before it left cleanly, and the rest of the ring keeps working', async () => {
      const [a, b, c] = (await ring(3)) as [PeerTransport, PeerTransport, PeerTransport];
      // a has sent to b, as a ring's left neighbour has by the end of a collective.
      await a.send(1, 'hello', message(4, 10));
      expect(await b.recv(0, 'hello')).toEqual(message(4, 10));
      await b.send(0, 'last', message(5, largeMessage));
      await b.close();
      await c.send(0, 'after', message(6, 10));
      expect(await a.recv(1, 'last')).toEqual(message(5, largeMessage));
      expect(await a.recv(2, 'after')).toEqual(message(6, 10));
    });

    it('rejects a wait on a peer that left with PeerLost naming that peer', async () => {
      const [a, b] = (await ring(2)) as [PeerTransport, PeerTransport];
      await b.send(0, 'first', message(7, 10));
      expect(await a.recv(1, 'first')).toEqual(message(7, 10));
      const waiting = failureOf(a.recv(1, 'never'));
      await b.close();
      expectFailure(await waiting, 'PeerLost', 1);
    });

    it('rejects sends to a peer that left with PeerLost, once the transport has noticed', async () => {
      const [a, b] = (await ring(2)) as [PeerTransport, PeerTransport];
      await a.send(1, 'first', message(8, 10));
      expect(await b.recv(0, 'first')).toEqual(message(8, 10));
      await b.close();
      // A transport may take a send or two into its buffers before it learns the peer is gone; not for long.
      let failure: unknown;
      for (let attempt = 0; attempt < 100 && failure === undefined; attempt++) {
        failure = await a.send(1, `after-${attempt}`, message(9, 10)).then(
          () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50)),
          (caught: unknown) => caught,
        );
      }
      expectFailure(failure, 'PeerLost', 1);
    });

    it('after its own close rejects pending and later calls with TransportClosed, and closes twice quietly', async () => {
      const [a, b] = (await ring(2)) as [PeerTransport, PeerTransport];
      const pending = failureOf(a.recv(1, 'never'));
      await a.close();
      expectFailure(await pending, 'TransportClosed', 0);
      expectFailure(await failureOf(a.send(1, 'late', message(10, 10))), 'TransportClosed', 0);
      expectFailure(await failureOf(a.recv(1, 'late')), 'TransportClosed', 0);
      await a.close();
      await b.close();
    });
  });
}
