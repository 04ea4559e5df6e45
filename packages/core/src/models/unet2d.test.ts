import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildUNet2d } from './unet2d.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Parameters of a 2D U-Net by formula: k·k·in·out (+ out bias, or + 4·out batch-norm weights) per convolution. */
function expectedParams(channels: number, depth: number, base: number, batchNorm: boolean, outputs: number): { total: number; trainable: number } {
  let total = 0;
  let trainable = 0;
  const conv3 = (cin: number, cout: number) => {
    total += 9 * cin * cout + (batchNorm ? 4 * cout : cout);
    trainable += 9 * cin * cout + (batchNorm ? 2 * cout : cout);
  };
  const plain = (count: number) => {
    total += count;
    trainable += count;
  };
  const f = (level: number) => base * 2 ** (level - 1);
  let cin = channels;
  for (let level = 1; level <= depth + 1; level++) {
    conv3(cin, f(level));
    conv3(f(level), f(level));
    cin = f(level);
  }
  for (let level = depth; level >= 1; level--) {
    plain(4 * f(level + 1) * f(level) + f(level)); // 2x2 up-convolution with bias
    conv3(2 * f(level), f(level));
    conv3(f(level), f(level));
  }
  plain(f(1) * outputs + outputs);
  return { total, trainable };
}

function trainableCount(model: ReturnType<typeof buildUNet2d>): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.read().size, 0);
}

describe('2D U-Net', () => {
  it('has the formula parameter count and the input size out for the paper shape and small variants', () => {
    const configs = [
      { inputShape: [256, 256, 1] as const, depth: 4, baseFilters: 16, batchNorm: false, classCount: 2, outputs: 1 },
      { inputShape: [32, 48, 3] as const, depth: 2, baseFilters: 4, batchNorm: true, classCount: 3, outputs: 3 },
      { inputShape: [16, 16, 1] as const, depth: 3, baseFilters: 2, batchNorm: false, classCount: 2, outputs: 1, upsampling: 'nearest' as const },
    ];
    for (const { outputs, ...config } of configs) {
      const model = buildUNet2d({ ...config, seed: 1 });
      const expected = expectedParams(config.inputShape[2], config.depth, config.baseFilters, config.batchNorm, outputs);
      expect(model.countParams()).toBe(expected.total);
      expect(trainableCount(model)).toBe(expected.trainable);
      expect(model.outputs[0]!.shape).toEqual([null, config.inputShape[0], config.inputShape[1], outputs]);
      model.dispose();
    }
    // The figure the JSDoc quotes.
    expect(expectedParams(1, 4, 16, false, 1).total).toBe(1_940_817);
  });

  it('names layers Keras-style and joins each decoder level to the encoder level of the same resolution', () => {
    const model = buildUNet2d({ inputShape: [16, 16, 1], depth: 2, baseFilters: 4, batchNorm: true, dropout: 0.5, seed: 1 });
    expect(model.layers.map((l) => l.name)).toEqual([
      'input_1',
      'enc1_conv1', 'enc1_bn1', 'enc1_relu1', 'enc1_conv2', 'enc1_bn2', 'enc1_relu2', 'enc1_pool',
      'enc2_conv1', 'enc2_bn1', 'enc2_relu1', 'enc2_conv2', 'enc2_bn2', 'enc2_relu2', 'enc2_pool',
      'bottleneck_conv1', 'bottleneck_bn1', 'bottleneck_relu1', 'bottleneck_conv2', 'bottleneck_bn2', 'bottleneck_relu2', 'bottleneck_dropout',
      'dec2_upconv', 'dec2_concat', 'dec2_conv1', 'dec2_bn1', 'dec2_relu1', 'dec2_conv2', 'dec2_bn2', 'dec2_relu2',
      'dec1_upconv', 'dec1_concat', 'dec1_conv1', 'dec1_bn1', 'dec1_relu1', 'dec1_conv2', 'dec1_bn2', 'dec1_relu2',
      'segmentation',
    ]);
    const concat = model.getLayer('dec1_concat');
    const inbound = concat.inboundNodes[0]!.inboundLayers.map((l) => l.name);
    expect(inbound).toEqual(['enc1_relu2', 'dec1_upconv']);
    expect(concat.outputShape).toEqual([null, 16, 16, 8]);
    expect(model.getLayer('bottleneck_conv2').outputShape).toEqual([null, 4, 4, 16]);
    model.dispose();
  });

  it('gives identical weights for equal seeds and different ones for different seeds', async () => {
    const weights = async (seed: number) => {
      const model = buildUNet2d({ inputShape: [8, 8, 1], depth: 1, baseFilters: 2, seed });
      const values = await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
      model.dispose();
      return values.flat();
    };
    const [a, b, c] = [await weights(7), await weights(7), await weights(8)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('rejects a side not divisible by 2^depth, naming the option', () => {
    expect(() => buildUNet2d({ inputShape: [100, 96, 1], depth: 4, seed: 1 })).toThrow(/inputShape height must be a positive multiple of 2\^depth = 16 \(depth 4\), got 100/);
    expect(() => buildUNet2d({ inputShape: [96, 36, 1], depth: 3, seed: 1 })).toThrow(/inputShape width .* 2\^depth = 8/);
    expect(() => buildUNet2d({ depth: 0, seed: 1 })).toThrow(/depth must be an integer from 1 to 6/);
    expect(() => buildUNet2d({ baseFilters: 0, seed: 1 })).toThrow(/baseFilters must be a positive integer/);
    expect(() => buildUNet2d({ classCount: 1, seed: 1 })).toThrow(/at least 2 classes/);
  });
});
