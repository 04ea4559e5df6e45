import { describe, expect, it } from 'vitest';
import { clusterJobResult, parseRankStart, type ClusterJobObservation } from './cluster-job-result.ts';

const device = 'webgpu (Dawn) on NVIDIA H100 80GB HBM3 (nvidia, hopper), 79.6 GiB';

function observation(overrides: Partial<ClusterJobObservation> = {}): ClusterJobObservation {
  const event = (seq: number, kind: string, message: string, workerId = '') => ({ seq, at: `2026-11-28T00:00:0${seq}Z`, kind, message, workerId });
  return {
    requestedBackend: 'webgpu',
    workerCount: 2,
    job: {
      id: 'j1',
      name: 'sonar',
      state: 'JOB_STATE_SUCCEEDED',
      reason: '',
      workerIds: ['local-0', 'local-1'],
      step: 33,
      totalSteps: 33,
      epoch: 3,
      totalEpochs: 3,
      latestMetrics: { 'test/accuracy': 0.8 },
      startedAt: '',
      endedAt: '',
    },
    workers: [
      { id: 'local-0', backend: 'webgpu', device, state: 'WORKER_STATE_IDLE' },
      { id: 'local-1', backend: 'webgpu', device, state: 'WORKER_STATE_IDLE' },
    ],
    events: [
      event(1, 'state', 'queued'),
      event(2, 'info', `rank 1/2 starting on webgpu (${device})`, 'local-1'),
      event(3, 'info', `rank 0/2 starting on webgpu (${device})`, 'local-0'),
      event(4, 'info', 'rank 0 kernels measured on NVIDIA H100: BatchMatMul tessera 0.1 ms vs stock 0.2 ms (kept tessera)', 'local-0'),
      event(5, 'state', 'succeeded'),
    ],
    ...overrides,
  };
}

describe('parseRankStart', () => {
  it('reads rank, world size, backend and device (parentheses inside the device included)', () => {
    expect(parseRankStart(`rank 1/2 starting on webgpu (${device})`, 'local-1')).toEqual({ rank: 1, worldSize: 2, backend: 'webgpu', device, workerId: 'local-1' });
    expect(parseRankStart('rank 0/2 starting on cpu (cpu (JavaScript) on AMD EPYC)')?.device).toBe('cpu (JavaScript) on AMD EPYC');
  });

  it('ignores other messages', () => {
    expect(parseRankStart('rank 0 kernels measured on NVIDIA H100: …')).toBeUndefined();
    expect(parseRankStart('epoch 1/3 done')).toBeUndefined();
  });
});

describe('clusterJobResult', () => {
  it('passes a succeeded job whose workers and ranks all ran on the requested backend, keeping its info events', () => {
    const result = clusterJobResult(observation());
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.rankStarts.map((s) => [s.rank, s.backend, s.workerId])).toEqual([
      [1, 'webgpu', 'local-1'],
      [0, 'webgpu', 'local-0'],
    ]);
    expect(result.kernelsMeasured).toHaveLength(1);
    expect(result.infoEvents.map((e) => e.message)).toHaveLength(3);
    expect(result.events).toHaveLength(5);
  });

  it('fails a job that did not succeed, with its reason', () => {
    const failed = observation();
    const result = clusterJobResult({ ...failed, job: { ...failed.job, state: 'JOB_STATE_FAILED', reason: 'peer lost' } });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(['job j1 ended JOB_STATE_FAILED: peer lost']);
  });

  it('fails when a worker registered on another backend, or a worker is missing', () => {
    const base = observation();
    const other = clusterJobResult({ ...base, workers: [base.workers[0]!, { ...base.workers[1]!, backend: 'cpu', device: 'cpu (JavaScript)' }] });
    expect(other.problems).toEqual(['worker local-1 registered on cpu (cpu (JavaScript)), not webgpu']);
    expect(clusterJobResult({ ...base, workers: [base.workers[0]!] }).problems).toEqual(['1 workers registered, expected 2']);
  });

  it("fails when a rank's start event is missing or names another backend; a restarted rank's last start counts", () => {
    const base = observation();
    const only = base.events.filter((e) => !e.message.startsWith('rank 1/2'));
    expect(clusterJobResult({ ...base, events: only }).problems).toEqual(['no "rank 1/2 starting on …" event']);
    const restarted = [...base.events, { seq: 6, at: '', kind: 'info', message: 'rank 1/2 starting on wasm (wasm, 1 thread)', workerId: 'local-1' }];
    expect(clusterJobResult({ ...base, events: restarted }).problems).toEqual(['rank 1 started on wasm (wasm, 1 thread), not webgpu']);
    const recovered = [{ seq: 0, at: '', kind: 'info', message: 'rank 1/2 starting on wasm (wasm, 1 thread)', workerId: 'x' }, ...base.events];
    expect(clusterJobResult({ ...base, events: recovered }).ok).toBe(true);
  });
});
