import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageClassificationSpec } from '../jobs/job-spec.ts';
import { deriveSeed } from '../random/seeded-random.ts';
import { classificationHead } from './mlp.ts';
import { buildModel } from './model-registry.ts';

/** Prefix of the layers of a new top: everything before the first of them is the base. */
export const topLayerPrefix = 'top_';

/**
 * The model of an image job: registry models with their own head (small-vgg) as they are; a headless base
 * (vgg16-notop) gets the spec's new top (see {@link addClassifierTop}). One layer chain, so the trainer's masked
 * forward pass walks it layer by layer. Seeded: every rank builds identical weights.
 */
export function buildImageClassifier(spec: ImageClassificationSpec, classCount: number): tfl.LayersModel {
  const seed = spec.training.seed;
  if (spec.model.name === 'small-vgg') return buildModel(spec.model, { seed, classCount });
  return addClassifierTop(buildModel(spec.model, { seed, classCount }), spec.top, classCount, seed);
}

/**
 * Puts a new classifier on a headless base: `top_flatten` (unless the base pools), `top_fc` relu, `top_dropout` and
 * the classification head `top_predictions` sized from the class count. The base's layers are shared, not copied.
 */
export function addClassifierTop(
  base: tfl.LayersModel,
  top: ImageClassificationSpec['top'],
  classCount: number,
  seed: number,
): tfl.LayersModel {
  const head = classificationHead(classCount);
  const glorot = (name: string) => tfl.initializers.glorotUniform({ seed: deriveSeed(seed, 'init', name) });
  let h = base.outputs[0] as tfl.SymbolicTensor;
  if (h.shape.length > 2) h = tfl.layers.flatten({ name: `${topLayerPrefix}flatten` }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ name: `${topLayerPrefix}fc`, units: top.denseUnits, activation: 'relu', kernelInitializer: glorot('top_fc') }).apply(h) as tfl.SymbolicTensor;
  if (top.dropout > 0) h = tfl.layers.dropout({ name: `${topLayerPrefix}dropout`, rate: top.dropout }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ name: `${topLayerPrefix}predictions`, units: head.units, activation: head.activation, kernelInitializer: glorot('top_predictions') }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ name: 'image_classifier', inputs: base.inputs, outputs: h });
}

/** Index in `model.layers` of the first layer of the new top; `model.layers.length` when the model has none. */
export function topStartIndex(model: tfl.LayersModel): number {
  const index = model.layers.findIndex((layer) => layer.name.startsWith(topLayerPrefix));
  return index < 0 ? model.layers.length : index;
}
