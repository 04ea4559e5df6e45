import type * as tf from '@tensorflow/tfjs-core';

/** How the learning rate moves within a training phase. */
export const learningRateSchedules = ['constant', 'cosine'] as const;
export type LearningRateSchedule = (typeof learningRateSchedules)[number];

/**
 * The learning rate of step `step` of a phase running steps [firstStep, endStep) at base rate `base`. `cosine` is
 * SGDR's cosine annealing without restarts (Loshchilov & Hutter, 2017): base at the phase's first step, falling
 * along half a cosine to base/1000 at its last, which settles the weights at the end of a fixed budget instead of
 * leaving them bouncing at the full rate. A pure function of the step, so a resumed run follows the same curve.
 */
export function learningRateAt(schedule: LearningRateSchedule, base: number, step: number, firstStep: number, endStep: number): number {
  switch (schedule) {
    case 'constant':
      return base;
    case 'cosine': {
      const span = Math.max(1, endStep - 1 - firstStep);
      const progress = Math.min(1, Math.max(0, (step - firstStep) / span));
      const floor = base / 1000;
      return floor + (base - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}

/**
 * Sets the rate tfjs' optimizers use on their next `applyGradients`: SGD keeps it as a scalar tensor (its own
 * `setLearningRate`), Adam and RMSProp read their `learningRate` field at every update.
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const target = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  if (typeof target.setLearningRate === 'function') target.setLearningRate(learningRate);
  else target.learningRate = learningRate;
}
