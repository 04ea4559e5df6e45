import { describe, expect, it } from 'vitest';
import { decideKernels, decideWinograd, describeKernelChoices } from './kernel-choice.ts';
import type { KernelTime } from './kernel-profile.ts';

function time(kernel: string, totalMs: number, count = 1): KernelTime {
  return { kernel, programs: [], count, totalMs };
}

/** A kernel's time with one call per named layer shape. */
function shaped(kernel: string, shapes: Record<string, number>): KernelTime {
  return {
    kernel,
    programs: [],
    count: Object.keys(shapes).length,
    totalMs: Object.values(shapes).reduce((a, b) => a + b, 0),
    shapes: Object.entries(shapes).map(([key, totalMs]) => ({ key, count: 1, totalMs })),
  };
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

  it('decides layer shape by layer shape where the times have shapes, splitting a kernel that each side wins in part', () => {
    const choices = decideKernels(
      ['Split', 'AllStock', 'AllOurs', 'Unmatched'],
      [shaped('Split', { fc1: 12, fc2: 3, tie: 5 }), shaped('AllStock', { a: 4, b: 4 }), shaped('AllOurs', { a: 1, b: 1 }), shaped('Unmatched', { a: 10, b: 1 })],
      // Split: stock wins fc1 (4 vs 12), loses fc2 (6 vs 3), ties inside the margin; Unmatched: stock's profile lacks
      // shape b, so the kernel is decided on its totals.
      [shaped('Split', { fc1: 4, fc2: 6, tie: 4.9 }), shaped('AllStock', { a: 2, b: 3 }), shaped('AllOurs', { a: 2, b: 2 }), shaped('Unmatched', { a: 2 })],
      0.05,
    );
    expect(choices).toEqual([
      { kernel: 'Split', tesseraMs: 20, stockMs: 14.9, count: 3, chosen: 'tessera', perShape: { shapes: 3, stockShapes: ['fc1'], chosenMs: 12 } },
      { kernel: 'Unmatched', tesseraMs: 11, stockMs: 2, count: 2, chosen: 'stock' },
      { kernel: 'AllStock', tesseraMs: 8, stockMs: 5, count: 2, chosen: 'stock' },
      { kernel: 'AllOurs', tesseraMs: 2, stockMs: 4, count: 2, chosen: 'tessera' },
    ]);
  });
});

describe('decideWinograd', () => {
  it('keeps Winograd for each layer shape unless the direct GEMM is faster there by more than the margin', () => {
    const { decisions, tesseraTimes } = decideWinograd(
      ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput'],
      [shaped('Conv2D', { big: 6, small: 4 }), shaped('Conv2DBackpropInput', { big: 10 }), shaped('FusedConv2D', { big: 10 }), time('Sum', 3)],
      [shaped('Conv2D', { big: 15, small: 2 }), shaped('Conv2DBackpropInput', { big: 6 }), shaped('FusedConv2D', { big: 9.7 }), time('Sum', 1)],
      0.05,
    );
    expect(Object.fromEntries(decisions)).toEqual({
      Conv2D: { winogradMs: 10, directMs: 17, shapes: 2, directShapes: ['small'] },
      Conv2DBackpropInput: { winogradMs: 10, directMs: 6, shapes: 1, directShapes: ['big'] },
      FusedConv2D: { winogradMs: 10, directMs: 9.7, shapes: 1, directShapes: [] },
    });
    // Each kernel's time is its shapes' as decided (Conv2D: 6 by Winograd + 2 direct); Sum has no Winograd path.
    expect(tesseraTimes.map((t) => [t.kernel, t.totalMs])).toEqual([
      ['Conv2D', 8],
      ['Conv2DBackpropInput', 6],
      ['FusedConv2D', 10],
      ['Sum', 3],
    ]);
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
    expect(
      describeKernelChoices({
        timing: 'gpu-timestamps',
        choices: [{ kernel: 'Conv2D', tesseraMs: 6, stockMs: 9, count: 2, chosen: 'tessera', winograd: { winogradMs: 6.5, directMs: 11.04, shapes: 3, directShapes: ['[[2,4,4,16],[3,3,16,16]]'] } }],
      }),
    ).toBe('Conv2D tessera 6.0 ms [direct GEMM for 1 of 3 shapes; all Winograd 6.5 ms, all direct 11.0 ms] vs stock 9.0 ms (kept tessera) [per step, GPU timestamps]');
    expect(
      describeKernelChoices({
        timing: 'wall-clock',
        choices: [{ kernel: 'BatchMatMul', tesseraMs: 20, stockMs: 14.9, count: 3, chosen: 'tessera', perShape: { shapes: 3, stockShapes: ['fc1'], chosenMs: 12 } }],
      }),
    ).toBe('BatchMatMul tessera 20.0 ms vs stock 14.9 ms (stock for 1 of 3 shapes, tessera for the rest: 12.0 ms) [per step, wall clock]');
    expect(describeKernelChoices({ timing: 'none', choices: [] })).toMatch(/^not measured: the device has no 'timestamp-query'/);
    expect(describeKernelChoices({ timing: 'gpu-timestamps', choices: [] })).toMatch(/^none of the kernels Tessera replaces ran/);
  });
});
