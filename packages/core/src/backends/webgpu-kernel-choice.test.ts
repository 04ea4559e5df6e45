import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeKernelChoices } from './kernel-choice.ts';
import type { KernelTime } from './kernel-profile.ts';
import { startTestWebgpu } from './webgpu-runtime.ts';
import type * as Choice from './webgpu-kernel-choice.ts';
import type * as Kernels from './webgpu-training-kernels.ts';
import type * as Winograd from './webgpu-winograd.ts';

// Imported after WebGPU is up: tfjs-backend-webgpu looks for navigator.gpu when first imported.
let kernels: typeof Kernels;
let choice: typeof Choice;
let winograd: typeof Winograd;
let winogradKernelNames: readonly string[];
let overrides: readonly string[];
const stockFuncs = new Map<string, KernelFunc>();

// Each registration after a restore builds Tessera's kernel afresh, so Tessera's is "not the package's own".
function registered(name: string): 'tessera' | 'stock' {
  return tf.getKernel(name, 'webgpu').kernelFunc === stockFuncs.get(name) ? 'stock' : 'tessera';
}

function time(kernel: string, totalMs: number): KernelTime {
  return { kernel, programs: [], count: 2, totalMs };
}

describe('measured webgpu kernel choice', () => {
  beforeAll(async () => {
    await startTestWebgpu();
    kernels = await import('./webgpu-training-kernels.ts');
    choice = await import('./webgpu-kernel-choice.ts');
    winograd = await import('./webgpu-winograd.ts');
    winogradKernelNames = winograd.winogradKernelNames;
    overrides = kernels.webgpuKernelOverrides();
    kernels.registerWebgpuTrainingKernels();
    kernels.restoreStockWebgpuKernels();
    for (const name of overrides) stockFuncs.set(name, tf.getKernel(name, 'webgpu').kernelFunc);
    kernels.registerWebgpuTrainingKernels();
  });

  it('lists the stock kernels Tessera replaces, not its own optimizer kernels', () => {
    const all = kernels.registerWebgpuTrainingKernels();
    expect(overrides).toContain('Conv2DBackpropFilter');
    expect(overrides.every((name) => all.includes(name))).toBe(true);
    expect(overrides).not.toContain('TesseraSgdUpdate');
    for (const name of overrides) expect(registered(name)).toBe('tessera');
  });

  it('restores only the named stock kernels', () => {
    const [first, ...rest] = overrides;
    kernels.restoreStockWebgpuKernels([first!]);
    expect(registered(first!)).toBe('stock');
    for (const name of rest) expect(registered(name)).toBe('tessera');
    kernels.restoreStockWebgpuKernels([]);
    for (const name of rest) expect(registered(name)).toBe('tessera');
    kernels.registerWebgpuTrainingKernels();
    expect(registered(first!)).toBe('tessera');
  });

  it('keeps the faster implementation of each kernel, in both directions, with injected times', async () => {
    // Kernels without a Winograd path: one measurement per implementation.
    const [a, b, tie, idle] = overrides.filter((name) => !winogradKernelNames.includes(name));
    if (a === undefined || b === undefined || tie === undefined || idle === undefined) throw new Error('expected at least 4 overrides');
    const run = async (times: Record<'tessera' | 'stock', readonly KernelTime[]>) => {
      const seen: string[] = [];
      const measurer: Choice.KernelMeasurer = {
        timing: () => 'gpu-timestamps',
        measure: (_step, implementation) => {
          // The measurer runs with every overridden kernel registered as the variant it is told.
          seen.push(`${implementation}:${overrides.every((name) => registered(name) === implementation)}`);
          return Promise.resolve(times[implementation]);
        },
      };
      const outcome = await choice.chooseWebgpuKernels(() => tf.scalar(0), { measurer, switchMargin: 0.05 });
      expect(seen).toEqual(['tessera:true', 'stock:true']);
      return outcome;
    };
    // a: Tessera's 10 vs stock 30; b: stock faster by half; tie: stock 3% faster (inside the margin); idle never ran.
    const first = await run({
      tessera: [time(a, 10), time(b, 20), time(tie, 10), time('Relu', 1)],
      stock: [time(a, 30), time(b, 10), time(tie, 9.7), time('Relu', 1)],
    });
    expect(first.timing).toBe('gpu-timestamps');
    expect(first.choices).toEqual([
      { kernel: a, tesseraMs: 10, stockMs: 30, count: 2, chosen: 'tessera' },
      { kernel: b, tesseraMs: 20, stockMs: 10, count: 2, chosen: 'stock' },
      { kernel: tie, tesseraMs: 10, stockMs: 9.7, count: 2, chosen: 'tessera' },
    ]);
    expect([registered(a), registered(b), registered(tie), registered(idle)]).toEqual(['tessera', 'stock', 'tessera', 'tessera']);

    // Measured again the other way round, starting from the mixed registration the first choice left.
    const second = await run({ tessera: [time(a, 30), time(b, 10)], stock: [time(a, 10), time(b, 20)] });
    expect(second.choices.map((c) => [c.kernel, c.chosen])).toEqual([
      [a, 'stock'],
      [b, 'tessera'],
    ]);
    expect([registered(a), registered(b), registered(tie), registered(idle)]).toEqual(['stock', 'tessera', 'tessera', 'tessera']);
    kernels.registerWebgpuTrainingKernels();
  });

  it('times convolutions that ran by Winograd on the direct GEMM too, and keeps the faster of the two per layer shape', async () => {
    const seen: string[] = [];
    const winogradState = () => winogradKernelNames.map((name) => `${name}=${winograd.winogradEnabled(name)}`).join(',');
    const shaped = (kernel: string, shapes: Record<string, number>): KernelTime => ({
      kernel,
      programs: [],
      count: 2,
      totalMs: Object.values(shapes).reduce((a, b) => a + b, 0),
      shapes: Object.entries(shapes).map(([key, totalMs]) => ({ key, count: 1, totalMs })),
    });
    const measurer: Choice.KernelMeasurer = {
      timing: () => 'gpu-timestamps',
      measure: (_step, implementation) => {
        seen.push(`${implementation} ${winogradState()}`);
        if (implementation === 'stock') return Promise.resolve([time('Conv2D', 30), time('Conv2DBackpropInput', 30)]);
        // Conv2D: Winograd wins its big layer (4 vs 20 ms), the direct GEMM its small one (1 vs 3); the input gradient's
        // one layer goes direct (8 vs 20).
        return Promise.resolve(
          winograd.winogradEnabled('Conv2D')
            ? [shaped('Conv2D', { big: 4, small: 3 }), shaped('Conv2DBackpropInput', { big: 20 })]
            : [shaped('Conv2D', { big: 20, small: 1 }), shaped('Conv2DBackpropInput', { big: 8 })],
        );
      },
    };
    // Whatever an earlier race left is undone first.
    winograd.setWinogradEnabled('Conv2D', false);
    winograd.setWinogradEnabled('FusedConv2D', false, 'old');
    const outcome = await choice.chooseWebgpuKernels(() => tf.scalar(0), { measurer, switchMargin: 0.05 });
    const on = winogradKernelNames.map((name) => `${name}=true`).join(',');
    const off = winogradKernelNames.map((name) => `${name}=false`).join(',');
    expect(seen).toEqual([`tessera ${on}`, `tessera ${off}`, `stock ${on}`]);
    expect(outcome.choices).toEqual([
      { kernel: 'Conv2D', tesseraMs: 5, stockMs: 30, count: 2, chosen: 'tessera', winograd: { winogradMs: 7, directMs: 21, shapes: 2, directShapes: ['small'] } },
      { kernel: 'Conv2DBackpropInput', tesseraMs: 8, stockMs: 30, count: 2, chosen: 'tessera', winograd: { winogradMs: 20, directMs: 8, shapes: 1, directShapes: ['big'] } },
    ]);
    expect([winograd.winogradEnabled('Conv2D', 'big'), winograd.winogradEnabled('Conv2D', 'small'), winograd.winogradEnabled('Conv2DBackpropInput', 'big')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(winograd.winogradEnabled('FusedConv2D', 'old')).toBe(true);
    winograd.resetWinograd();
  });

  it('splits a kernel layer shape by layer shape: the shapes stock won run stock\'s programs, the rest Tessera\'s', async () => {
    const profile = await import('./kernel-profile.ts');
    const a = tf.randomNormal<tf.Rank.R2>([8, 32], 0, 1, 'float32', 6);
    const wide = tf.randomNormal<tf.Rank.R2>([32, 64], 0, 1, 'float32', 7);
    const narrow = tf.randomNormal<tf.Rank.R2>([32, 16], 0, 1, 'float32', 8);
    const products = (): tf.TensorContainer => [tf.matMul(a, wide), tf.matMul(a, narrow)];
    const programs = async (product: () => tf.Tensor) => (await profile.profileKernels(product, Infinity)).find((t) => t.kernel === 'BatchMatMul')?.programs ?? [];
    const both = async (): Promise<Float32Array> => {
      const flat = tf.tidy(() => tf.concat([tf.reshape(tf.matMul(a, wide), [-1]), tf.reshape(tf.matMul(a, narrow), [-1])]));
      const values = (await flat.data()) as Float32Array;
      flat.dispose();
      return values;
    };
    try {
      const shapes = (await profile.profileKernels(products, Infinity)).find((t) => t.kernel === 'BatchMatMul')?.shapes ?? [];
      const wideKey = shapes.find((s) => s.key.endsWith(',64]]'))?.key;
      const narrowKey = shapes.find((s) => s.key.endsWith(',16]]'))?.key;
      if (wideKey === undefined || narrowKey === undefined) throw new Error(`expected both products' shapes, got ${JSON.stringify(shapes)}`);
      expect(await programs(() => tf.matMul(a, wide))).toEqual(['GemmProgram']);
      const expected = await both();
      const byShape = (wideMs: number, narrowMs: number): KernelTime => ({
        kernel: 'BatchMatMul',
        programs: [],
        count: 2,
        totalMs: wideMs + narrowMs,
        shapes: [
          { key: wideKey, count: 1, totalMs: wideMs },
          { key: narrowKey, count: 1, totalMs: narrowMs },
        ],
      });
      // Stock wins the wide product (2 vs 10 ms) and loses the narrow one (9 vs 3).
      const measurer: Choice.KernelMeasurer = {
        timing: () => 'gpu-timestamps',
        measure: (_step, implementation) => Promise.resolve([implementation === 'tessera' ? byShape(10, 3) : byShape(2, 9)]),
      };
      const outcome = await choice.chooseWebgpuKernels(products, { measurer });
      expect(outcome.choices).toEqual([
        { kernel: 'BatchMatMul', tesseraMs: 13, stockMs: 11, count: 2, chosen: 'tessera', perShape: { shapes: 2, stockShapes: [wideKey], chosenMs: 5 } },
      ]);
      expect(registered('BatchMatMul')).toBe('tessera');
      expect(kernels.stockShapesOf('BatchMatMul')).toEqual([wideKey]);
      expect(await programs(() => tf.matMul(a, narrow))).toEqual(['GemmProgram']);
      const stockPrograms = await programs(() => tf.matMul(a, wide));
      expect(stockPrograms.length).toBeGreaterThan(0);
      expect(stockPrograms).not.toContain('GemmProgram');
      // Split or not, both products are the same.
      const after = await both();
      expect(after.length).toBe(expected.length);
      for (let i = 0; i < after.length; i++) expect(Math.abs(after[i]! - expected[i]!)).toBeLessThan(1e-4);

      // The next race starts from Tessera's for every shape.
      await choice.chooseWebgpuKernels(products, { measurer: { ...measurer, measure: () => Promise.resolve([byShape(1, 1)]) } });
      expect(kernels.stockShapesOf('BatchMatMul')).toEqual([]);
      expect(await programs(() => tf.matMul(a, wide))).toEqual(['GemmProgram']);
    } finally {
      tf.dispose([a, wide, narrow]);
      kernels.resetStockShapes();
      kernels.registerWebgpuTrainingKernels();
    }
  });

  it('chooses nothing and keeps Tessera\'s kernels when the device has no timestamps', async () => {
    kernels.restoreStockWebgpuKernels();
    const outcome = await choice.chooseWebgpuKernels(() => tf.scalar(0), {
      measurer: { timing: () => 'none', measure: () => Promise.reject(new Error('must not measure')) },
    });
    expect(outcome).toEqual({ timing: 'none', choices: [] });
    for (const name of overrides) expect(registered(name)).toBe('tessera');
    expect(describeKernelChoices(outcome)).toMatch(/not measured/);
  });

  it('races the overridden kernels of a tiny conv net\'s gradients on the device and registers each winner', async () => {
    const w1 = tf.variable<tf.Rank.R4>(tf.randomNormal([3, 3, 2, 4], 0, 0.3, 'float32', 1));
    const w2 = tf.variable<tf.Rank.R4>(tf.randomNormal([3, 3, 4, 16], 0, 0.3, 'float32', 2));
    // 16 channels in and out: this layer's forward pass and input gradient run by Winograd.
    const w3 = tf.variable<tf.Rank.R4>(tf.randomNormal([3, 3, 16, 16], 0, 0.1, 'float32', 5));
    const dense = tf.variable(tf.randomNormal([16, 3], 0, 0.3, 'float32', 3));
    const bias = tf.variable(tf.zeros([3]));
    const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 2], 0, 1, 'float32', 4);
    const labels = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
    const loss = (): tf.Scalar => {
      const h1 = tf.relu(tf.conv2d(x, w1, 1, 'same'));
      const h2 = tf.maxPool(tf.relu(tf.conv2d(tf.relu(tf.conv2d(h1, w2, 1, 'same')), w3, 1, 'same')), 2, 2, 'valid');
      const logits = tf.add(tf.matMul(tf.reshape(tf.mean(h2, 3), [2, 16]), dense), bias);
      return tf.losses.softmaxCrossEntropy(labels, logits);
    };
    const gradients = (): tf.TensorContainer => tf.tidy(() => tf.variableGrads(loss, [w1, w2, w3, dense, bias]));
    try {
      const ran = (await (await import('./kernel-profile.ts')).profileKernels(gradients, Infinity)).map((t) => t.kernel);
      const expected = overrides.filter((name) => ran.includes(name));
      expect(expected).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']));

      const outcome = await choice.chooseWebgpuKernels(gradients, { warmups: 1, repeats: 1 });
      expect(outcome.timing).toBe('gpu-timestamps');
      expect(outcome.choices.map((c) => c.kernel).sort()).toEqual([...expected].sort());
      for (const c of outcome.choices) {
        expect(Number.isFinite(c.tesseraMs) && Number.isFinite(c.stockMs)).toBe(true);
        expect(c.count).toBeGreaterThan(0);
        expect(registered(c.kernel)).toBe(c.chosen);
        expect(kernels.stockShapesOf(c.kernel)).toEqual(c.perShape?.stockShapes ?? []);
      }
      for (const name of overrides.filter((n) => !ran.includes(n))) expect(registered(name)).toBe('tessera');
      // Winograd raced its direct GEMM on the device, layer shape by layer shape (the 3 convolutions' shapes, the 2
      // input gradients'), and what was decided is what the kernels now do for each shape.
      for (const [name, shapes] of [['Conv2D', 3], ['Conv2DBackpropInput', 2]] as const) {
        const raced = outcome.choices.find((c) => c.kernel === name)?.winograd;
        expect(raced, name).toBeDefined();
        expect(raced!.shapes).toBe(shapes);
        for (const key of raced!.directShapes) expect(winograd.winogradEnabled(name, key)).toBe(false);
      }
      expect(describeKernelChoices(outcome)).toContain(`${outcome.choices[0]!.kernel} tessera `);
    } finally {
      tf.dispose([w1, w2, w3, dense, bias, x, labels]);
      winograd.resetWinograd();
      kernels.registerWebgpuTrainingKernels();
    }
  });
});
