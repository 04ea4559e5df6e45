import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '../random/seeded-random.ts';

/** Filters of each of VGG16's five convolutional blocks and how many 3x3 convolutions each holds (Keras order). */
export const vgg16Blocks: ReadonlyArray<{ readonly filters: number; readonly convs: number }> = [
  { filters: 64, convs: 2 },
  { filters: 128, convs: 2 },
  { filters: 256, convs: 3 },
  { filters: 512, convs: 3 },
  { filters: 512, convs: 3 },
];

/** Keras's smallest VGG16 input side: five 2x2 poolings must leave at least one pixel. */
export const vgg16MinInputSize = 32;

export interface Vgg16Options {
  /** Height, width, channels; defaults to Keras's 224x224x3. Height and width at least 32. */
  readonly inputShape?: readonly [number, number, number] | undefined;
  /** Keep Keras's classifier (flatten, fc1, fc2, predictions). Default true, as in `keras.applications.VGG16`. */
  readonly includeTop?: boolean | undefined;
  /** Units of `predictions` when the top is included; default 1000 (ImageNet). */
  readonly classes?: number | undefined;
  /** Activation of `predictions`; default softmax. */
  readonly classifierActivation?: 'softmax' | 'sigmoid' | 'linear' | undefined;
  /** Without the top only: global pooling after block5_pool (Keras's `pooling='avg'|'max'`); default none. */
  readonly pooling?: 'avg' | 'max' | undefined;
  /** Seeds every kernel initialiser: equal seeds give bit-identical initial weights in every process. */
  readonly seed: number;
}

/**
 * Builds VGG16 exactly as `keras.applications.VGG16(weights=None, ...)` does: the same layers, names
 * (`block1_conv1` ... `block5_pool`, `flatten`, `fc1`, `fc2`, `predictions`), shapes and parameter counts
 * (138,357,544 with the top at 224x224x3; 14,714,688 without it, at any input size), so Keras `.h5` weights load
 * into it by layer name (see keras-h5-import.ts). Kernels are SEEDED Glorot-uniform and biases zero, Keras's
 * defaults, so every replica starts identical without broadcasting weights.
 *
 * Cost: with the top at 224x224 the weights take 553 MB of float32 and initialising them takes seconds on a CPU;
 * without the top 59 MB. Input is Keras's `caffe` preprocessing (BGR, ImageNet mean subtracted), which belongs to the
 * data pipeline, not to the model. The model is not compiled: the trainer owns the loss and optimizer.
 */
export function buildVgg16(options: Vgg16Options): tfl.LayersModel {
  const includeTop = options.includeTop ?? true;
  const inputShape = options.inputShape ?? [224, 224, 3];
  const [height, width, channels] = inputShape;
  for (const [field, value, min] of [
    ['height', height, vgg16MinInputSize],
    ['width', width, vgg16MinInputSize],
    ['channels', channels, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`VGG16 input ${field} must be an integer of at least ${min}, got ${value}`);
    }
  }
  const classes = options.classes ?? 1000;
  if (includeTop && (!Number.isInteger(classes) || classes < 1)) {
    throw new RangeError(`VGG16 classes must be a positive integer, got ${classes}`);
  }
  if (includeTop && options.pooling !== undefined) {
    throw new RangeError('VGG16 pooling applies only without the top (includeTop: false)');
  }
  const glorot = (name: string) => tfl.initializers.glorotUniform({ seed: deriveSeed(options.seed, 'init', name) });

  const input = tfl.input({ shape: [height, width, channels], name: 'input_1' });
  let x = input;
  vgg16Blocks.forEach((block, blockIndex) => {
    const b = blockIndex + 1;
    for (let c = 1; c <= block.convs; c++) {
      const name = `block${b}_conv${c}`;
      x = tfl.layers
        .conv2d({
          name,
          filters: block.filters,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: glorot(name),
          biasInitializer: 'zeros',
        })
        .apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.maxPooling2d({ name: `block${b}_pool`, poolSize: 2, strides: 2 }).apply(x) as tfl.SymbolicTensor;
  });

  if (includeTop) {
    x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
    for (const name of ['fc1', 'fc2']) {
      x = tfl.layers
        .dense({ name, units: 4096, activation: 'relu', kernelInitializer: glorot(name), biasInitializer: 'zeros' })
        .apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers
      .dense({
        name: 'predictions',
        units: classes,
        activation: options.classifierActivation ?? 'softmax',
        kernelInitializer: glorot('predictions'),
        biasInitializer: 'zeros',
      })
      .apply(x) as tfl.SymbolicTensor;
  } else if (options.pooling === 'avg') {
    x = tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as tfl.SymbolicTensor;
  } else if (options.pooling === 'max') {
    x = tfl.layers.globalMaxPooling2d({ name: 'global_max_pooling2d' }).apply(x) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: input, outputs: x, name: 'vgg16' });
}
