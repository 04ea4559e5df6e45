import * as tf from '@tensorflow/tfjs-core';
import type { ClassificationHead } from '../models/mlp.ts';

// Keras clips probabilities to [epsilon, 1 - epsilon] before the log; same constant as Keras' backend epsilon.
const epsilon = 1e-7;

/**
 * SUM (not mean) of per-sample cross-entropy losses. Data-parallel ranks divide their sum by the GLOBAL batch size,
 * so the all-reduced gradients equal those of one worker on the whole batch.
 * `probabilities` is the head's output ([n, 1] sigmoid or [n, k] softmax); `labels` are class ids.
 */
export function crossEntropySum(
  head: ClassificationHead,
  probabilities: tf.Tensor2D,
  labels: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const p = tf.clipByValue(probabilities, epsilon, 1 - epsilon);
    if (head.loss === 'binaryCrossentropy') {
      const y = tf.reshape(tf.cast(labels, 'float32'), [-1, 1]);
      const perSample = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
      return tf.neg(tf.sum(perSample)) as tf.Scalar;
    }
    const y = tf.oneHot(tf.cast(labels, 'int32'), head.classCount);
    return tf.neg(tf.sum(tf.mul(y, tf.log(p)))) as tf.Scalar;
  });
}

/** Predicted class ids: probability > 0.5 for a sigmoid head, argmax for softmax. */
export function predictedClasses(head: ClassificationHead, probabilities: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(
    (): tf.Tensor1D =>
      head.activation === 'sigmoid'
        ? tf.cast(tf.reshape<tf.Rank.R1>(tf.greater(probabilities, 0.5), [-1]), 'int32')
        : tf.cast(tf.argMax<tf.Tensor1D>(probabilities, 1), 'int32'),
  );
}
