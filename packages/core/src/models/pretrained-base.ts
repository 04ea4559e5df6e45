import type * as tfl from '@tensorflow/tfjs-layers';
import { readKerasH5 } from './keras-h5-file.ts';
import { loadKerasWeights } from './keras-h5-import.ts';
import type { LayerWeightsContents } from './keras-h5-import.ts';
import { topLayerPrefix } from './image-classifier.ts';
import { isWeightsUrl, pretrainedWeightsFormat, pretrainedWeightsRule } from './model-registry.ts';
import { readTfjsLayersArtifacts } from './tfjs-layers-artifacts.ts';
import { readWeightsBytes } from './weights-source.ts';
import type { WeightsSource, WeightsStore } from './weights-source.ts';

/** What loading a job's `model.weights` did, for the job's event line. */
export interface PretrainedBaseReport {
  /** `https://...` or `<store location>:<key>` (of the model.json, for tfjs layers artifacts). */
  readonly source: string;
  /** Base layers whose weights came from the file, in model order. */
  readonly loaded: readonly string[];
}

/**
 * Loads the weights a spec's `model.weights` names (an `http(s)://` URL, else an object-store key) into the base of
 * an image classifier, by layer name: a Keras `.h5`/`.hdf5`, or tfjs layers artifacts (a `model.json` and the shards
 * its manifest lists, read from beside it in the same store or over the same `fetchImpl`). The new top (`top_*`)
 * keeps its seeded initial weights; a reference of neither kind, a base layer the file lacks, a layer the model
 * lacks, or a shape mismatch is an error naming `model.weights` and the layer, and no weight changes. Every rank
 * loads the same file, so replicas stay identical. Costs one read of the whole file or all shards (VGG16 notop:
 * 59 MB) and a copy or two of its weights.
 */
export async function loadPretrainedBase(
  model: tfl.LayersModel,
  weights: string,
  store: WeightsStore,
  fetchImpl: typeof fetch = fetch,
): Promise<PretrainedBaseReport> {
  try {
    const from: WeightsSource = isWeightsUrl(weights) ? { url: weights } : { store, key: weights };
    const contents = await readLayerWeights(weights, from, fetchImpl);
    const report = loadKerasWeights(model, contents, { missingInFile: 'skip' });
    const missingBase = report.skipped.filter((name) => !name.startsWith(topLayerPrefix));
    if (missingBase.length > 0) {
      // The layers found were loaded, but the job fails before its first step, so that model never trains.
      throw new Error(`${contents.source} has no weights for base layer(s) ${missingBase.join(', ')}`);
    }
    return { source: contents.source, loaded: report.loaded };
  } catch (cause) {
    throw new Error(`model.weights: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

async function readLayerWeights(weights: string, from: WeightsSource, fetchImpl: typeof fetch): Promise<LayerWeightsContents> {
  const format = pretrainedWeightsFormat(weights);
  switch (format) {
    case 'tfjs-layers':
      return readTfjsLayersArtifacts(from, fetchImpl);
    case 'keras-h5': {
      const { bytes, source } = await readWeightsBytes(from, fetchImpl);
      return readKerasH5(bytes, source);
    }
    case undefined:
      throw new Error(`'${weights}' ${pretrainedWeightsRule}`);
  }
}
