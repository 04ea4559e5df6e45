import { describe, expect, it } from 'vitest';
import { dogsVsCatsExampleSpec, lightAugmentation, parseDatasetRef, parseJobSpec, sonarExampleSpec, totalSteps } from './job-spec.ts';

const minimal = { name: 'sonar', workload: 'tabular-classification', dataset: 'sonar' };

describe('parseJobSpec', () => {
  it('fills every default and derives splitSeed and maxWorkers', () => {
    const result = parseJobSpec({ ...minimal, training: { seed: 7 }, resources: { minWorkers: 3 } });
    expect(result.ok).toBe(true);
    if (!result.ok || result.spec.workload !== 'tabular-classification') throw new Error('not a tabular spec');
    expect(result.spec.data).toEqual({ labelColumn: -1, standardize: true, testFraction: 0.4, stratify: false, splitSeed: 7, header: false });
    expect(result.spec.model.hidden).toEqual([
      { units: 60, activation: 'relu' },
      { units: 30, activation: 'relu' },
    ]);
    expect(result.spec.resources).toEqual({ minWorkers: 3, maxWorkers: 3, priority: 0 });
    expect(result.spec.checkpoint.everyEpochs).toBe(10);
    expect(result.spec.training.optimizer).toBe('adam');
  });

  it.each([
    [{ ...minimal, training: { learningRate: 0 } }, 'training.learningRate'],
    [{ ...minimal, training: { batchSize: 2.5 } }, 'training.batchSize'],
    [{ ...minimal, training: { epochs: 10_001 } }, 'training.epochs'],
    [{ ...minimal, model: { hidden: [{ units: 8 }, { units: 0 }] } }, 'model.hidden.1.units'],
    [{ ...minimal, model: { hidden: [{ units: 8, activation: 'gelu' }] } }, 'model.hidden.0.activation'],
    [{ ...minimal, model: { hidden: [{ units: 8, dropout: 1 }] } }, 'model.hidden.0.dropout'],
    [{ ...minimal, data: { testFraction: 1 } }, 'data.testFraction'],
    [{ ...minimal, resources: { minWorkers: 4, maxWorkers: 2 } }, 'resources.maxWorkers'],
    [{ ...minimal, workload: 'detection' }, 'workload'],
    [{ ...minimal, dataset: 'sonar@nothex' }, 'dataset'],
    [{ ...minimal, name: '' }, 'name'],
    [{ ...minimal, training: { learningRate: 0.1, lr: 1 } }, 'training'],
  ])('names the field at fault (%#)', (input, field) => {
    const result = parseJobSpec(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.field).toBe(field);
    expect(result.message.length).toBeGreaterThan(0);
  });

  it('rejects input that is not an object', () => {
    expect(parseJobSpec('sonar')).toMatchObject({ ok: false, field: '' });
  });
});

describe('helpers', () => {
  it('splits a data-set reference', () => {
    const hash = 'e90434cdbf00fcf93ffa911fe447ae25606979658e60f1d32e155c3b5240234d';
    expect(parseDatasetRef(`sonar@${hash}`)).toEqual({ name: 'sonar', sha256: hash });
    expect(parseDatasetRef('sonar')).toEqual({ name: 'sonar' });
  });

  it('counts global steps independent of worker count, keeping a short last batch', () => {
    const spec = sonarExampleSpec();
    const batch = spec.training.batchSize;
    expect(totalSteps(spec, batch * 7 + 1)).toBe(8 * spec.training.epochs);
    expect(totalSteps(spec, batch * 7)).toBe(7 * spec.training.epochs);
  });

  it('the Sonar example is a valid spec that round-trips through JSON', () => {
    const spec = sonarExampleSpec({ seed: 3 });
    expect(spec.training.seed).toBe(3);
    expect(spec.data.splitSeed).toBe(3);
    expect(parseJobSpec(JSON.parse(JSON.stringify(spec)))).toEqual({ ok: true, spec });
  });
});

const image = { name: 'pets', workload: 'image-classification', dataset: 'pets' };

describe('parseJobSpec for image-classification', () => {
  it('defaults to the small VGG, light augmentation and /255 scaling, and caffe means for VGG16', () => {
    const result = parseJobSpec(image);
    expect(result.ok).toBe(true);
    if (!result.ok || result.spec.workload !== 'image-classification') return;
    expect(result.spec.model.name).toBe('small-vgg');
    expect(result.spec.data).toEqual({ augment: lightAugmentation, normalization: 'scale' });
    expect(result.spec.resources).toEqual({ minWorkers: 1, maxWorkers: 1, priority: 0 });
    const vgg = parseJobSpec({ ...image, model: { name: 'vgg16-notop', options: { inputShape: [64, 64, 3] } }, data: { augment: {} } });
    expect(vgg).toMatchObject({ ok: true, spec: { data: { augment: {}, normalization: 'caffe' }, top: { denseUnits: 256, dropout: 0.5 } } });
  });

  it.each([
    [{ ...image, model: { name: 'mlp' } }, 'model.name'],
    [{ ...image, model: { name: 'vgg16' } }, 'model.name'],
    [{ ...image, model: { name: 'small-vgg', options: { blocks: [0] } } }, 'model.options.blocks.0'],
    [{ ...image, model: { name: 'vgg16-notop', options: { inputShape: [16, 16, 3] } } }, 'model.options.inputShape.0'],
    [{ ...image, data: { augment: { rotationRange: -1 } } }, 'data.augment.rotationRange'],
    [{ ...image, data: { augment: { brightnessRange: [1.2, 0.8] } } }, 'data.augment.brightnessRange'],
    [{ ...image, data: { augment: { shear: 0.2 } } }, 'data.augment'],
    [{ ...image, data: { normalization: 'imagenet' } }, 'data.normalization'],
    [{ ...image, top: { denseUnits: 0 } }, 'top.denseUnits'],
    [{ ...image, training: { batchSize: 0 } }, 'training.batchSize'],
    [{ ...image, data: { testFraction: 0.2 } }, 'data'],
  ])('names the image field at fault (%#)', (input, field) => {
    const result = parseJobSpec(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.field).toBe(field);
  });

  it('the dogs-vs-cats example is a valid spec that round-trips through JSON', () => {
    const spec = dogsVsCatsExampleSpec({ seed: 5, dataset: 'dvc' });
    expect(spec).toMatchObject({ dataset: 'dvc', training: { seed: 5 }, resources: { minWorkers: 2 } });
    expect(parseJobSpec(JSON.parse(JSON.stringify(spec)))).toEqual({ ok: true, spec });
  });
});
