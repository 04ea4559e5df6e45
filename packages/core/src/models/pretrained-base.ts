import type * as tfl from '@tensorflow/tfjs-layers';
import { importKerasWeights } from './keras-h5-import.ts';
import { topLayerPrefix } from './image-classifier.ts';
import { isWeightsUrl } from './model-registry.ts';
import { readWeightsBytes } from './weights-source.ts';
import type { WeightsStore } from './weights-source.ts';

/** What loading a job's `model.weights` did, for the job's event line. */
export interface PretrainedBaseReport {
  /** `https://...` or `<store location>:<key>`. */
  readonly source: string;
  /** Base layers whose weights came from the file, in model order. */
  readonly loaded: readonly string[];
}

/**
 * Loads the Keras `.h5` weights a spec's `model.weights` names (an `http(s)://` URL, else an object-store key) into
 * the base of an image classifier, by layer name. The new top (`top_*`) keeps its seeded initial weights; a base
 * layer the file lacks, a layer the model lacks, or a shape mismatch is an error naming `model.weights` and the
 * layer, and no weight changes. Every rank loads the same file, so replicas stay identical. Costs one read of the
 * whole file (VGG16 notop: 59 MB) and one copy of its weights.
 */
export async function loadPretrainedBase(
  model: tfl.LayersModel,
  weights: string,
  store: WeightsStore,
  fetchImpl: typeof fetch = fetch,
): Promise<PretrainedBaseReport> {
  try {
    const { bytes, source } = await readWeightsBytes(isWeightsUrl(weights) ? { url: weights } : { store, key: weights }, fetchImpl);
    const report = await importKerasWeights(model, bytes, source, { missingInFile: 'skip' });
    const missingBase = report.skipped.filter((name) => !name.startsWith(topLayerPrefix));
    if (missingBase.length > 0) {
      // The layers found were loaded, but the job fails before its first step, so that model never trains.
      throw new Error(`${source} has no weights for base layer(s) ${missingBase.join(', ')}`);
    }
    return { source, loaded: report.loaded };
  } catch (cause) {
    throw new Error(`model.weights: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
