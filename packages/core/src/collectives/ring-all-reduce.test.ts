import { describe, expect, it } from 'vitest';
import { createMemoryRing } from './memory-peer-transport.ts';
import { isCollectiveFailure } from './peer-transport.ts';
import { ringAllReduce } from './ring-all-reduce.ts';

/** Small deterministic generator so a failing case can be replayed from its seed. */
function randomVector(length: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 0x1_0000_0000) * 2 - 1;
  }
  return out;
}

function directSum(inputs: readonly Float32Array[]): Float64Array {
  const out = new Float64Array(inputs[0]?.length ?? 0);
  for (const input of inputs) input.forEach((value, i) => (out[i] = (out[i] as number) + value));
  return out;
}

function expectClose(actual: Float32Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const want = expected[i] as number;
    if (Math.abs((actual[i] as number) - want) > 1e-5 * Math.max(1, Math.abs(want))) {
      expect.fail(`value ${i}: got ${actual[i]}, want ${want}`);
    }
  }
}

const RING_SIZES = [1, 2, 3, 4, 5];
const LENGTHS = [0, 1, 3, 4, 7, 64, 1001];

describe('ringAllReduce over in-process peers', () => {
  for (const n of RING_SIZES) {
    for (const length of LENGTHS) {
      it(`sums and averages ${length} values across ${n} peers`, async () => {
        const inputs = Array.from({ length: n }, (_, rank) => randomVector(length, 1 + rank * 7919 + length));
        const expected = directSum(inputs);

        const sums = createMemoryRing(n);
        const summed = await Promise.all(
          sums.transports.map((t, rank) => ringAllReduce(t, (inputs[rank] as Float32Array).slice(), { tag: 'sum' })),
        );
        for (const result of summed) expectClose(result, expected);

        const means = createMemoryRing(n);
        const averaged = await Promise.all(
          means.transports.map((t, rank) =>
            ringAllReduce(t, (inputs[rank] as Float32Array).slice(), { tag: 'mean', op: 'mean' }),
          ),
        );
        for (const result of averaged) expectClose(result, expected.map((v) => v / n));
      });
    }
  }

  it('reduces in place and returns the same array', async () => {
    const { transports } = createMemoryRing(2);
    const data = [new Float32Array([1, 2, 3]), new Float32Array([10, 20, 30])];
    const results = await Promise.all(transports.map((t, rank) => ringAllReduce(t, data[rank] as Float32Array, { tag: 'x' })));
    expect(results[0]).toBe(data[0]);
    expect(Array.from(data[1] as Float32Array)).toEqual([11, 22, 33]);
  });

  it('gives bit-identical results on every rank and across runs', async () => {
    const n = 5;
    const inputs = Array.from({ length: n }, (_, rank) => randomVector(999, 42 + rank));
    const run = async (): Promise<Float32Array[]> => {
      const { transports } = createMemoryRing(n);
      return Promise.all(transports.map((t, rank) => ringAllReduce(t, (inputs[rank] as Float32Array).slice(), { tag: 'd' })));
    };
    const [first, second] = [await run(), await run()];
    const reference = Buffer.from((first[0] as Float32Array).buffer);
    for (const result of [...first, ...second]) expect(Buffer.from(result.buffer).equals(reference)).toBe(true);
  });

  it('agrees with the unsliced result when pipelined into slices', async () => {
    const n = 3;
    const inputs = Array.from({ length: n }, (_, rank) => randomVector(1000, 5 + rank));
    const plain = createMemoryRing(n);
    const sliced = createMemoryRing(n);
    const [a, b] = await Promise.all([
      Promise.all(plain.transports.map((t, r) => ringAllReduce(t, (inputs[r] as Float32Array).slice(), { tag: 'p' }))),
      Promise.all(
        sliced.transports.map((t, r) =>
          ringAllReduce(t, (inputs[r] as Float32Array).slice(), { tag: 's', sliceElements: 64, slicesInFlight: 3 }),
        ),
      ),
    ]);
    expectClose(b[0] as Float32Array, Float64Array.from(a[0] as Float32Array));
    const slices = Math.ceil(1000 / 64);
    // Per slice 2(n-1) chunks per rank, plus one delivery confirmation per rank for the whole call.
    expect(sliced.sends.length).toBe(n * slices * 2 * (n - 1) + n);
  });
});

