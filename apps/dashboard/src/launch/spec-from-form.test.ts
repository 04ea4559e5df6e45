import { describe, expect, it } from 'vitest';
import { parseJobSpec } from '@tessera/core/jobs/job-spec';
import { fieldForError, LAUNCH_FIELDS, specFromForm } from './spec-from-form.ts';

const form = (values: Record<string, string>) => new Map(Object.entries(values));
const sonar = {
  name: 'sonar-run',
  workload: 'tabular-classification',
  dataset: 'sonar',
  'model.hidden': '60, 30',
  'model.hidden.activation': 'relu',
  'training.learningRate': '0.001',
  'training.epochs': '150',
  'resources.minWorkers': '2',
  'resources.maxWorkers': '',
};

describe('specFromForm', () => {
  it('builds a spec the shared schema accepts, leaving empty fields to its defaults', () => {
    const parsed = parseJobSpec(specFromForm(form(sonar)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.spec.workload).toBe('tabular-classification');
    if (parsed.spec.workload !== 'tabular-classification') return;
    expect(parsed.spec.model.hidden).toEqual([
      { units: 60, activation: 'relu' },
      { units: 30, activation: 'relu' },
    ]);
    expect(parsed.spec.resources).toEqual({ minWorkers: 2, maxWorkers: 2, priority: 0 });
    expect(parsed.spec.training.batchSize).toBe(16);
  });

  it('lets the schema name the field of a bad hyperparameter, mapped to its input', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'training.learningRate': '-1' }, 'training.learningRate'],
      [{ 'training.epochs': 'lots' }, 'training.epochs'],
      [{ 'model.hidden': '60, 0' }, 'model.hidden'],
      [{ 'resources.maxWorkers': '1' }, 'resources.maxWorkers'],
      [{ name: '' }, 'name'],
    ];
    for (const [change, field] of cases) {
      const parsed = parseJobSpec(specFromForm(form({ ...sonar, ...change })));
      expect(parsed.ok, field).toBe(false);
      if (parsed.ok) continue;
      expect(fieldForError(parsed.field, LAUNCH_FIELDS)).toBe(field);
    }
  });

  it('maps nothing for a path outside the form', () => {
    expect(fieldForError('', LAUNCH_FIELDS)).toBeUndefined();
    expect(fieldForError('model.hidden.1.units', LAUNCH_FIELDS)).toBe('model.hidden');
    expect(fieldForError('model.hidden.activation', LAUNCH_FIELDS)).toBe('model.hidden.activation');
  });
});
