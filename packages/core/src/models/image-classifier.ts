import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageClassificationSpec } from '../jobs/job-spec.ts';
import { deriveSeed } from '../random/seeded-random.ts';
import { classificationHead } from './mlp.ts';
import { buildModel } from './model-registry.ts';

/**
 * The model of an image job: registry models with their own head (small-vgg) as they are; a headless base
 * (vgg16-notop) gets the spec's new top: `top_flatten` (unless the base pools), `top_fc` relu, `top_dropout` and the
 * classification head `top_predictions` sized from the data set. One layer chain, so the trainer's masked forward
 * pass walks it layer by layer. Seeded: every rank builds identical weights.
 */
export function buildImageClassifier(spec: ImageClassificationSpec, classCount: number): tfl.LayersModel {
  const seed = spec.training.seed;
  if (spec.model.name === 'small-vgg') return buildModel(spec.model, { seed, classCount });
  const base = buildModel(spec.model, { seed, classCount });
  const head = classificationHead(classCount);
  const glorot = (name: string) => tfl.initializers.glorotUniform({ seed: deriveSeed(seed, 'init', name) });
  let h = base.outputs[0] as tfl.SymbolicTensor;
  if (h.shape.length > 2) h = tfl.layers.flatten({ name: 'top_flatten' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ name: 'top_fc', units: spec.top.denseUnits, activation: 'relu', kernelInitializer: glorot('top_fc') }).apply(h) as tfl.SymbolicTensor;
  if (spec.top.dropout > 0) h = tfl.layers.dropout({ name: 'top_dropout', rate: spec.top.dropout }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ name: 'top_predictions', units: head.units, activation: head.activation, kernelInitializer: glorot('top_predictions') }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ name: 'image_classifier', inputs: base.inputs, outputs: h });
}
