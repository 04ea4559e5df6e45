import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createLogger } from '@tessera/core/logging/logger';
import { describe, expect, it } from 'vitest';
import { kernelChoiceProbe } from './kernel-choice-probe.ts';

describe('kernelChoiceProbe', () => {
  it('races the kernels on the gradients it is given and reports one line per rank', async () => {
    const reports: unknown[] = [];
    const logged: string[] = [];
    const probe = kernelChoiceProbe({
      device: 'webgpu (Dawn) on NVIDIA H100',
      rank: 1,
      log: createLogger('test', { write: (line) => logged.push(line) }),
      report: (report) => Promise.resolve(void reports.push(report)),
      choose: (gradients) => {
        tf.dispose(gradients());
        return Promise.resolve({ timing: 'gpu-timestamps', choices: [{ kernel: 'Sum', tesseraMs: 2, stockMs: 1, count: 4, chosen: 'stock' }] });
      },
    });
    let computed = 0;
    await probe(() => {
      computed++;
      return tf.scalar(1);
    });
    expect(computed).toBe(1);
    expect(reports).toEqual([
      { info: 'rank 1 kernels measured on webgpu (Dawn) on NVIDIA H100: Sum tessera 2.0 ms vs stock 1.0 ms (kept stock) [per step, GPU timestamps]' },
    ]);
    expect(logged.join('\n')).toContain('webgpu kernel choice');
  });

  it('says the measurement failed and lets the job go on with Tessera\'s kernels', async () => {
    const reports: unknown[] = [];
    const probe = kernelChoiceProbe({
      device: 'GPU',
      rank: 0,
      log: createLogger('test', { write: () => undefined }),
      report: (report) => Promise.resolve(void reports.push(report)),
      choose: () => Promise.reject(new Error('out of memory')),
    });
    await probe(() => tf.scalar(1));
    expect(reports).toEqual([{ info: "rank 0 kernel measurement failed on GPU (Tessera's kernels kept): out of memory" }]);
  });
});
