/**
 * The raw-TCP baseline of `bench/collective.ts`: a plain `net` socket between two processes on loopback, the best a
 * Node process can move bytes between peers without gRPC, HTTP/2 or protobuf on top. Run as `sink` (counts bytes,
 * answers one byte per complete message) or `source` (writes each message in 1 MiB writes, honouring backpressure,
 * and times it until the sink's answer).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export type TcpCommand =
  | { cmd: 'connect'; port: number }
  | { cmd: 'run'; bytes: number; warmup: number; iterations: number }
  | { cmd: 'close' };

export type TcpReply =
  | { type: 'listening'; port: number }
  | { type: 'connected' }
  | { type: 'timed'; millis: number[] }
  | { type: 'failed'; message: string };

const WRITE_BYTES = 1024 * 1024;
const role = process.argv[2];

function reply(message: TcpReply): void {
  process.send?.(message);
}

if (role === 'sink') {
  // The sink learns each message's length from an 8-byte header, then answers one byte once it has it all.
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let expected = -1;
    let received = 0;
    let header = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      let rest = chunk;
      while (rest.length > 0) {
        if (expected < 0) {
          const need = 8 - header.length;
          header = Buffer.concat([header, rest.subarray(0, need)]);
          rest = rest.subarray(need);
          if (header.length < 8) return;
          expected = Number(header.readBigUInt64LE(0));
          header = Buffer.alloc(0);
          received = 0;
        }
        const take = Math.min(rest.length, expected - received);
        received += take;
        rest = rest.subarray(take);
        if (received === expected) {
          expected = -1;
          socket.write(Buffer.of(1));
        }
      }
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    reply({ type: 'listening', port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
  process.on('message', (command: TcpCommand) => {
    if (command.cmd === 'close') {
      server.close();
      process.disconnect();
      process.exit(0);
    }
  });
} else {
  let socket: net.Socket | undefined;
  const acks: (() => void)[] = [];
  const pump = async (bytes: number): Promise<number> => {
    const s = socket;
    if (s === undefined) throw new Error('run before connect');
    const payload = Buffer.alloc(Math.min(bytes, WRITE_BYTES), 7);
    const header = Buffer.alloc(8);
    header.writeBigUInt64LE(BigInt(bytes));
    const acked = new Promise<void>((resolve) => acks.push(resolve));
    const start = performance.now();
    s.write(header);
    for (let sent = 0; sent < bytes; sent += payload.length) {
      const slice = payload.subarray(0, Math.min(payload.length, bytes - sent));
      if (!s.write(slice)) await new Promise<void>((resolve) => s.once('drain', resolve));
    }
    await acked;
    return performance.now() - start;
  };
  process.on('message', (command: TcpCommand) => {
    void (async () => {
      switch (command.cmd) {
        case 'connect':
          socket = net.connect(command.port, '127.0.0.1', () => reply({ type: 'connected' }));
          socket.setNoDelay(true);
          socket.on('data', (chunk: Buffer) => {
            for (let i = 0; i < chunk.length; i++) acks.shift()?.();
          });
          return;
        case 'run':
          try {
            const millis: number[] = [];
            for (let i = 0; i < command.warmup + command.iterations; i++) {
              const elapsed = await pump(command.bytes);
              if (i >= command.warmup) millis.push(elapsed);
            }
            reply({ type: 'timed', millis });
          } catch (error) {
            reply({ type: 'failed', message: String(error) });
          }
          return;
        case 'close':
          socket?.destroy();
          process.disconnect();
          return;
      }
    })();
  });
}
