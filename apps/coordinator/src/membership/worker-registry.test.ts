import { describe, expect, it } from 'vitest';
import { FakeClock } from '@tessera/core/time/clock';
import type { AssignmentMessage } from '@tessera/proto/generated/tessera/workers/v1/AssignmentMessage';
import { WorkerRegistry } from './worker-registry.ts';

function setup() {
  const clock = new FakeClock(1_000);
  const lost: Array<[string, number]> = [];
  const registry = new WorkerRegistry(clock, { timeoutMs: 5_000, sweepMs: 1_000, onLost: (id, ms) => lost.push([id, ms]) });
  registry.start();
  return { clock, lost, registry };
}

describe('WorkerRegistry', () => {
  it('declares a silent worker lost once, after the timeout, and keeps beating ones', () => {
    const { clock, lost, registry } = setup();
    registry.join('a');
    registry.join('b');
    for (let i = 0; i < 8; i++) {
      clock.advance(1_000);
      registry.heartbeat('b');
    }
    expect(lost.map(([id]) => id)).toEqual(['a']);
    expect(lost[0]![1]).toBeGreaterThan(5_000);
    expect(registry.heartbeat('a')).toBe(false);
    expect(registry.heartbeat('b')).toBe(true);
  });

  it('replays the current assignment to a reopened stream, and not after a cancellation', () => {
    const { registry } = setup();
    registry.join('w');
    const assignment: AssignmentMessage = { assignment: { jobId: 'j', generation: 1, rank: 0, worldSize: 1 } };
    registry.send('w', assignment);
    const received: AssignmentMessage[] = [];
    const sink = { send: (m: AssignmentMessage) => received.push(m), end: () => undefined };
    registry.attach('w', sink);
    expect(received).toEqual([assignment]);
    registry.send('w', { cancellation: { jobId: 'j', generation: 1, reason: 'x' } });
    const again: AssignmentMessage[] = [];
    registry.attach('w', { send: (m) => again.push(m), end: () => undefined });
    expect(again).toEqual([]);
    expect(registry.reachableIds()).toEqual(['w']);
  });
});
