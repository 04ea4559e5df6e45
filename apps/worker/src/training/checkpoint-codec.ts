import type { ObjectStore } from '@tessera/storage/object-store';
import { readCheckpoint, writeCheckpoint } from '@tessera/storage/checkpoints/checkpoint-store';
import { fromCheckpointFiles, toCheckpointFiles, type TrainingState } from '@tessera/core/training/training-state';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Training state ↔ checkpoint objects. `model.json` is a standard tfjs layers artifact (with label mapping and
 * standardisation in its metadata), so `tf.loadLayersModel` reads a checkpoint as it is.
 */
export async function saveTrainingCheckpoint(store: ObjectStore, prefix: string, state: TrainingState): Promise<string> {
  const files = toCheckpointFiles(state);
  return writeCheckpoint(store, prefix, {
    step: state.state.step,
    modelJson: JSON.parse(decoder.decode(files['model.json'])) as object,
    weights: files['weights.bin'],
    optimizer: files['optimizer.bin'],
    state: JSON.parse(decoder.decode(files['state.json'])) as object,
  });
}

export async function loadTrainingCheckpoint(store: ObjectStore, manifestKey: string): Promise<TrainingState> {
  const checkpoint = await readCheckpoint(store, manifestKey);
  // Copies: the store hands back Node Buffers, which may be views into a shared pool, and the decoders read whole
  // ArrayBuffers (Buffer#slice is a view, not a copy).
  return fromCheckpointFiles({
    'model.json': encoder.encode(JSON.stringify(checkpoint.modelJson)),
    'weights.bin': new Uint8Array(checkpoint.weights),
    'optimizer.bin': new Uint8Array(checkpoint.optimizer),
    'state.json': encoder.encode(JSON.stringify(checkpoint.state)),
  });
}
