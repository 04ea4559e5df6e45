/**
 * Collective benchmark: ring all-reduce over the gRPC peer transport between 2, 3 and 4 worker processes on
 * loopback, for vectors of 1 KiB to 256 MiB, beside raw TCP loopback throughput between two Node processes measured
 * in the same run. Reports the median time per all-reduce and the bus bandwidth as NCCL's tests define it,
 * busbw = bytes / time × 2(n−1)/n (the traffic each rank's link carries), and busbw as a fraction of raw TCP.
 * Writes bench/results/collective.json. Run: `pnpm bench:collective` (a few minutes on 2 cores).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchPeerCommand, BenchPeerReply } from './support/collective-peer.ts';
import type { TcpCommand, TcpReply } from './support/tcp-pump.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** BENCH_RESULTS writes elsewhere (e.g. a baseline run kept beside the committed results). */
const RESULTS = process.env.BENCH_RESULTS ?? path.join(HERE, 'results/collective.json');
/** BENCH_RING_SIZES (e.g. "2,4") narrows the ring sizes for a quick look. */
const RING_SIZES = (process.env.BENCH_RING_SIZES ?? '2,3,4').split(',').map(Number);
const KIB = 1024;
const MIB = 1024 * KIB;
/**
 * Powers of 4 from 1 KiB to 256 MiB, plus 32 KiB (about one Sonar gradient step); BENCH_MAX_BYTES caps them and
 * BENCH_SIZES (e.g. "1k,32k,1m,16m") replaces them, for a quick look.
 */
const SIZES = (process.env.BENCH_SIZES?.split(',').map(parseSize) ?? [...Array.from({ length: 10 }, (_, i) => KIB * 4 ** i), 32 * KIB])
  .filter((bytes) => bytes <= Number(process.env.BENCH_MAX_BYTES ?? 256 * MIB))
  .sort((a, b) => a - b);

function parseSize(text: string): number {
  const match = /^(\d+)([km]?)$/i.exec(text.trim());
  if (match === null) throw new Error(`BENCH_SIZES: cannot read "${text}" (bytes, or a number with k or m)`);
  const unit = match[2]?.toLowerCase();
  return Number(match[1]) * (unit === 'k' ? KIB : unit === 'm' ? MIB : 1);
}

/** Fewer repetitions as vectors grow, so the whole run stays within a few minutes on 2 cores. */
function iterationsFor(bytes: number): { warmup: number; iterations: number } {
  if (bytes <= 64 * KIB) return { warmup: 5, iterations: 30 };
  if (bytes <= MIB) return { warmup: 2, iterations: 10 };
  if (bytes <= 16 * MIB) return { warmup: 1, iterations: 5 };
  if (bytes <= 64 * MIB) return { warmup: 1, iterations: 3 };
  return { warmup: 1, iterations: 2 };
}

/** A benchmark child with a queue of its IPC replies. */
class Child<Command, Reply> {
  readonly #replies: Reply[] = [];
  readonly #waiters: { resolve: (reply: Reply) => void; reject: (error: Error) => void }[] = [];

