import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// Registers the 3D U-Net's up-convolution layer, so a unet3d checkpoint's topology deserialises.
import '@tessera/core/models/up-conv-3d';
import type { TrainingState } from '@tessera/core/training/training-state';

/**
 * The model exactly as the checkpoint saved it (its own topology, not rebuilt from the registry), so a checkpoint
 * predicts as it evaluated whatever the registry's models become. Costs one copy of the weights.
 */
export async function loadCheckpointModel(checkpoint: TrainingState): Promise<tfl.LayersModel> {
  const weightData = checkpoint.weights.slice().buffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: checkpoint.modelJson, weightSpecs: checkpoint.weightSpecs, weightData }));
}
