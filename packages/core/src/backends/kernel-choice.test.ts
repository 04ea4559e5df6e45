import { describe, expect, it } from 'vitest';
import { decideKernels, describeKernelChoices } from './kernel-choice.ts';
import type { KernelTime } from './kernel-profile.ts';

function time(kernel: string, totalMs: number, count = 1): KernelTime {
  return { kernel, programs: [], count, totalMs };
}

describe('decideKernels', () => {
  it('keeps Tessera\'s unless stock is faster by more than the margin, and skips kernels that did not run under both', () => {
    const choices = decideKernels(
      ['A', 'B', 'Tie', 'Edge', 'OnlyOurs', 'Idle'],
      [time('A', 10, 3), time('B', 20), time('Tie', 10), time('Edge', 10), time('OnlyOurs', 5), time('Relu', 1)],
      [time('A', 30, 3), time('B', 10), time('Tie', 9.6), time('Edge', 9.4), time('Relu', 1)],
      0.05,
    );
    expect(choices).toEqual([
      { kernel: 'A', tesseraMs: 10, stockMs: 30, count: 3, chosen: 'tessera' },
      { kernel: 'B', tesseraMs: 20, stockMs: 10, count: 1, chosen: 'stock' },
      { kernel: 'Tie', tesseraMs: 10, stockMs: 9.6, count: 1, chosen: 'tessera' },
      { kernel: 'Edge', tesseraMs: 10, stockMs: 9.4, count: 1, chosen: 'stock' },
    ]);
    expect(decideKernels(['Tie'], [time('Tie', 10)], [time('Tie', 9.6)], 0)[0]?.chosen).toBe('stock');
  });
});

describe('describeKernelChoices', () => {
  it('gives one line with each kernel\'s times and what was kept, and says when nothing was measured', () => {
    expect(
      describeKernelChoices({
        timing: 'gpu-timestamps',
        choices: [
          { kernel: 'Conv2DBackpropFilter', tesseraMs: 12.09, stockMs: 30.2, count: 13, chosen: 'tessera' },
          { kernel: 'Sum', tesseraMs: 2, stockMs: 1, count: 4, chosen: 'stock' },
        ],
      }),
    ).toBe('Conv2DBackpropFilter tessera 12.1 ms vs stock 30.2 ms (kept tessera); Sum tessera 2.0 ms vs stock 1.0 ms (kept stock) [per step, GPU timestamps]');
    expect(describeKernelChoices({ timing: 'none', choices: [] })).toMatch(/^not measured: the device has no 'timestamp-query'/);
    expect(describeKernelChoices({ timing: 'gpu-timestamps', choices: [] })).toMatch(/^none of the kernels Tessera replaces ran/);
  });
});
