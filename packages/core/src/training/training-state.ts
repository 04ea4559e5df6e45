import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import type { LabelMapping, Standardization } from '../data/tabular-dataset.ts';
import type { RandomState } from '../random/seeded-random.ts';

/** Where a run stands, besides tensors: enough to resume bit-identically and to use the model afterwards. */
export interface TrainingProgress {
  /** Optimizer steps completed. */
  readonly step: number;
  /** Epochs completed (`floor(step / stepsPerEpoch)`). */
  readonly epoch: number;
  /** The dropout stream; shuffles and splits are re-derived from the seed. */
  readonly rng: RandomState;
  readonly labelMapping: LabelMapping;
  readonly standardization: Standardization | null;
  /**
   * Index of the training phase the optimizer slots belong to (image jobs with `phases`; absent: the only phase).
   * A checkpoint at the last step of a phase holds that phase's slots, and the next phase starts fresh.
   */
  readonly phase?: number | undefined;
}

/** A complete snapshot of a replica: model, optimizer slots and progress. Identical on every rank. */
export interface TrainingState {
  /** tfjs-layers model topology (`model.toJSON(null, false)`). */
  readonly modelJson: object;
  /** Weight data concatenated in `weightSpecs` order, little-endian (the `weights.bin` of a layers model). */
  readonly weights: Uint8Array;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  /** See optimizer-state.ts. */
  readonly optimizer: Uint8Array;
  readonly state: TrainingProgress;
}

/** The four objects of a checkpoint, as DESIGN.md lays them out under `jobs/<jobId>/checkpoints/<step>/`. */
export interface CheckpointFiles {
  /** A standard tfjs layers `model.json` whose manifest points at `weights.bin`: `tf.loadLayersModel` reads it. */
  readonly 'model.json': Uint8Array;
  readonly 'weights.bin': Uint8Array;
  readonly 'optimizer.bin': Uint8Array;
  readonly 'state.json': Uint8Array;
}

export const checkpointFileNames = ['model.json', 'weights.bin', 'optimizer.bin', 'state.json'] as const;

/** Captures topology and weights through tfjs' own save path, so names and order match what loaders expect. */
export async function captureModel(
  model: tfl.LayersModel,
): Promise<Pick<TrainingState, 'modelJson' | 'weights' | 'weightSpecs'>> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      captured = artifacts;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  if (captured?.modelTopology === undefined || captured.weightSpecs === undefined) {
    throw new Error('model.save produced no topology or weight specs');
  }
  const data = captured.weightData;
  return {
    modelJson: captured.modelTopology,
    weights: new Uint8Array(data === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(data)),
    weightSpecs: captured.weightSpecs,
  };
}

/**
 * Loads saved weights into `model` by weight name (strict: every saved weight must have a target and shapes must
 * match). The weights are copied; nothing stays allocated but the model's own variables.
 */
export function restoreModelWeights(
  model: tfl.LayersModel,
  weights: Uint8Array,
  weightSpecs: tf.io.WeightsManifestEntry[],
): void {
  const tensors = tf.io.decodeWeights(weights.slice().buffer, weightSpecs);
  try {
    model.loadWeights(tensors, true);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/**
 * A standard tfjs layers artifact (model.json + weights.bin) from a training state; label mapping and
 * standardisation ride along in `userDefinedMetadata` so a downloaded model can be used on raw rows.
 */
export function toLayersArtifacts(state: TrainingState): { modelJson: tf.io.ModelJSON; weightsBin: Uint8Array } {
  return {
    modelJson: {
      modelTopology: state.modelJson,
      format: 'layers-model',
      generatedBy: 'tessera (TensorFlow.js tfjs-layers 4.22.0)',
      convertedBy: null,
      weightsManifest: [{ paths: ['weights.bin'], weights: state.weightSpecs }],
      // Absent standardization means the model takes raw features.
      userDefinedMetadata: {
        labelMapping: [...state.state.labelMapping],
        ...(state.state.standardization === null
          ? {}
          : {
              standardization: {
                mean: [...state.state.standardization.mean],
                std: [...state.state.standardization.std],
              },
            }),
      },
    },
    weightsBin: state.weights,
  };
}

/**
 * An IOHandler over the bytes of model.json and weights.bin, for `tf.loadLayersModel(handler)` wherever no HTTP or
 * file loader is at hand (tests, the worker loading a checkpoint). Reads weights through the manifest, exactly as
 * the browser's http loader does.
 */
export function layersModelHandler(modelJsonBytes: Uint8Array, weightsBin: Uint8Array): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJson = JSON.parse(new TextDecoder().decode(modelJsonBytes)) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, (manifest) =>
        Promise.resolve([manifest.flatMap((group) => group.weights), weightsBin.slice().buffer]),
      );
    },
  };
}

const progressSchema = z.object({
  format: z.literal('tessera-training-state-v1'),
  step: z.number().int().min(0),
  epoch: z.number().int().min(0),
  rng: z.object({ algorithm: z.literal('mulberry32'), state: z.number().int().min(0) }),
  labelMapping: z.array(z.string()),
  standardization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
  phase: z.number().int().min(0).optional(),
});

const encoder = new TextEncoder();

/** Splits a training state into its checkpoint objects. Upload them first and the manifest pointing at them last. */
export function toCheckpointFiles(state: TrainingState): CheckpointFiles {
  const { modelJson, weightsBin } = toLayersArtifacts(state);
  return {
    'model.json': encoder.encode(JSON.stringify(modelJson)),
    'weights.bin': weightsBin,
    'optimizer.bin': state.optimizer,
    'state.json': encoder.encode(JSON.stringify({ format: 'tessera-training-state-v1', ...state.state })),
  };
}

/** Reassembles a training state from checkpoint objects; throws naming the file at fault. */
export function fromCheckpointFiles(files: CheckpointFiles): TrainingState {
  const decoder = new TextDecoder();
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(decoder.decode(files['model.json'])) as tf.io.ModelJSON;
  } catch (cause) {
    throw new Error('checkpoint model.json is not JSON', { cause });
  }
  const weightSpecs = (modelJson.weightsManifest ?? []).flatMap((group) => group.weights);
  if (typeof modelJson.modelTopology !== 'object' || modelJson.modelTopology === null) {
    throw new Error('checkpoint model.json has no modelTopology');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(files['state.json']));
  } catch (cause) {
    throw new Error('checkpoint state.json is not JSON', { cause });
  }
  const parsed = progressSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`checkpoint state.json: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  const { format: _format, ...progress } = parsed.data;
  return {
    modelJson: modelJson.modelTopology,
    weights: files['weights.bin'],
    weightSpecs,
    optimizer: files['optimizer.bin'],
    state: progress,
  };
}
