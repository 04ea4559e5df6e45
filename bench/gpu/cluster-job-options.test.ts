import { describe, expect, it } from 'vitest';
import { clusterJobOptionsFromEnv } from './cluster-job-options.ts';

describe('clusterJobOptionsFromEnv', () => {
  it('defaults to webgpu, the spec’s epochs, 300 s, and results with their logs under bench/results', () => {
    expect(clusterJobOptionsFromEnv({}, '/repo')).toEqual({
      backend: 'webgpu',
      epochs: undefined,
      timeoutMs: 300_000,
      resultsPath: '/repo/bench/results/cluster-job.json',
      logDir: '/repo/bench/results/cluster-job-logs',
    });
  });

  it('takes each variable, paths relative to the working directory', () => {
    const env = { TESSERA_BACKEND: 'cpu', BENCH_CLUSTER_EPOCHS: '3', BENCH_CLUSTER_TIMEOUT_S: '60', BENCH_CLUSTER_RESULTS: 'out/job.json', BENCH_CLUSTER_LOGS: '/logs' };
    expect(clusterJobOptionsFromEnv(env, '/w')).toEqual({ backend: 'cpu', epochs: 3, timeoutMs: 60_000, resultsPath: '/w/out/job.json', logDir: '/logs' });
    expect(clusterJobOptionsFromEnv({ BENCH_CLUSTER_RESULTS: '/o/r.json' }, '/w').logDir).toBe('/o/r-logs');
  });

  it('rejects auto or an unknown backend and bad numbers, naming the variable', () => {
    expect(() => clusterJobOptionsFromEnv({ TESSERA_BACKEND: 'auto' }, '/w')).toThrow(/TESSERA_BACKEND must be one of webgpu, tensorflow, wasm, cpu .*"auto"/);
    expect(() => clusterJobOptionsFromEnv({ BENCH_CLUSTER_EPOCHS: '0' }, '/w')).toThrow(/BENCH_CLUSTER_EPOCHS must be a positive integer, got "0"/);
    expect(() => clusterJobOptionsFromEnv({ BENCH_CLUSTER_TIMEOUT_S: '1.5' }, '/w')).toThrow(/BENCH_CLUSTER_TIMEOUT_S/);
  });
});
