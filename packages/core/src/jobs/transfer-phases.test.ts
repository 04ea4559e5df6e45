import { describe, expect, it } from 'vitest';
import { parseJobSpec } from './job-spec.ts';
import { vgg16ConvLayerNames } from './transfer-phases.ts';

const transfer = {
  name: 'transfer',
  workload: 'image-classification',
  dataset: 'dogs-vs-cats',
  model: { name: 'vgg16-notop', options: { inputShape: [64, 64, 3] }, weights: 'weights/vgg16_notop.h5' },
  training: { learningRate: 0.001 },
  phases: [
    { kind: 'top', epochs: 3, cachedFeatures: true },
    { kind: 'fine-tune', unfreezeFrom: 'block5_conv1', epochs: 2 },
  ],
};

function imageSpec(input: unknown) {
  const result = parseJobSpec(input);
  if (!result.ok) throw new Error(`${result.field}: ${result.message}`);
  if (result.spec.workload !== 'image-classification') throw new Error('not an image spec');
  return result.spec;
}

function failure(input: unknown): { field: string; message: string } {
  const result = parseJobSpec(input);
  if (result.ok) throw new Error('accepted');
  return result;
}

describe('transfer-learning phases in the image job spec', () => {
  it('resolves learning rates (fine-tune a tenth of training.learningRate) and makes epochs the phases sum', () => {
    const spec = imageSpec(transfer);
    expect(spec.phases).toEqual([
      { kind: 'top', epochs: 3, learningRate: 0.001, cachedFeatures: true },
      { kind: 'fine-tune', unfreezeFrom: 'block5_conv1', epochs: 2, learningRate: 0.0001 },
    ]);
    expect(spec.training.epochs).toBe(5);
    expect(spec.model).toMatchObject({ name: 'vgg16-notop', weights: 'weights/vgg16_notop.h5' });
    // JSON round trip: what the coordinator sends to workers parses to the same spec.
    expect(imageSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('keeps phase learning rates that are given, and cachedFeatures off by default', () => {
    const spec = imageSpec({ ...transfer, phases: [{ kind: 'top', epochs: 1, learningRate: 0.01 }, { kind: 'fine-tune', unfreezeFrom: 'block4_conv2', epochs: 1, learningRate: 0.00002 }] });
    expect(spec.phases).toEqual([
      { kind: 'top', epochs: 1, learningRate: 0.01, cachedFeatures: false },
      { kind: 'fine-tune', unfreezeFrom: 'block4_conv2', epochs: 1, learningRate: 0.00002 },
    ]);
  });

  it('leaves specs without phases as they were: no phases, 30 epochs by default, random init', () => {
    const spec = imageSpec({ name: 'plain', workload: 'image-classification', dataset: 'd' });
    expect(spec.phases).toBeUndefined();
    expect(spec.training.epochs).toBe(30);
    expect(imageSpec({ ...transfer, phases: undefined, training: { epochs: 4 } }).training.epochs).toBe(4);
    expect(imageSpec({ ...transfer, phases: undefined, model: { name: 'vgg16-notop' } }).model).not.toHaveProperty('weights');
  });

  it('accepts training.epochs equal to the phases sum', () => {
    expect(imageSpec({ ...transfer, training: { epochs: 5 } }).training.epochs).toBe(5);
  });

  it.each([
    [{ ...transfer, model: { name: 'small-vgg' } }, 'phases', /convolutional base to freeze \(vgg16-notop\); small-vgg/],
    [{ ...transfer, phases: [{ kind: 'fine-tune', unfreezeFrom: 'block6_conv1', epochs: 1 }] }, 'phases.0.unfreezeFrom', /one of block1_conv1, .*block5_conv3/],
    [{ ...transfer, phases: [{ kind: 'fine-tune', unfreezeFrom: 'block5_pool', epochs: 1 }] }, 'phases.0.unfreezeFrom', /layer of the vgg16-notop base with weights/],
    [
      { ...transfer, phases: [...transfer.phases, { kind: 'top', epochs: 1, cachedFeatures: true }] },
      'phases.2.cachedFeatures',
      /before any fine-tune phase \(phase 1 changes the base/,
    ],
    [{ ...transfer, training: { epochs: 4 } }, 'training.epochs', /phases' sum \(5\)/],
    [{ ...transfer, phases: [] }, 'phases', /at least 1/],
    [{ ...transfer, phases: [{ kind: 'warmup', epochs: 1 }] }, 'phases.0.kind', /"top", "fine-tune"/],
    [{ ...transfer, phases: [{ kind: 'top', epochs: 0 }] }, 'phases.0.epochs', /greater than or equal to 1/],
    [{ ...transfer, phases: [{ kind: 'top', epochs: 1, unfreezeFrom: 'block5_conv1' }] }, 'phases.0', /unknown field\(s\): unfreezeFrom/],
    [{ ...transfer, phases: [{ kind: 'fine-tune', epochs: 1 }] }, 'phases.0.unfreezeFrom', /Required/],
    [{ ...transfer, phases: [{ kind: 'fine-tune', unfreezeFrom: 'block5_conv1', epochs: 1, learningRate: 0 }] }, 'phases.0.learningRate', /greater than 0/],
    [{ ...transfer, model: { name: 'small-vgg', weights: 'w.h5' }, phases: undefined }, 'model', /unknown field\(s\): weights/],
    [{ ...transfer, model: { name: 'vgg16-notop', weights: '' } }, 'model.weights', /at least 1/],
  ])('names the field at fault (%#)', (input, field, message) => {
    const result = failure(input);
    expect(result.field).toBe(field);
    expect(result.message).toMatch(message);
  });

  it('lists the 13 convolutions of the VGG16 base in model order', () => {
    expect(vgg16ConvLayerNames).toHaveLength(13);
    expect(vgg16ConvLayerNames.slice(-3)).toEqual(['block5_conv1', 'block5_conv2', 'block5_conv3']);
  });
});
