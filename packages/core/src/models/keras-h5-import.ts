import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readKerasH5 } from './keras-h5-file.ts';
import type { KerasH5Layer } from './keras-h5-file.ts';
import { kerasImportError } from './keras-import-error.ts';
import { buildKerasModel } from './keras-model-config.ts';

/**
 * Weights by layer, from either reader: a Keras HDF5 file (readKerasH5's KerasH5Contents) or tfjs layers artifacts
 * (readTfjsLayersArtifacts). `backend` is Keras's, where the file records one.
 */
export interface LayerWeightsContents {
  readonly source: string;
  readonly backend?: string | undefined;
  readonly layers: readonly KerasH5Layer[];
}

export interface LoadKerasWeightsOptions {
  /**
   * Model layers with weights that the file lacks: `error` (default) or `skip`, keeping their initial weights. Use
   * `skip` to put a convolutional base (`..._notop.h5`) under a new top, as transfer learning does.
   */
  readonly missingInFile?: 'error' | 'skip' | undefined;
  /** File layers with weights that the model lacks: `error` (default) or `ignore` (Keras's `by_name=True`). */
  readonly extraInFile?: 'error' | 'ignore' | undefined;
}

export interface LoadKerasWeightsReport {
  /** Model layers whose weights came from the file, in model order. */
  readonly loaded: readonly string[];
  /** Model layers with weights that kept their initial values (only with `missingInFile: 'skip'`). */
  readonly skipped: readonly string[];
  /** File layers with weights that the model has no layer for (only with `extraInFile: 'ignore'`). */
  readonly ignored: readonly string[];
}

// Keras's own names for the weights of the layers the importer supports; tfjs gives the same names in the same order.
const knownWeightNames = new Set(['kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance']);

/**
 * Copies Keras weights into a tfjs layers model BY LAYER NAME (Keras's `load_weights(by_name=True)`), checking every
 * weight before changing any: same count per layer, same name where the file uses Keras's names (`kernel`, `bias`,
 * `gamma`, ...; Keras 1 era names such as `block1_conv1_W_1:0` match by position), same shape. A mismatch is a
 * KerasImportError naming the layer and both shapes, and leaves the model untouched. Layers without weights
 * (pooling, flatten, activations) are not matched. Works for whole-model and weights-only HDF5 files and for tfjs
 * layers artifacts alike, with the same checks and errors.
 *
 * Costs one float32 copy of the weights while assigning them.
 */
export function loadKerasWeights(
  model: tfl.LayersModel,
  contents: LayerWeightsContents,
  options: LoadKerasWeightsOptions = {},
): LoadKerasWeightsReport {
  const { source } = contents;
  if (contents.backend !== undefined && contents.backend !== 'tensorflow') {
    throw kerasImportError({
      kind: 'NotKerasH5',
      source,
      reason: `weights were saved with the ${contents.backend} backend (kernel layout differs); only tensorflow is supported`,
    });
  }
  const fileLayers = new Map(contents.layers.filter((l) => l.weights.length > 0).map((l) => [l.name, l]));
  const assignments: Array<{ layer: tfl.layers.Layer; from: KerasH5Layer }> = [];
  const skipped: string[] = [];
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const from = fileLayers.get(layer.name);
    if (from === undefined) {
      if (options.missingInFile === 'skip') {
        skipped.push(layer.name);
        continue;
      }
      throw kerasImportError({ kind: 'LayerMissingFromFile', source, layer: layer.name, fileLayers: [...fileLayers.keys()] });
    }
    checkLayer(layer, from, source);
    assignments.push({ layer, from });
  }
  const modelLayerNames = new Set(model.layers.map((l) => l.name));
  const ignored = [...fileLayers.keys()].filter((name) => !modelLayerNames.has(name));
  if (ignored.length > 0 && options.extraInFile !== 'ignore') {
    throw kerasImportError({ kind: 'LayerMissingFromModel', source, layer: ignored[0]! });
  }
  for (const { layer, from } of assignments) {
    const tensors = from.weights.map((w) => tf.tensor(w.values, [...w.shape], 'float32'));
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
  return { loaded: assignments.map((a) => a.layer.name), skipped, ignored };
}

function checkLayer(layer: tfl.layers.Layer, from: KerasH5Layer, source: string): void {
  const modelWeights = layer.weights;
  if (modelWeights.length !== from.weights.length) {
    throw kerasImportError({
      kind: 'WeightCountMismatch',
      source,
      layer: layer.name,
      modelWeights: modelWeights.map((w) => w.originalName),
      fileWeights: from.weights.map((w) => w.name),
    });
  }
  modelWeights.forEach((weight, index) => {
    const stored = from.weights[index]!;
    const modelBase = baseName(weight.originalName);
    const fileBase = baseName(stored.name);
    if (knownWeightNames.has(fileBase) && fileBase !== modelBase) {
      throw kerasImportError({ kind: 'WeightNameMismatch', source, layer: layer.name, modelWeight: weight.originalName, fileWeight: stored.name });
    }
    const modelShape = weight.shape.map((d) => d ?? -1);
    if (modelShape.length !== stored.shape.length || modelShape.some((d, i) => d !== stored.shape[i])) {
      throw kerasImportError({
        kind: 'WeightShapeMismatch',
        source,
        layer: layer.name,
        weight: modelBase,
        modelShape,
        fileShape: stored.shape,
      });
    }
  });
}

/** `block1_conv1/kernel:0` -> `kernel`; `dense_1/dense_1/bias` -> `bias`. */
function baseName(name: string): string {
  return name.replace(/:\d+$/, '').split('/').at(-1)!;
}

/**
 * Imports a whole Keras model saved with `model.save()` (HDF5): builds the tfjs model from its `model_config` (see
 * buildKerasModel for the supported layers) and loads every weight by layer name, both strictly. The result
 * predicts what Keras predicted (tested to 1e-5 on Keras 2.1 and 2.3 files); it is not compiled. `source` names the
 * bytes (object key or URL) in errors. A weights-only file is a NotKerasH5 error: build the model, then use
 * {@link readKerasH5} and {@link loadKerasWeights}.
 */
export async function importKerasModel(bytes: Uint8Array, source: string): Promise<tfl.LayersModel> {
  const contents = await readKerasH5(bytes, source);
  if (contents.kind !== 'model' || contents.modelConfig === undefined) {
    throw kerasImportError({
      kind: 'NotKerasH5',
      source,
      reason: "it holds weights only (no 'model_config'); build the model and load them with loadKerasWeights",
    });
  }
  const model = buildKerasModel(contents.modelConfig, source);
  try {
    loadKerasWeights(model, contents);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * Reads a Keras weights file and loads it into `model` by layer name: the usual path for pretrained bases such as
 * `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5` into `buildVgg16({ includeTop: false })`.
 */
export async function importKerasWeights(
  model: tfl.LayersModel,
  bytes: Uint8Array,
  source: string,
  options: LoadKerasWeightsOptions = {},
): Promise<LoadKerasWeightsReport> {
  return loadKerasWeights(model, await readKerasH5(bytes, source), options);
}