describe('ringAllReduce message topology', () => {
  for (const n of [2, 3, 4, 5]) {
    it(`each of ${n} ranks sends 2(n-1) chunks, only to its right neighbour, covering the vector, then confirms delivery to its left one`, async () => {
      const length = 10 * n + 3;
      const ring = createMemoryRing(n);
      await Promise.all(
        ring.transports.map((t, rank) => ringAllReduce(t, randomVector(length, rank + 1), { tag: 'topo' })),
      );
      for (const transport of ring.transports) {
        const chunks = transport.sends.filter((send) => send.tag !== 'topo/delivered');
        expect(chunks).toHaveLength(2 * (n - 1));
        for (const send of chunks) expect(send.to).toBe((transport.rank + 1) % n);
        // Last, one value to the left neighbour: "I hold everything you sent me".
        expect(transport.sends.at(-1)).toEqual({ from: transport.rank, to: (transport.rank - 1 + n) % n, tag: 'topo/delivered', length: 1 });
        // Reduce-scatter and all-gather each move n-1 of the n segments: everything but one segment per phase.
        const moved = chunks.reduce((total, send) => total + send.length, 0);
        expect(moved).toBeGreaterThanOrEqual(2 * (length - Math.ceil(length / n)));
        expect(moved).toBeLessThanOrEqual(2 * (length - Math.floor(length / n)));
      }
    });
  }

  it('sends 2(n-1) chunks per pipeline slice and one delivery confirmation per call', async () => {
    const n = 4;
    const ring = createMemoryRing(n);
    await Promise.all(
      ring.transports.map((t, rank) => ringAllReduce(t, randomVector(100, rank + 1), { tag: 'pipe', sliceElements: 30 })),
    );
    for (const transport of ring.transports) {
      const chunks = transport.sends.filter((send) => send.tag !== 'pipe/delivered');
      expect(chunks).toHaveLength(4 * 2 * (n - 1));
      expect(new Set(chunks.map((s) => s.to))).toEqual(new Set([(transport.rank + 1) % n]));
      expect(transport.sends.filter((send) => send.tag === 'pipe/delivered')).toHaveLength(1);
    }
  });
});

describe('ringAllReduce failures', () => {
  it('rejects with CollectiveTimeout when one peer never sends', async () => {
    const { transports } = createMemoryRing(3);
    const silent = 2;
    const results = await Promise.allSettled(
      transports
        .filter((t) => t.rank !== silent)
        .map((t) => ringAllReduce(t, new Float32Array(9).fill(1), { tag: 'stuck', timeoutMs: 50 })),
    );
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
      expect(isCollectiveFailure(reason) && reason.kind).toBe('CollectiveTimeout');
    }
  });

  it('rejects with PeerLost when a neighbour goes away mid-collective', async () => {
    const { transports } = createMemoryRing(3);
    const [t0, t1, t2] = transports as [typeof transports[0], typeof transports[0], typeof transports[0]];
    const pending = ringAllReduce(t0, new Float32Array(9).fill(1), { tag: 'lost', timeoutMs: 5_000 });
    await t2.close();
    await expect(pending).rejects.toMatchObject({ kind: 'PeerLost', rank: 2 });
    await t1.close();
  });

  it('rejects with CollectiveAborted when the caller aborts', async () => {
    const { transports } = createMemoryRing(2);
    const controller = new AbortController();
    const pending = ringAllReduce(transports[0]!, new Float32Array(4), { tag: 'abort', signal: controller.signal });
    controller.abort(new Error('job cancelled'));
    await expect(pending).rejects.toMatchObject({ kind: 'CollectiveAborted' });
  });

  it('rejects with ChunkSizeMismatch when ranks disagree on the length', async () => {
    const { transports } = createMemoryRing(2);
    const results = await Promise.allSettled([
      ringAllReduce(transports[0]!, new Float32Array(4), { tag: 'len', timeoutMs: 200 }),
      ringAllReduce(transports[1]!, new Float32Array(6), { tag: 'len', timeoutMs: 200 }),
    ]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as { kind?: string }).kind)).toContain('ChunkSizeMismatch');
  });
});
