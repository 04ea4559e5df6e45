import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@tessera/core/logging/logger';
import { CoordinatorLink } from '@tessera/worker/agent/coordinator-link';
import { InThreadHeartbeats, ThreadHeartbeats, type Heartbeats } from '@tessera/worker/agent/heartbeats';
import type { RecorderCommand, RecorderReply } from './support/heartbeat-recorder.ts';

const RECORDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/heartbeat-recorder.ts');
const INTERVAL_MS = 100;

/** Holds this thread as a long synchronous tfjs kernel does. */
function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy: nothing else runs on this thread meanwhile
  }
}

let recorder: ChildProcess;
let address: string;
const replies: RecorderReply[] = [];
const waiters: Array<(reply: RecorderReply) => void> = [];

function ask(command: RecorderCommand): Promise<RecorderReply> {
  recorder.send(command);
  return new Promise((resolve) => waiters.push(resolve));
}

async function arrivalsOf(workerId: string): Promise<number[]> {
  const reply = await ask({ cmd: 'arrivals' });
  if (reply.type !== 'arrivals') throw new Error(`unexpected ${reply.type}`);
  return reply.at.filter((a) => a.workerId === workerId).map((a) => a.ms);
}

/** Beats as `workerId` while this thread is blocked for `blockMs`; returns the arrival times inside the block. */
async function beatsDuringBlock(heartbeats: Heartbeats, workerId: string, blockMs: number): Promise<number[]> {
  heartbeats.start(INTERVAL_MS, () => ({ workerId, jobId: 'job-1', generation: 1, samplesPerSecond: 3 }), () => undefined);
  // Let the first beats through (the thread's start-up) before blocking.
  const deadline = Date.now() + 20_000;
  while ((await arrivalsOf(workerId)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const start = Date.now();
  blockFor(blockMs);
  const end = Date.now();
  await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS));
  heartbeats.stop();
  return (await arrivalsOf(workerId)).filter((ms) => ms > start && ms < end).map((ms) => ms - start);
}

describe('worker heartbeats while the main thread is busy', () => {
  beforeAll(async () => {
    recorder = fork(RECORDER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    recorder.on('message', (reply: RecorderReply) => {
      const waiter = waiters.shift();
      if (waiter) waiter(reply);
      else replies.push(reply);
    });
    const first = await new Promise<RecorderReply>((resolve) => waiters.push(resolve));
    if (first.type !== 'listening') throw new Error('recorder did not start');
    address = `127.0.0.1:${first.port}`;
  });
  afterAll(() => {
    recorder?.kill();
  });

  it('keep arriving from their own thread during a 1.5 s synchronous step (none from a timer on the blocked thread)', async () => {
    const log = createLogger('test', { level: 'error' });
    const threaded = await beatsDuringBlock(new ThreadHeartbeats({ address, joinToken: 't', stallLimitMs: 60_000, log }), 'threaded', 1500);
    expect(threaded.length).toBeGreaterThanOrEqual(5);
    const link = new CoordinatorLink(address, 't');
    const inThread = await beatsDuringBlock(new InThreadHeartbeats(link), 'in-thread', 1500);
    link.close();
    expect(inThread).toEqual([]);
  });

  it('stop once the main thread has been silent for the stall limit', async () => {
    const log = createLogger('test', { level: 'error' });
    const beats = await beatsDuringBlock(new ThreadHeartbeats({ address, joinToken: 't', stallLimitMs: 400, log }), 'stalled', 2000);
    expect(beats.length).toBeGreaterThanOrEqual(1);
    // Nothing well after the limit (a beat already in flight at the limit may land just after it).
    expect(beats.filter((ms) => ms > 400 + 2 * INTERVAL_MS)).toEqual([]);
  });

  it('tell the agent when the coordinator no longer knows the worker', async () => {
    const log = createLogger('test', { level: 'error' });
    recorder.send({ cmd: 'forget', workerId: 'forgotten' } satisfies RecorderCommand);
    const heartbeats = new ThreadHeartbeats({ address, joinToken: 't', stallLimitMs: 60_000, log });
    const told = new Promise<boolean>((resolve) => {
      heartbeats.start(INTERVAL_MS, () => ({ workerId: 'forgotten', jobId: '', generation: 0, samplesPerSecond: 0 }), () => resolve(true));
      setTimeout(() => resolve(false), 15_000).unref();
    });
    expect(await told).toBe(true);
    heartbeats.stop();
  });
});
