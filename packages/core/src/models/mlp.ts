import * as tfl from '@tensorflow/tfjs-layers';
import type { HiddenActivation } from '../jobs/job-spec.ts';
import { deriveSeed } from '../random/seeded-random.ts';

/** The output layer and loss implied by the class count (Keras convention). */
export interface ClassificationHead {
  /** 1 sigmoid unit for two classes, else one softmax unit per class. */
  readonly units: number;
  readonly activation: 'sigmoid' | 'softmax';
  readonly loss: 'binaryCrossentropy' | 'categoricalCrossentropy';
  readonly classCount: number;
}

export function classificationHead(classCount: number): ClassificationHead {
  if (!Number.isInteger(classCount) || classCount < 2) {
    throw new RangeError(`classification needs at least 2 classes, got ${classCount}`);
  }
  return classCount === 2
    ? { units: 1, activation: 'sigmoid', loss: 'binaryCrossentropy', classCount }
    : { units: classCount, activation: 'softmax', loss: 'categoricalCrossentropy', classCount };
}

export interface MlpOptions {
  readonly hidden: ReadonlyArray<{ units: number; activation: HiddenActivation; dropout?: number | undefined }>;
  readonly inputSize: number;
  readonly classCount: number;
  /** Seeds every kernel initialiser: equal seeds give bit-identical initial weights in every process. */
  readonly seed: number;
}

/**
 * Builds the Keras-style MLP (Dense → optional Dropout per hidden layer, then the classification head) with
 * SEEDED Glorot-uniform kernels and zero biases, so every replica of every worker count starts from the same
 * weights without broadcasting them. Layer names are fixed (`hidden_1`, `dropout_1`, ..., `output`) so saved
 * weights load by name into a fresh model. The model is not compiled: the data-parallel trainer owns the loss and
 * optimizer, and `tf.loadLayersModel` callers only predict.
 */
export function buildMlp(options: MlpOptions): tfl.Sequential {
  if (!Number.isInteger(options.inputSize) || options.inputSize < 1) {
    throw new RangeError(`MLP input size must be a positive integer, got ${options.inputSize}`);
  }
  const head = classificationHead(options.classCount);
  const model = tfl.sequential({ name: 'mlp' });
  options.hidden.forEach((layer, index) => {
    model.add(
      tfl.layers.dense({
        name: `hidden_${index + 1}`,
        units: layer.units,
        activation: layer.activation,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(options.seed, 'init', index) }),
        biasInitializer: 'zeros',
        ...(index === 0 ? { inputShape: [options.inputSize] } : {}),
      }),
    );
    if (layer.dropout !== undefined && layer.dropout > 0) {
      model.add(tfl.layers.dropout({ name: `dropout_${index + 1}`, rate: layer.dropout }));
    }
  });
  model.add(
    tfl.layers.dense({
      name: 'output',
      units: head.units,
      activation: head.activation,
      kernelInitializer: tfl.initializers.glorotUniform({
        seed: deriveSeed(options.seed, 'init', options.hidden.length),
      }),
      biasInitializer: 'zeros',
      ...(options.hidden.length === 0 ? { inputShape: [options.inputSize] } : {}),
    }),
  );
  return model;
}
