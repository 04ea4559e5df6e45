import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { hiddenActivations } from '../jobs/job-spec.ts';
import { buildModel, mlpActivations, modelImageInputShape, modelNames, modelVolumeInputShape, parseModelRef } from './model-registry.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function parsed(input: unknown) {
  const result = parseModelRef(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.ref;
}

describe('model registry', () => {
  it('builds every registered model from its name with default options', () => {
    const built = modelNames.map((name) => {
      const ref = parsed(name === 'vgg16' ? { name, options: { inputShape: [32, 32, 3], classes: 2 } } : { name });
      const model = buildModel(ref, { seed: 1, classCount: 2, featureCount: 60 });
      const summary = [name, model.outputs[0]!.shape];
      model.dispose();
      return summary;
    });
    expect(built).toEqual([
      ['small-vgg', [null, 1]],
      ['vgg16', [null, 2]],
      ['vgg16-notop', [null, 7, 7, 512]],
      ['mlp', [null, 1]],
      ['unet2d', [null, 256, 256, 1]],
      ['unet3d', [null, 64, 64, 64, 1]],
    ]);
  });

  it('builds U-Nets with a mask head from the class count and names the side 2^depth does not divide', () => {
    const ref = parsed({ name: 'unet2d', options: { inputShape: [32, 48, 1], depth: 2, baseFilters: 4 } });
    expect(ref.options).toEqual({ inputShape: [32, 48, 1], depth: 2, baseFilters: 4, dropout: 0, batchNorm: false, upsampling: 'transpose' });
    expect(modelImageInputShape(ref)).toEqual([32, 48, 1]);
    const model = buildModel(ref, { seed: 1, classCount: 3 });
    expect(model.outputs[0]!.shape).toEqual([null, 32, 48, 3]);
    model.dispose();
    const volume = parsed({ name: 'unet3d', options: { inputShape: [16, 16, 16, 1], depth: 2, baseFilters: 2 } });
    expect(modelImageInputShape(volume)).toBeUndefined();
    expect(modelVolumeInputShape(volume)).toEqual([16, 16, 16, 1]);
    const model3d = buildModel(volume, { seed: 1 });
    expect(model3d.outputs[0]!.shape).toEqual([null, 16, 16, 16, 1]);
    model3d.dispose();
    expect(parseModelRef({ name: 'unet2d', options: { inputShape: [256, 200, 1] } })).toMatchObject({
      ok: false,
      issues: [{ path: 'options.inputShape.1', message: 'must be a multiple of 2^depth = 16 (depth 4), got 200' }],
    });
    expect(parseModelRef({ name: 'unet3d', options: { inputShape: [18, 64, 64, 1], depth: 2 } })).toMatchObject({
      ok: false,
      issues: [{ path: 'options.inputShape.0', message: 'must be a multiple of 2^depth = 4 (depth 2), got 18' }],
    });
  });

  it('resolves defaults and passes options through', () => {
    const ref = parsed({ name: 'small-vgg', options: { inputShape: [96, 96, 3], denseUnits: 32 } });
    expect(ref).toEqual({ name: 'small-vgg', options: { inputShape: [96, 96, 3], blocks: [32, 64, 128], denseUnits: 32, dropout: 0.5, batchNorm: false } });
    expect(modelImageInputShape(ref)).toEqual([96, 96, 3]);
    expect(modelImageInputShape(parsed({ name: 'mlp' }))).toBeUndefined();
    const model = buildModel(ref, { seed: 1, classCount: 5 });
    expect(model.getLayer('fc1').outputShape).toEqual([null, 32]);
    expect(model.outputs[0]!.shape).toEqual([null, 5]);
    model.dispose();
  });

  it('names the field at fault for bad references and the missing data-set fact at build time', () => {
    expect(parseModelRef({ name: 'resnet50' })).toMatchObject({ ok: false, issues: [{ path: 'name' }] });
    expect(parseModelRef({ name: 'vgg16-notop', options: { inputShape: [16, 224, 3] } })).toMatchObject({
      ok: false,
      issues: [{ path: 'options.inputShape.0' }],
    });
    expect(parseModelRef({ name: 'small-vgg', options: { width: 3 } })).toMatchObject({ ok: false, issues: [{ path: 'options' }] });
    expect(() => buildModel(parsed({ name: 'small-vgg' }), { seed: 1 })).toThrow(/'small-vgg' needs classCount/);
    expect(() => buildModel(parsed({ name: 'mlp' }), { seed: 1, classCount: 2 })).toThrow(/'mlp' needs featureCount/);
  });

  it('takes pretrained weights as a Keras .h5 or a tfjs layers model.json, by store key or URL, and names model.weights otherwise', () => {
    for (const weights of ['weights/vgg16_notop.h5', 'w.HDF5', 'pretrained/vgg16/model.json', 'https://example.test/vgg/model.json?alt=media']) {
      expect(parsed({ name: 'vgg16-notop', weights })).toMatchObject({ weights });
    }
    for (const weights of ['weights/vgg16.bin', 'https://example.test/model.json/weights', 'model.json.gz']) {
      expect(parseModelRef({ name: 'vgg16-notop', weights })).toEqual({
        ok: false,
        issues: [{ path: 'weights', message: 'must end in .h5 or .hdf5 (a Keras HDF5 file) or model.json (tfjs layers artifacts)' }],
      });
    }
    expect(parseModelRef({ name: 'vgg16', weights: '' })).toMatchObject({ ok: false, issues: [{ path: 'weights', message: expect.stringMatching(/at least 1/) as unknown }] });
  });

  it("accepts exactly the job spec's hidden activations for the MLP", () => {
    expect([...mlpActivations]).toEqual([...hiddenActivations]);
  });
});
