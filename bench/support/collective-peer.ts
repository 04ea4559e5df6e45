/**
 * One ring member of `bench/collective.ts`, in its own process: a real peer server and gRPC transport on loopback,
 * driven over the IPC channel. It times each all-reduce itself; the driver takes the slowest rank per iteration.
 */
import { performance } from 'node:perf_hooks';
import { ringAllReduce } from '@tessera/core/collectives/ring-all-reduce';
import { GrpcPeerTransport } from '@tessera/worker/peers/grpc-peer-transport';
import { PeerServer } from '@tessera/worker/peers/peer-server';

export type BenchPeerCommand =
  | { cmd: 'join'; jobId: string; rank: number; addresses: string[]; joinToken: string }
  | { cmd: 'run'; bytes: number; warmup: number; iterations: number }
  | { cmd: 'close' };

export type BenchPeerReply =
  | { type: 'listening'; port: number }
  | { type: 'joined' }
  | { type: 'timed'; millis: number[]; cpuMillis: number[] }
  | { type: 'failed'; message: string };

const joinToken = process.env.BENCH_JOIN_TOKEN ?? '';
/** Tuning knobs for experiments; the defaults are the production defaults. */
const tuning = {
  frameBytes: optionalNumber('BENCH_FRAME_BYTES'),
  sliceElements: optionalNumber('BENCH_SLICE_ELEMENTS'),
  slicesInFlight: optionalNumber('BENCH_SLICES_IN_FLIGHT'),
};

function optionalNumber(name: string): number | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? undefined : Number(raw);
}
const server = await PeerServer.start({ host: '127.0.0.1', port: 0, joinToken });
let transport: GrpcPeerTransport | undefined;
let calls = 0;

function reply(message: BenchPeerReply): void {
  process.send?.(message);
}

async function run(
  ring: GrpcPeerTransport,
  bytes: number,
  warmup: number,
  iterations: number,
): Promise<{ millis: number[]; cpuMillis: number[] }> {
  const n = ring.worldSize;
  const data = new Float32Array(bytes / 4);
  const barrier = new Float32Array(1);
  const millis: number[] = [];
  const cpuMillis: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    data.fill(ring.rank + 1);
    // A one-value all-reduce lines the ranks up, so each timing starts when the slowest rank is ready.
    await ringAllReduce(ring, barrier, { tag: `b${calls++}` });
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await ringAllReduce(ring, data, {
      tag: `r${calls++}`,
      timeoutMs: 120_000,
      sliceElements: tuning.sliceElements,
      slicesInFlight: tuning.slicesInFlight,
    });
    const elapsed = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const want = (n * (n + 1)) / 2;
    if (data.length > 0 && (data[0] !== want || data[data.length - 1] !== want)) {
      throw new Error(`rank ${ring.rank}: all-reduce of ${bytes} bytes gave ${data[0]}, want ${want}`);
    }
    if (i >= warmup) {
      millis.push(elapsed);
      cpuMillis.push((cpu.user + cpu.system) / 1000);
    }
  }
  return { millis, cpuMillis };
}

async function handle(command: BenchPeerCommand): Promise<void> {
  switch (command.cmd) {
    case 'join':
      transport = new GrpcPeerTransport({
        server,
        jobId: command.jobId,
        generation: 1,
        rank: command.rank,
        worldSize: command.addresses.length,
        peerAddresses: command.addresses,
        joinToken: command.joinToken,
        frameBytes: tuning.frameBytes,
      });
      reply({ type: 'joined' });
      return;
    case 'run':
      if (transport === undefined) throw new Error('run before join');
      try {
        reply({ type: 'timed', ...(await run(transport, command.bytes, command.warmup, command.iterations)) });
      } catch (error) {
        reply({ type: 'failed', message: String(error) });
      }
      return;
    case 'close':
      await transport?.close();
      await server.close();
      process.disconnect();
      return;
  }
}

process.on('message', (command: BenchPeerCommand) => void handle(command));
reply({ type: 'listening', port: server.port });