  constructor(readonly process: ChildProcess) {
    process.on('message', (reply: Reply) => {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#replies.push(reply);
      else waiter.resolve(reply);
    });
    process.once('exit', (code, signal) => {
      for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(`benchmark child exited (${code ?? signal})`));
    });
  }

  static fork<C, R>(script: string, args: string[], env: Record<string, string> = {}): Child<C, R> {
    return new Child<C, R>(
      fork(path.join(HERE, script), args, {
        // BENCH_CHILD_NODE_ARGS passes flags such as --cpu-prof to the children (profiling the transport).
        execArgv: ['--import', 'tsx', '--max-old-space-size=4096', ...(process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean)],
        env: { ...process.env, ...env },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
  }

  next(): Promise<Reply> {
    const ready = this.#replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  send(command: Command): void {
    this.process.send(command as object);
  }

  async close(command: Command): Promise<void> {
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.send(command);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function expectType<R extends { type: string }, T extends R['type']>(reply: R, type: T): Extract<R, { type: T }> {
  if (reply.type !== type) throw new Error(`expected ${type} from a benchmark child, got ${JSON.stringify(reply)}`);
  return reply as Extract<R, { type: T }>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function formatBytes(bytes: number): string {
  return bytes >= MIB ? `${bytes / MIB} MiB` : `${bytes / KIB} KiB`;
}

/** Bytes per second → MB/s (10^6), the unit NCCL's tests print. */
function mbps(bytesPerSecond: number): number {
  return Math.round(bytesPerSecond / 1e4) / 100;
}

interface TcpFigure {
  bytes: number;
  medianMs: number;
  throughputMBps: number;
}

async function measureTcp(): Promise<TcpFigure[]> {
  const sink = Child.fork<TcpCommand, TcpReply>('support/tcp-pump.ts', ['sink']);
  const source = Child.fork<TcpCommand, TcpReply>('support/tcp-pump.ts', ['source']);
  try {
    const { port } = expectType(await sink.next(), 'listening');
    source.send({ cmd: 'connect', port });
    expectType(await source.next(), 'connected');
    const figures: TcpFigure[] = [];
    for (const bytes of SIZES) {
      source.send({ cmd: 'run', bytes, ...iterationsFor(bytes) });
      const medianMs = median(expectType(await source.next(), 'timed').millis);
      figures.push({ bytes, medianMs: Math.round(medianMs * 1000) / 1000, throughputMBps: mbps(bytes / (medianMs / 1000)) });
      progress(`tcp  ${formatBytes(bytes).padStart(8)}  ${medianMs.toFixed(3)} ms  ${mbps(bytes / (medianMs / 1000))} MB/s`);
    }
    return figures;
  } finally {
    await Promise.all([source.close({ cmd: 'close' }), sink.close({ cmd: 'close' })]);
  }
}

interface RingFigure {
  n: number;
  bytes: number;
  iterations: number;
  medianMs: number;
  cpuMsPerRank: number;
  algbwMBps: number;
  busbwMBps: number;
  tcpMBps: number;
  busbwOverTcp: number;
}

async function measureRing(n: number, tcp: readonly TcpFigure[]): Promise<RingFigure[]> {
  const joinToken = randomUUID();
  const peers = Array.from({ length: n }, () =>
    Child.fork<BenchPeerCommand, BenchPeerReply>('support/collective-peer.ts', [], { BENCH_JOIN_TOKEN: joinToken }),
  );
  try {
    const ports = await Promise.all(peers.map(async (peer) => expectType(await peer.next(), 'listening').port));
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    const jobId = `bench-${randomUUID()}`;
    peers.forEach((peer, rank) => peer.send({ cmd: 'join', jobId, rank, addresses, joinToken }));
    for (const peer of peers) expectType(await peer.next(), 'joined');

    const figures: RingFigure[] = [];
    for (const bytes of SIZES) {
      const plan = iterationsFor(bytes);
      for (const peer of peers) peer.send({ cmd: 'run', bytes, ...plan });
      const perRank = await Promise.all(peers.map(async (peer) => expectType(await peer.next(), 'timed')));
      // An all-reduce takes as long as its slowest rank.
      const slowest = Array.from({ length: plan.iterations }, (_, i) => Math.max(...perRank.map((r) => r.millis[i] as number)));
      const medianMs = median(slowest);
      const cpuMsPerRank = median(perRank.flatMap((r) => r.cpuMillis));
      const algbw = bytes / (medianMs / 1000);
      const busbw = (algbw * 2 * (n - 1)) / n;
      const tcpMBps = tcp.find((t) => t.bytes === bytes)?.throughputMBps ?? Number.NaN;
      const figure = {
        n,
        bytes,
        iterations: plan.iterations,
        medianMs: Math.round(medianMs * 1000) / 1000,
        cpuMsPerRank: Math.round(cpuMsPerRank * 1000) / 1000,
        algbwMBps: mbps(algbw),
        busbwMBps: mbps(busbw),
        tcpMBps,
        busbwOverTcp: Math.round((mbps(busbw) / tcpMBps) * 1000) / 1000,
      };
      figures.push(figure);
      progress(
        `n=${n} ${formatBytes(bytes).padStart(8)}  ${figure.medianMs.toFixed(3)} ms  cpu ${figure.cpuMsPerRank.toFixed(3)} ms  busbw ${figure.busbwMBps} MB/s  ` +
          `(${(figure.busbwOverTcp * 100).toFixed(1)}% of tcp)`,
      );
    }
    return figures;
  } finally {
    await Promise.all(peers.map((peer) => peer.close({ cmd: 'close' })));
  }
}

const startedAt = Date.now();
function progress(line: string): void {
  console.log(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}`);
}

function table(figures: readonly RingFigure[]): string {
  const header = ['size', ...RING_SIZES.map((n) => `n=${n} ms`), ...RING_SIZES.map((n) => `n=${n} busbw MB/s`), 'tcp MB/s'];
  const rows = SIZES.map((bytes) => {
    const at = (n: number): RingFigure | undefined => figures.find((f) => f.n === n && f.bytes === bytes);
    return [
      formatBytes(bytes),
      ...RING_SIZES.map((n) => at(n)?.medianMs.toFixed(2) ?? '-'),
      ...RING_SIZES.map((n) => {
        const f = at(n);
        return f === undefined ? '-' : `${f.busbwMBps} (${(f.busbwOverTcp * 100).toFixed(0)}%)`;
      }),
      String(at(RING_SIZES[0] as number)?.tcpMBps ?? '-'),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padStart(widths[i] as number)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const machine = {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
  progress(`${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`);
  const tcp = await measureTcp();
  const ring: RingFigure[] = [];
  for (const n of RING_SIZES) ring.push(...(await measureRing(n, tcp)));

  const result = {
    benchmark: 'ring all-reduce over gRPC peer transport, loopback',
    date: new Date().toISOString(),
    durationS: Math.round((Date.now() - startedAt) / 1000),
    machine,
    definitions: {
      medianMs: 'median over iterations of the slowest rank’s time for one all-reduce (after a one-value barrier)',
      cpuMsPerRank:
        'median over iterations and ranks of the CPU time (user + system) one rank spends per all-reduce: steadier than ' +
        'wall time when other work shares the cores',
      busbwMBps: 'bytes / medianMs × 2(n−1)/n, in 10^6 bytes/s (NCCL tests)',
      tcpMBps: 'raw TCP loopback throughput between two Node processes for the same bytes, same run',
    },
    summary: {
      peakTcpMBps: Math.max(...tcp.map((t) => t.throughputMBps)),
      peakBusbwMBps: Object.fromEntries(
        RING_SIZES.map((n) => [`n=${n}`, Math.max(...ring.filter((f) => f.n === n).map((f) => f.busbwMBps))]),
      ),
    },
    tcp,
    ring,
  };
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n${table(ring)}\n\nwrote ${path.relative(process.cwd(), RESULTS)} in ${result.durationS} s`);
}

await main();
