import { z } from 'zod';
import { vgg16Blocks } from '../models/vgg16.ts';

/**
 * The transfer-learning phases of an image job (the article's recipe, Chollet's and fast.ai's): train a new top on a
 * frozen convolutional base, optionally on bottleneck features computed once; then unfreeze the base from a named
 * layer on and fine-tune with a lower learning rate. One job spec holds every phase; they run in order, share the
 * global batch, and each starts with a fresh optimizer.
 */

const int = () => z.number().int();
const epochs = () => int().min(1).max(10_000);
const learningRate = () => z.number().gt(0).max(10);

const topPhaseSchema = z
  .object({
    kind: z.literal('top'),
    epochs: epochs(),
    /** Defaults to `training.learningRate`. */
    learningRate: learningRate().optional(),
    /**
     * Train the top on the frozen base's output, computed once per image and cached in the store (no augmentation
     * in this phase, as in Chollet's recipe: an augmented image would need its own forward pass through the base).
     * Off: every step runs the whole model with the base frozen, augmentation on.
     */
    cachedFeatures: z.boolean().default(false),
  })
  .strict();

const fineTunePhaseSchema = z
  .object({
    kind: z.literal('fine-tune'),
    /** First base layer to train (Keras name, e.g. `block5_conv1`); the layers before it stay frozen. */
    unfreezeFrom: z.string().min(1).max(100),
    epochs: epochs(),
    /** Defaults to a tenth of `training.learningRate`: large updates would wreck the pretrained features. */
    learningRate: learningRate().optional(),
  })
  .strict();

export const transferPhasesSchema = z.array(z.discriminatedUnion('kind', [topPhaseSchema, fineTunePhaseSchema])).min(1).max(16);

export type TransferPhaseKind = 'top' | 'fine-tune';

/** A phase with its learning rate resolved (what a validated spec holds). */
export type TransferPhase =
  | { readonly kind: 'top'; readonly epochs: number; readonly learningRate: number; readonly cachedFeatures: boolean }
  | { readonly kind: 'fine-tune'; readonly unfreezeFrom: string; readonly epochs: number; readonly learningRate: number };

/** The fine-tune learning rate when a phase gives none, relative to `training.learningRate`. */
export const fineTuneLearningRateFactor = 0.1;

/** The layers of VGG16's base that carry weights, in model order: what a fine-tune phase may unfreeze from. */
export const vgg16ConvLayerNames: readonly string[] = vgg16Blocks.flatMap((block, b) =>
  Array.from({ length: block.convs }, (_, c) => `block${b + 1}_conv${c + 1}`),
);

/** Models with a convolutional base to freeze, and the base layers a fine-tune phase may start from. */
export const unfreezableLayersByModel: Readonly<Record<string, readonly string[]>> = { 'vgg16-notop': vgg16ConvLayerNames };

export interface PhaseIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

type ParsedPhases = z.output<typeof transferPhasesSchema>;

/**
 * What is wrong with a spec's phases beyond their own fields: phases need a model with a base, a fine-tune must name
 * one of its layers, cached features must come before any fine-tune (the base they were computed with would have
 * changed), and an explicit `training.epochs` must equal the phases' sum. Paths are relative to the spec.
 */
export function transferPhaseIssues(spec: {
  readonly model: { readonly name: string };
  readonly phases?: ParsedPhases | undefined;
  readonly training: { readonly epochs?: number | undefined };
}): PhaseIssue[] {
  const { phases } = spec;
  if (phases === undefined) return [];
  const layers = unfreezableLayersByModel[spec.model.name];
  if (layers === undefined) {
    const withBase = Object.keys(unfreezableLayersByModel).join(', ');
    return [{ path: ['phases'], message: `phases need a model with a convolutional base to freeze (${withBase}); ${spec.model.name} trains as a whole` }];
  }
  const issues: PhaseIssue[] = [];
  let fineTuned = -1;
  phases.forEach((phase, i) => {
    if (phase.kind === 'fine-tune') {
      if (!layers.includes(phase.unfreezeFrom)) {
        issues.push({ path: ['phases', i, 'unfreezeFrom'], message: `must name a layer of the ${spec.model.name} base with weights: one of ${layers.join(', ')}` });
      }
      if (fineTuned < 0) fineTuned = i;
    } else if (phase.cachedFeatures && fineTuned >= 0) {
      issues.push({ path: ['phases', i, 'cachedFeatures'], message: `cached features must come before any fine-tune phase (phase ${fineTuned} changes the base they would be computed with)` });
    }
  });
  const sum = phases.reduce((total, phase) => total + phase.epochs, 0);
  if (spec.training.epochs !== undefined && spec.training.epochs !== sum) {
    issues.push({ path: ['training', 'epochs'], message: `the job's epochs are the phases' sum (${sum}); leave training.epochs out or make it ${sum}` });
  }
  return issues;
}

/** Fills in each phase's learning rate from `training.learningRate`. */
export function resolveTransferPhases(phases: ParsedPhases, trainingLearningRate: number): TransferPhase[] {
  return phases.map((phase) =>
    phase.kind === 'top'
      ? { kind: 'top', epochs: phase.epochs, learningRate: phase.learningRate ?? trainingLearningRate, cachedFeatures: phase.cachedFeatures }
      : {
          kind: 'fine-tune',
          unfreezeFrom: phase.unfreezeFrom,
          epochs: phase.epochs,
          learningRate: phase.learningRate ?? trainingLearningRate * fineTuneLearningRateFactor,
        },
  );
}
