import * as tfl from '@tensorflow/tfjs-layers';
import { UpConv3d } from './up-conv-3d.ts';
import { buildUNetGraph, unetKit } from './unet-graph.ts';

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
  const [sideD, sideH, sideW, channels] = options.inputShape ?? [64, 64, 64, 1];
  const kit = unetKit(options.seed);
  const { he, apply } = kit;
  return buildUNetGraph(
    {
      model: 'U-Net 3D',
      name: 'unet3d',
      sides: [
        ['depth', sideD],
        ['height', sideH],
        ['width', sideW],
      ],
      channels,
      depth: options.depth ?? 3,
      baseFilters: options.baseFilters ?? 8,
      dropout: options.dropout ?? 0,
      classCount: options.classCount ?? 2,
      seed: options.seed,
    },
    {
      conv: (x, prefix, n, filters) => {
        const name = `${prefix}_conv${n}`;
        return apply(tfl.layers.conv3d({ name, filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(name) }), x);
      },
      pool: (name) => tfl.layers.maxPooling3d({ name, poolSize: 2, strides: 2 }),
      upConv: (x, level, filters) => {
        const name = `dec${level}_upconv`;
        return apply(new UpConv3d({ name, filters, kernelInitializer: he(name) }), x);
      },
      head: (config) => tfl.layers.conv3d(config),
    },
    kit,
  );
}
