import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageNormalization } from '../data/image-augment.ts';
import type { ImageRecords } from '../data/image-shard-format.ts';
import { imageBatches } from '../data/image-shard-reader.ts';
import { classificationHead } from '../models/mlp.ts';
import { predictionId } from './predictions-csv.ts';

/** One classified image, before it becomes a CSV row. */
export interface PredictedImage {
  /** The image's path in its data set (`test1/1234.jpg`). */
  readonly path: string;
  /** Its CSV id (`1234`, see predictionId). */
  readonly id: string;
  /** Index of the predicted class in the checkpoint's class names. */
  readonly predicted: number;
  /** Probability of the predicted class. */
  readonly probability: number;
  /** The data set's label of the image (its label index), -1 for an unlabeled image. */
  readonly truth: number;
}

export interface PredictImagesOptions {
  /** The checkpoint's class names (its label mapping): sizes and reads the head as training did. */
  readonly classNames: readonly string[];
  /** As the training job's spec resolved it (`data.normalization`). */
  readonly normalization: ImageNormalization;
  /** Images per forward pass. */
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  /** Called after each forward pass with the images done so far. */
  readonly onBatch?: (done: number) => void | Promise<void>;
  /**
   * Given once, before the first forward pass runs, a function computing it that changes nothing (it may be called
   * several times; the caller disposes what it returns): where a webgpu worker compiles the model's shaders ahead.
   */
  readonly onFirstForward?: (forward: () => tf.TensorContainer) => Promise<void>;
}

/**
 * The model's input as [height, width, channels], or undefined when it takes no fixed image size. Compare it with the
 * data set before predicting: tfjs would fail deep inside a conv layer otherwise.
 */
export function modelInputImageShape(model: tfl.LayersModel): readonly [number, number, number] | undefined {
  const shape = model.inputs[0]?.shape;
  if (shape?.length !== 4) return undefined;
  const [, h, w, c] = shape;
  return typeof h === 'number' && typeof w === 'number' && typeof c === 'number' ? [h, w, c] : undefined;
}

/**
 * Classifies every record in stored order, in forward passes of `batchSize` (inference: no augmentation, dropout
 * off). The head is read as training defined it (classificationHead): one sigmoid unit for two classes, whose value
 * is the probability of class 1, else a softmax over the classes. Costs one forward pass per image; memory is one
 * batch of float32 input plus the model's activations.
 */
export async function predictImages(model: tfl.LayersModel, records: ImageRecords, options: PredictImagesOptions): Promise<PredictedImage[]> {
  const head = classificationHead(options.classNames.length);
  const units = model.outputs[0]?.shape.at(-1);
  if (units !== head.units) {
    throw new Error(`the model ends in ${String(units)} unit(s) but its ${options.classNames.length} class names need ${head.units}`);
  }
  const out: PredictedImage[] = [];
  let at = 0;
  for (const batch of imageBatches(records, { batchSize: options.batchSize, normalization: options.normalization })) {
    if (options.signal?.aborted === true) throw options.signal.reason instanceof Error ? options.signal.reason : new Error(String(options.signal.reason ?? 'aborted'));
    const forward = (): tf.Tensor2D => tf.tidy(() => model.predict(tf.tensor4d(batch.x, batch.shape as [number, number, number, number])) as tf.Tensor2D);
    if (at === 0) await options.onFirstForward?.(forward);
    const probabilities = forward();
    const values = await probabilities.data();
    probabilities.dispose();
    for (let i = 0; i < batch.ids.length; i += 1) {
      let predicted: number;
      let probability: number;
      if (head.units === 1) {
        const p1 = values[i] as number;
        predicted = p1 > 0.5 ? 1 : 0;
        probability = predicted === 1 ? p1 : 1 - p1;
      } else {
        predicted = 0;
        for (let k = 1; k < head.units; k += 1) if ((values[i * head.units + k] as number) > (values[i * head.units + predicted] as number)) predicted = k;
        probability = values[i * head.units + predicted] as number;
      }
      const path = batch.ids[i] as string;
      // Float32 sigmoid/softmax can land a hair outside [0, 1].
      out.push({ path, id: predictionId(path), predicted, probability: Math.min(1, Math.max(0, probability)), truth: batch.y[i] as number });
    }
    at += batch.ids.length;
    await options.onBatch?.(at);
  }
  return out;
}
