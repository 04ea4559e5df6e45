import * as tfl from '@tensorflow/tfjs-layers';
import { buildUNetGraph, unetKit } from './unet-graph.ts';

/** How the decoder doubles the resolution. */
export type UNetUpsampling = 'transpose' | 'nearest';

export interface UNet2dOptions {
  /** Height, width, channels; default 256x256x1 (a grayscale slice). Height and width divisible by 2^depth. */
  readonly inputShape?: readonly [number, number, number] | undefined;
  /** Poolings on the contracting path (Ronneberger's U-Net has 4); default 4. */
  readonly depth?: number | undefined;
  /** Filters at full resolution, doubled at each level down; default 16 (Ronneberger used 64). */
  readonly baseFilters?: number | undefined;
  /**
   * Batch normalisation after each 3x3 convolution (`encL_convN` without bias, `encL_bnN`, `encL_reluN`); default off.
   * Each rank normalises with its own share of the global batch, as for small-vgg.
   */
  readonly batchNorm?: boolean | undefined;
  /**
   * Dropout rate after the bottleneck convolutions (Ronneberger: "at the end of the contracting path"); default 0.
   * tfjs' Dropout draws from Math.random, so a rate above 0 makes training irreproducible and n-worker runs no longer
   * bit-equal to one worker (the layer chain masks of masked-forward.ts do not apply to a U-Net's graph).
   */
  readonly dropout?: number | undefined;
  /**
   * `transpose` (default): Conv2DTranspose 2x2 stride 2 (`decL_upconv`), Ronneberger's "up-convolution".
   * `nearest`: UpSampling2D x2 (`decL_upsample`) then a 2x2 'same' convolution (`decL_upconv`), the same parameter
   * count without a transposed convolution's checkerboard artefacts. Its gradient (ResizeNearestNeighborGrad) is wrong
   * in tfjs-backend-cpu 4.22 for batches above 1 unless backends/cpu-kernel-fixes.ts is registered (the worker does).
   */
  readonly upsampling?: UNetUpsampling | undefined;
  /** Mask classes: 2 (default, background and foreground) gives 1 sigmoid channel, k > 2 gives k softmax channels. */
  readonly classCount?: number | undefined;
  /** Seeds every kernel initialiser: equal seeds give bit-identical initial weights in every process. */
  readonly seed: number;
}

/**
 * A 2D U-Net (Ronneberger, Fischer and Brox 2015) with 'same' padding, so the mask has the input's height and width:
 * per level two 3x3 relu convolutions (`encL_conv1`, `encL_conv2`) and a 2x2 max pooling (`encL_pool`); the
 * bottleneck (`bottleneck_conv1`, `bottleneck_conv2`, optional `bottleneck_dropout`); per level up an
 * up-convolution halving the filters (`decL_upconv`), concatenation with the level's encoder output (`decL_concat`)
 * and two 3x3 relu convolutions; then a 1x1 convolution `segmentation` (sigmoid, or softmax over classes).
 *
 * Cost at depth 4, base 16, 256x256x1: 1,940,817 parameters and 3.0 G multiply-adds per image forward (each level
 * costs about the same: a quarter of the pixels, four times the filter pairs), so about 9 G per training step; the
 * layer outputs kept for the backward pass take about 70 MB of float32 per image. Seeded He-normal kernels
 * (Ronneberger's Gaussian with std sqrt(2/fan-in)) and zero biases; not compiled (the trainer owns loss and optimizer).
 */
export function buildUNet2d(options: UNet2dOptions): tfl.LayersModel {
  const [height, width, channels] = options.inputShape ?? [256, 256, 1];
  const batchNorm = options.batchNorm ?? false;
  const upsampling = options.upsampling ?? 'transpose';
  const kit = unetKit(options.seed);
  const { he, apply } = kit;
  return buildUNetGraph(
    {
      model: 'U-Net 2D',
      name: 'unet2d',
      sides: [
        ['height', height],
        ['width', width],
      ],
      channels,
      depth: options.depth ?? 4,
      baseFilters: options.baseFilters ?? 16,
      dropout: options.dropout ?? 0,
      classCount: options.classCount ?? 2,
      seed: options.seed,
    },
    {
      // A 3x3 relu convolution, or a convolution without bias, batch norm and relu.
      conv: (x, prefix, n, filters) => {
        const name = `${prefix}_conv${n}`;
        const h = apply(
          tfl.layers.conv2d({
            name,
            filters,
            kernelSize: 3,
            padding: 'same',
            activation: batchNorm ? 'linear' : 'relu',
            useBias: !batchNorm,
            kernelInitializer: he(name),
          }),
          x,
        );
        if (!batchNorm) return h;
        const normalised = apply(tfl.layers.batchNormalization({ name: `${prefix}_bn${n}`, axis: -1 }), h);
        return apply(tfl.layers.activation({ name: `${prefix}_relu${n}`, activation: 'relu' }), normalised);
      },
      pool: (name) => tfl.layers.maxPooling2d({ name, poolSize: 2, strides: 2 }),
      upConv: (x, level, filters) => {
        const name = `dec${level}_upconv`;
        if (upsampling === 'transpose') {
          return apply(tfl.layers.conv2dTranspose({ name, filters, kernelSize: 2, strides: 2, padding: 'same', kernelInitializer: he(name) }), x);
        }
        const up = apply(tfl.layers.upSampling2d({ name: `dec${level}_upsample`, size: [2, 2], interpolation: 'nearest' }), x);
        return apply(tfl.layers.conv2d({ name, filters, kernelSize: 2, padding: 'same', kernelInitializer: he(name) }), up);
      },
      head: (config) => tfl.layers.conv2d(config),
    },
    kit,
  );
}
