import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageClassificationSpec } from '../jobs/job-spec.ts';
import { topStartIndex } from '../models/image-classifier.ts';

/**
 * A job's phases laid out on its global step axis. Every phase uses the job's global batch, so all have the same
 * steps per epoch and a step number alone says which phase it belongs to: a checkpoint at step s resumes in
 * `phaseAtStep(s)`, never redoing an earlier phase. A spec without `phases` is one `whole-model` phase.
 */
export interface PlannedPhase {
  /** 0-based position in the job. */
  readonly index: number;
  /** Phases of the job, for messages (`phase 2/2`). */
  readonly count: number;
  readonly kind: 'whole-model' | 'top' | 'fine-tune';
  readonly epochs: number;
  readonly learningRate: number;
  /** Top phase only: train on bottleneck features computed once (no augmentation). */
  readonly cachedFeatures: boolean;
  /** Fine-tune phase only: the first base layer trained. */
  readonly unfreezeFrom?: string | undefined;
  /** Global step the phase starts at (steps already done before it). */
  readonly firstStep: number;
  /** Global step the phase ends at, exclusive. */
  readonly endStep: number;
}

/** Lays the spec's phases (or the one implicit phase) out on the step axis. */
export function planTrainingPhases(spec: ImageClassificationSpec, stepsPerEpoch: number): PlannedPhase[] {
  const phases = spec.phases ?? [];
  if (phases.length === 0) {
    const endStep = stepsPerEpoch * spec.training.epochs;
    return [{ index: 0, count: 1, kind: 'whole-model', epochs: spec.training.epochs, learningRate: spec.training.learningRate, cachedFeatures: false, firstStep: 0, endStep }];
  }
  let firstStep = 0;
  return phases.map((phase, index) => {
    const endStep = firstStep + stepsPerEpoch * phase.epochs;
    const planned: PlannedPhase = {
      index,
      count: phases.length,
      kind: phase.kind,
      epochs: phase.epochs,
      learningRate: phase.learningRate,
      cachedFeatures: phase.kind === 'top' && phase.cachedFeatures,
      unfreezeFrom: phase.kind === 'fine-tune' ? phase.unfreezeFrom : undefined,
      firstStep,
      endStep,
    };
    firstStep = endStep;
    return planned;
  });
}

/** The phase the step after `step` completed steps belongs to; at the very end, the last phase. */
export function phaseAtStep(phases: readonly PlannedPhase[], step: number): PlannedPhase {
  const last = phases[phases.length - 1];
  if (last === undefined) throw new RangeError('a job has at least one phase');
  return phases.find((phase) => step < phase.endStep) ?? last;
}

/**
 * Freezes and unfreezes `model`'s layers for a phase: `top` trains the layers from the first `top_` layer on,
 * `fine-tune` those from `unfreezeFrom` on, `whole-model` everything. Returns the index of the first trained layer.
 * The model's `trainableWeights` then hold exactly the weights the phase trains, which is what the synchronous
 * update all-reduces: a top phase sends only the top's gradients.
 */
export function setPhaseTrainability(model: tfl.LayersModel, phase: PlannedPhase): number {
  let from = 0;
  if (phase.kind === 'top') {
    from = topStartIndex(model);
    if (from === model.layers.length) throw new RangeError(`a 'top' phase needs a model with a new top (top_* layers); ${model.name} has none`);
  } else if (phase.kind === 'fine-tune') {
    from = model.layers.findIndex((layer) => layer.name === phase.unfreezeFrom);
    if (from < 0) throw new RangeError(`phases.${phase.index}.unfreezeFrom: ${model.name} has no layer '${phase.unfreezeFrom ?? ''}'`);
  }
  model.layers.forEach((layer, i) => {
    layer.trainable = i >= from;
  });
  return from;
}

/** One line for the job's events: `phase 2/2 fine-tune from block5_conv1, lr 0.0001, steps 12-24`. */
export function describePhase(phase: PlannedPhase): string {
  const what =
    phase.kind === 'top'
      ? `top on the frozen base${phase.cachedFeatures ? ', cached bottleneck features, no augmentation' : ''}`
      : phase.kind === 'fine-tune'
        ? `fine-tune from ${phase.unfreezeFrom ?? '?'}`
        : 'whole model';
  return `phase ${phase.index + 1}/${phase.count} ${what}, lr ${phase.learningRate}, ${phase.epochs} epoch${phase.epochs === 1 ? '' : 's'} (steps ${phase.firstStep}-${phase.endStep})`;
}
