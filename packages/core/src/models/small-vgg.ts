import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '../random/seeded-random.ts';
import { classificationHead } from './mlp.ts';

export interface SmallVggOptions {
  /** Height, width, channels; default 64x64x3. Each side must survive one 2x2 pooling per block. */
  readonly inputShape?: readonly [number, number, number] | undefined;
  /** Filters per block, one 3x3 relu convolution and a 2x2 max pooling each; default [32, 64, 128]. */
  readonly blocks?: readonly number[] | undefined;
  /** Units of the hidden dense layer `fc1`; default 128. */
  readonly denseUnits?: number | undefined;
  /** Dropout before the head (Chollet's small-data recipe uses 0.5); default 0.5, 0 for none. */
  readonly dropout?: number | undefined;
  /**
   * Batch normalisation after each convolution (`blockN_conv1` without bias, `blockN_bn1`, `blockN_relu1`); default
   * off. It makes training from scratch converge in far fewer epochs. Each rank normalises with its own share of
   * the global batch (as PyTorch DDP without SyncBatchNorm); the moving statistics are averaged across ranks before
   * every evaluation and checkpoint (image-data-parallel-trainer.ts).
   */
  readonly batchNorm?: boolean | undefined;
  readonly classCount: number;
  /** Seeds every kernel initialiser: equal seeds give bit-identical initial weights in every process. */
  readonly seed: number;
}

/**
 * A small VGG-style convolutional network for training from scratch on a CPU (Chollet's 2,000-image dogs-vs-cats
 * baseline): per block one 3x3 relu convolution (`blockN_conv1`) and a 2x2 max pooling (`blockN_pool`), then
 * `flatten`, `fc1` (relu), `dropout` and the classification head `predictions` (1 sigmoid unit for two classes, else
 * softmax, see {@link classificationHead}). Layer names follow VGG16's so the same tooling reads both.
 *
 * Cost at the defaults (64x64x3, 32/64/128, 128 units): 1,142,081 parameters (fc1 holds 1.05 M of them) and 42 M
 * multiply-adds per image forward (about 3x that per training step), mostly in blocks 2 and 3. Seeded Glorot-uniform
 * kernels, zero biases; not compiled (the trainer owns loss and optimizer).
 */
export function buildSmallVgg(options: SmallVggOptions): tfl.LayersModel {
  const inputShape = options.inputShape ?? [64, 64, 3];
  const blocks = options.blocks ?? [32, 64, 128];
  const denseUnits = options.denseUnits ?? 128;
  const dropout = options.dropout ?? 0.5;
  const batchNorm = options.batchNorm ?? false;
  const head = classificationHead(options.classCount);
  const [height, width, channels] = inputShape;
  const minSide = 2 ** blocks.length;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < minSide || width < minSide) {
    throw new RangeError(`small VGG input must be at least ${minSide}x${minSide} for ${blocks.length} blocks, got ${height}x${width}`);
  }
  if (!Number.isInteger(channels) || channels < 1) {
    throw new RangeError(`small VGG input channels must be a positive integer, got ${channels}`);
  }
  if (blocks.length === 0 || blocks.some((f) => !Number.isInteger(f) || f < 1)) {
    throw new RangeError(`small VGG blocks must be one or more positive filter counts, got [${blocks.join(', ')}]`);
  }
  if (!Number.isInteger(denseUnits) || denseUnits < 1) {
    throw new RangeError(`small VGG denseUnits must be a positive integer, got ${denseUnits}`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`small VGG dropout must be in [0, 1), got ${dropout}`);
  const glorot = (name: string) => tfl.initializers.glorotUniform({ seed: deriveSeed(options.seed, 'init', name) });

  const model = tfl.sequential({ name: 'small_vgg' });
  blocks.forEach((filters, index) => {
    const name = `block${index + 1}_conv1`;
    model.add(
      tfl.layers.conv2d({
        name,
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: batchNorm ? 'linear' : 'relu',
        useBias: !batchNorm,
        kernelInitializer: glorot(name),
        ...(batchNorm ? {} : { biasInitializer: 'zeros' as const }),
        ...(index === 0 ? { inputShape: [height, width, channels] } : {}),
      }),
    );
    if (batchNorm) {
      model.add(tfl.layers.batchNormalization({ name: `block${index + 1}_bn1`, axis: -1 }));
      model.add(tfl.layers.activation({ name: `block${index + 1}_relu1`, activation: 'relu' }));
    }
    model.add(tfl.layers.maxPooling2d({ name: `block${index + 1}_pool`, poolSize: 2, strides: 2 }));
  });
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(
    tfl.layers.dense({ name: 'fc1', units: denseUnits, activation: 'relu', kernelInitializer: glorot('fc1'), biasInitializer: 'zeros' }),
  );
  if (dropout > 0) model.add(tfl.layers.dropout({ name: 'dropout', rate: dropout, seed: deriveSeed(options.seed, 'dropout') }));
  model.add(
    tfl.layers.dense({
      name: 'predictions',
      units: head.units,
      activation: head.activation,
      kernelInitializer: glorot('predictions'),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}
