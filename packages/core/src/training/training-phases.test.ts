import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseJobSpec } from '../jobs/job-spec.ts';
import type { ImageClassificationSpec } from '../jobs/job-spec.ts';
import { addClassifierTop } from '../models/image-classifier.ts';
import { describePhase, phaseAtStep, planTrainingPhases, setPhaseTrainability } from './training-phases.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function imageSpec(extra: Record<string, unknown>): ImageClassificationSpec {
  const parsed = parseJobSpec({ name: 't', workload: 'image-classification', dataset: 'd', model: { name: 'vgg16-notop' }, ...extra });
  if (!parsed.ok || parsed.spec.workload !== 'image-classification') throw new Error(parsed.ok ? 'not an image spec' : `${parsed.field}: ${parsed.message}`);
  return parsed.spec;
}

const phased = imageSpec({
  training: { learningRate: 0.01 },
  phases: [
    { kind: 'top', epochs: 2, cachedFeatures: true },
    { kind: 'fine-tune', unfreezeFrom: 'block5_conv2', epochs: 3 },
  ],
});

/** A stand-in for the VGG16 base (same layer names, two tiny convolutions) under the real new top. */
function tinyClassifier(): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 3] });
  let x = tfl.layers.conv2d({ name: 'block5_conv1', filters: 2, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ name: 'block5_conv2', filters: 2, kernelSize: 3, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ name: 'block5_pool', poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  return addClassifierTop(tfl.model({ inputs: input, outputs: x }), { denseUnits: 3, dropout: 0.5 }, 2, 1);
}

describe('training phases', () => {
  it('lays the phases out on one step axis', () => {
    const phases = planTrainingPhases(phased, 4);
    expect(phases.map((p) => [p.kind, p.firstStep, p.endStep, p.learningRate, p.cachedFeatures])).toEqual([
      ['top', 0, 8, 0.01, true],
      ['fine-tune', 8, 20, 0.001, false],
    ]);
    expect(phases[1]?.unfreezeFrom).toBe('block5_conv2');
    expect([0, 7, 8, 19, 20].map((step) => phaseAtStep(phases, step).index)).toEqual([0, 0, 1, 1, 1]);
  });

  it('makes a spec without phases one whole-model phase over training.epochs', () => {
    const phases = planTrainingPhases(imageSpec({ training: { epochs: 3, learningRate: 0.002 } }), 5);
    expect(phases).toEqual([{ index: 0, count: 1, kind: 'whole-model', epochs: 3, learningRate: 0.002, cachedFeatures: false, firstStep: 0, endStep: 15 }]);
    expect(describePhase(phases[0]!)).toBe('phase 1/1 whole model, lr 0.002, 3 epochs (steps 0-15)');
  });

  it('freezes what a phase does not train, so trainableWeights hold only the phase weights', () => {
    const model = tinyClassifier();
    const [top, fineTune] = planTrainingPhases(phased, 4);
    expect(setPhaseTrainability(model, top!)).toBe(4);
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual(['top_fc/kernel', 'top_fc/bias', 'top_predictions/kernel', 'top_predictions/bias']);
    expect(setPhaseTrainability(model, fineTune!)).toBe(2);
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual([
      'block5_conv2/kernel',
      'block5_conv2/bias',
      'top_fc/kernel',
      'top_fc/bias',
      'top_predictions/kernel',
      'top_predictions/bias',
    ]);
    expect(describePhase(top!)).toBe('phase 1/2 top on the frozen base, cached bottleneck features, no augmentation, lr 0.01, 2 epochs (steps 0-8)');
    expect(describePhase(fineTune!)).toBe('phase 2/2 fine-tune from block5_conv2, lr 0.001, 3 epochs (steps 8-20)');
    model.dispose();
  });

  it('names a fine-tune layer the model lacks', () => {
    const model = tinyClassifier();
    const spec = imageSpec({ phases: [{ kind: 'fine-tune', unfreezeFrom: 'block4_conv1', epochs: 1 }] });
    expect(() => setPhaseTrainability(model, planTrainingPhases(spec, 1)[0]!)).toThrow("phases.0.unfreezeFrom: image_classifier has no layer 'block4_conv1'");
    model.dispose();
  });
});
