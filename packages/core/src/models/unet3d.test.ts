import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { UpConv3d } from './up-conv-3d.ts';
import { buildUNet3d } from './unet3d.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Parameters of a 3D U-Net by formula: 27·in·out + out per 3x3x3 convolution, 8·in·out + out per up-convolution. */
function expectedParams(channels: number, depth: number, base: number, outputs: number): number {
  const f = (level: number) => base * 2 ** (level - 1);
  const conv = (k: number, cin: number, cout: number) => k * cin * cout + cout;
  let total = 0;
  let cin = channels;
  for (let level = 1; level <= depth + 1; level++) {
    total += conv(27, cin, f(level)) + conv(27, f(level), f(level));
    cin = f(level);
  }
  for (let level = depth; level >= 1; level--) {
    total += conv(8, f(level + 1), f(level)) + conv(27, 2 * f(level), f(level)) + conv(27, f(level), f(level));
  }
  return total + conv(1, f(1), outputs);
}

describe('3D U-Net', () => {
  it('has the formula parameter count and the patch size out', () => {
    for (const config of [
      { inputShape: [16, 16, 16, 1] as const, depth: 2, baseFilters: 4, classCount: 2, outputs: 1 },
      { inputShape: [8, 16, 24, 2] as const, depth: 3, baseFilters: 2, classCount: 4, outputs: 4 },
    ]) {
      const model = buildUNet3d({ ...config, seed: 1 });
      expect(model.countParams()).toBe(expectedParams(config.inputShape[3], config.depth, config.baseFilters, config.outputs));
      expect(model.outputs[0]!.shape).toEqual([null, ...config.inputShape.slice(0, 3), config.outputs]);
      model.dispose();
    }
    // The figure the JSDoc quotes for the defaults (64³x1, depth 3, base 8); building it would take seconds.
    expect(expectedParams(1, 3, 8, 1)).toBe(350_457);
  });

  it('names layers Keras-style and concatenates each skip with its up-convolution', () => {
    const model = buildUNet3d({ inputShape: [8, 8, 8, 1], depth: 1, baseFilters: 2, seed: 3 });
    expect(model.layers.map((l) => l.name)).toEqual([
      'input_1', 'enc1_conv1', 'enc1_conv2', 'enc1_pool', 'bottleneck_conv1', 'bottleneck_conv2',
      'dec1_upconv', 'dec1_concat', 'dec1_conv1', 'dec1_conv2', 'segmentation',
    ]);
    expect(model.getLayer('dec1_upconv').outputShape).toEqual([null, 8, 8, 8, 2]);
    expect(model.getLayer('dec1_upconv').getWeights().map((w) => w.shape)).toEqual([[2, 2, 2, 2, 4], [2]]);
    model.dispose();
  });

  it('rejects a side not divisible by 2^depth, naming the option', () => {
    expect(() => buildUNet3d({ inputShape: [32, 32, 20, 1], depth: 3, seed: 1 })).toThrow(/U-Net 3D inputShape width must be a positive multiple of 2\^depth = 8 \(depth 3\), got 20/);
    expect(() => buildUNet3d({ inputShape: [4, 32, 32, 1], depth: 3, seed: 1 })).toThrow(/inputShape depth .* got 4/);
  });
});

describe('UpConv3d', () => {
  it('equals tfjs conv3dTranspose with a 2x2x2 kernel and stride 2, bias included', async () => {
    const layer = new UpConv3d({ name: 'up', filters: 3, kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 5 }) });
    const x = tf.randomUniform([2, 3, 2, 4, 5], -1, 1, 'float32', 6);
    const out = layer.apply(x) as tf.Tensor;
    const kernel = layer.getWeights()[0]!;
    const bias = tf.tensor1d([0.5, -1, 2]);
    layer.setWeights([kernel, bias]);
    const withBias = layer.apply(x) as tf.Tensor;
    const expected = tf.add(tf.conv3dTranspose(x as tf.Tensor5D, kernel as tf.Tensor5D, [2, 6, 4, 8, 3], 2, 'same'), bias);
    expect(out.shape).toEqual([2, 6, 4, 8, 3]);
    const actual = await withBias.data<'float32'>();
    const reference = await expected.data<'float32'>();
    const worst = reference.reduce((w, r, i) => Math.max(w, Math.abs((actual[i] ?? Number.NaN) - r)), 0);
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([x, out, withBias, expected, bias]);
  });
});
