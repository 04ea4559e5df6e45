import { describe, expect, it } from 'vitest';
import { dogsVsCatsExampleSpec, lightAugmentation, parseJobSpec } from '@tessera/core/jobs/job-spec';
import { JOB_TEMPLATES } from './job-templates.ts';
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

const dogsVsCats = {
  name: 'dogs-vs-cats-run',
  workload: 'image-classification',
  dataset: 'dogs-vs-cats',
  'model.name': 'small-vgg',
  'model.options.inputShape': '64',
  'data.augment': 'on',
  'data.augment.horizontalFlip': 'on',
  'data.augment.widthShiftRange': '0.1',
  'data.augment.heightShiftRange': '0.1',
  'data.augment.zoomRange': '0.1',
  'data.augment.rotationRange': '0',
  'training.learningRate': '0.001',
  'training.batchSize': '32',
  'training.epochs': '30',
  'resources.minWorkers': '2',
  'resources.maxWorkers': '2',
  'checkpoint.everyEpochs': '5',
};

describe('specFromForm for the image template', () => {
  it('builds the dogs-vs-cats small-VGG spec, as dogsVsCatsExampleSpec does', () => {
    const parsed = parseJobSpec(specFromForm(form(dogsVsCats)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.spec.workload !== 'image-classification') throw new Error('not an image spec');
    const example = dogsVsCatsExampleSpec({ name: 'dogs-vs-cats-run' });
    expect(parsed.spec.model).toEqual(example.model);
    expect(parsed.spec.data).toEqual({ ...example.data, augment: { ...lightAugmentation, rotationRange: 0 } });
    expect(parsed.spec.training).toEqual(example.training);
    expect(parsed.spec.resources).toEqual(example.resources);
    expect(parsed.spec.checkpoint).toEqual({ everyEpochs: 5 });
  });

  it('turns augmentation off with its checkbox, and flips off with theirs', () => {
    const { 'data.augment': _on, ...off } = dogsVsCats;
    const parsed = parseJobSpec(specFromForm(form(off)));
    expect(parsed).toMatchObject({ ok: true, spec: { data: { augment: {} } } });
    const { 'data.augment.horizontalFlip': _flip, ...noFlip } = dogsVsCats;
    expect(parseJobSpec(specFromForm(form(noFlip)))).toMatchObject({ ok: true, spec: { data: { augment: { horizontalFlip: false, zoomRange: 0.1 } } } });
  });

  it('every template builds a spec the schema accepts from its own defaults', () => {
    for (const template of JOB_TEMPLATES) {
      const values: Record<string, string> = { name: template.name, workload: template.workload, dataset: template.dataset };
      if (template.workload === 'image-classification') {
        Object.assign(values, {
          'model.name': template.model,
          'model.options.inputShape': String(template.imageSize),
          ...(template.augment ? { 'data.augment': 'on' } : {}),
          ...(template.horizontalFlip ? { 'data.augment.horizontalFlip': 'on' } : {}),
          'data.augment.zoomRange': String(template.zoomRange),
        });
      } else {
        values['model.hidden'] = template.hiddenUnits.join(', ');
      }
      const parsed = parseJobSpec(specFromForm(form(values)));
      expect(parsed.ok, template.id).toBe(true);
      if (parsed.ok) expect(parsed.spec.workload).toBe(template.workload);
    }
  });

  it('maps a bad image field to its input', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'model.options.inputShape': '4' }, 'model.options.inputShape'],
      [{ 'model.name': 'vgg16' }, 'model.name'],
      [{ 'data.augment.zoomRange': '1.5' }, 'data.augment.zoomRange'],
      [{ 'data.augment.rotationRange': '-5' }, 'data.augment.rotationRange'],
      [{ 'data.augment.heightShiftRange': '2' }, 'data.augment.heightShiftRange'],
      [{ 'training.batchSize': '0' }, 'training.batchSize'],
    ];
    for (const [change, field] of cases) {
      const parsed = parseJobSpec(specFromForm(form({ ...dogsVsCats, ...change })));
      expect(parsed.ok, field).toBe(false);
      if (parsed.ok) continue;
      expect(fieldForError(parsed.field, LAUNCH_FIELDS), parsed.field).toBe(field);
    }
  });
});
