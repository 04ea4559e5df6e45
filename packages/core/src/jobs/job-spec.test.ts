import { describe, expect, it } from 'vitest';
import { parseDatasetRef, parseJobSpec, sonarExampleSpec, totalSteps } from './job-spec.ts';

const minimal = { name: 'sonar', workload: 'tabular-classification', dataset: 'sonar' };

describe('parseJobSpec', () => {
  it('fills every default and derives splitSeed and maxWorkers', () => {
    const result = parseJobSpec({ ...minimal, training: { seed: 7 }, resources: { minWorkers: 3 } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
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
    [{ ...minimal, workload: 'image-classification' }, 'workload'],
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
