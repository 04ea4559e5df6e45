import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '../random/seeded-random.ts';
import { classificationHead } from './mlp.ts';
import { UpConv3d } from './up-conv-3d.ts';
import { checkUNetShape, unetFilters } from './unet-shape.ts';

export interface UNet3dOptions {
  /** Depth, height, width, channels of a patch; default 64x64x64x1. Each side divisible by 2^depth. */
  readonly inputShape?: readonly [number, number, number, number] | undefined;
  /** Poolings on the contracting path (Çiçek's 3D U-Net has 3); default 3. */
  readonly depth?: number | undefined;
  /** Filters at full resolution, doubled at each level down; default 8. */
  readonly baseFilters?: number | undefined;
  /** Dropout rate after the bottleneck convolutions; default 0. Irreproducible above 0, as for the 2D U-Net. */
  readonly dropout?: number | undefined;
  /** Mask classes: 2 (default) gives 1 sigmoid channel, k > 2 gives k softmax channels. */
  readonly classCount?: number | undefined;
  /** Seeds every kernel initialiser: equal seeds give bit-identical initial weights in every process. */
  readonly seed: number;
}

/**
 * A small patch-based 3D U-Net (Çiçek et al. 2016 with 'same' padding): per level two 3x3x3 relu convolutions
 * (`encL_conv1`, `encL_conv2`) and a 2x2x2 max pooling (`encL_pool`); the bottleneck (`bottleneck_conv1`,
 * `bottleneck_conv2`, optional `bottleneck_dropout`); per level up a 2x2x2 stride-2 up-convolution halving the
 * filters (`decL_upconv`, see {@link UpConv3d}), concatenation with the encoder output (`decL_concat`) and two
 * 3x3x3 relu convolutions; then a 1x1x1 convolution `segmentation` (sigmoid, or softmax over classes). Whole volumes
 * are predicted patch by patch.
 *
 * No batch-normalisation option: tfjs-layers 4.22's BatchNormalization rejects rank-5 inputs. Cost at the defaults
 * (64³x1, depth 3, base 8): 350,457 parameters and 3.5 G multiply-adds per patch forward (the full-resolution level
 * half of it), so about 10 G per training step; the layer outputs kept for the backward pass take about 100 MB of
 * float32 per patch. Seeded He-normal kernels, zero
 * biases; not compiled.
 */
export function buildUNet3d(options: UNet3dOptions): tfl.LayersModel {
  const inputShape = options.inputShape ?? [64, 64, 64, 1];
  const depth = options.depth ?? 3;
  const baseFilters = options.baseFilters ?? 8;
  const dropout = options.dropout ?? 0;
  const head = classificationHead(options.classCount ?? 2);
  const [sideD, sideH, sideW, channels] = inputShape;
  checkUNetShape({
    model: 'U-Net 3D',
    sides: [
      ['depth', sideD],
      ['height', sideH],
      ['width', sideW],
    ],
    channels,
    depth,
    baseFilters,
  });
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`U-Net 3D dropout must be in [0, 1), got ${dropout}`);
  const he = (name: string) => tfl.initializers.heNormal({ seed: deriveSeed(options.seed, 'init', name) });
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
  const convPair = (x: tfl.SymbolicTensor, prefix: string, filters: number): tfl.SymbolicTensor => {
    let h = x;
    for (const n of [1, 2]) {
      const name = `${prefix}_conv${n}`;
      h = apply(tfl.layers.conv3d({ name, filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(name) }), h);
    }
    return h;
  };

  const input = tfl.input({ shape: [sideD, sideH, sideW, channels], name: 'input_1' });
  const skips: tfl.SymbolicTensor[] = [];
  let x = input;
  for (let level = 1; level <= depth; level++) {
    x = convPair(x, `enc${level}`, unetFilters(baseFilters, level));
    skips.push(x);
    x = apply(tfl.layers.maxPooling3d({ name: `enc${level}_pool`, poolSize: 2, strides: 2 }), x);
  }
  x = convPair(x, 'bottleneck', unetFilters(baseFilters, depth + 1));
  if (dropout > 0) x = apply(tfl.layers.dropout({ name: 'bottleneck_dropout', rate: dropout }), x);
  for (let level = depth; level >= 1; level--) {
    const filters = unetFilters(baseFilters, level);
    const name = `dec${level}_upconv`;
    x = apply(new UpConv3d({ name, filters, kernelInitializer: he(name) }), x);
    x = apply(tfl.layers.concatenate({ name: `dec${level}_concat`, axis: -1 }), [skips[level - 1]!, x]);
    x = convPair(x, `dec${level}`, filters);
  }
  const output = apply(
    tfl.layers.conv3d({
      name: 'segmentation',
      filters: head.units,
      kernelSize: 1,
      activation: head.activation,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(options.seed, 'init', 'segmentation') }),
    }),
    x,
  );
  return tfl.model({ inputs: input, outputs: output, name: 'unet3d' });
}
