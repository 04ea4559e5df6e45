import { describe, expect, it } from 'vitest';
import { dogsVsCatsExampleSpec, lightAugmentation, parseJobSpec } from '@tessera/core/jobs/job-spec';
import { JOB_TEMPLATES, templateById, type SegmentationTemplate } from './job-templates.ts';
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
      } else if (template.workload === 'segmentation') {
        Object.assign(values, segmentationValues(template));
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

/** What the launch form sends for a segmentation template left at its defaults (checkboxes only when ticked). */
function segmentationValues(t: SegmentationTemplate): Record<string, string> {
  const on = (name: string, ticked: boolean) => (ticked ? { [name]: 'on' } : {});
  return {
    name: t.name,
    workload: t.workload,
    dataset: t.dataset,
    'model.name': t.model,
    'model.options.inputShape': t.inputShape.join(', '),
    'model.options.depth': String(t.unetDepth),
    'model.options.baseFilters': String(t.baseFilters),
    'data.intensity.kind': t.intensity,
    'data.intensity.preset': t.windowPreset,
    ...on('data.augment', t.augment),
    ...on('data.augment.horizontalFlip', t.horizontalFlip),
    ...on('data.augment.verticalFlip', t.verticalFlip),
    ...(t.model === 'unet2d'
      ? {
          'data.augment.rotationRange': String(t.rotationRange),
          'data.augment.widthShiftRange': String(t.widthShiftRange),
          'data.augment.heightShiftRange': String(t.heightShiftRange),
          'data.augment.zoomRange': String(t.zoomRange),
        }
      : { 'data.patches.perVolume': String(t.patchesPerVolume), 'data.patches.foregroundFraction': String(t.foregroundFraction) }),
    'loss.kind': t.loss,
    'loss.crossEntropyWeight': String(t.crossEntropyWeight),
    'training.optimizer': t.optimizer,
    'training.learningRate': String(t.learningRate),
    'training.batchSize': String(t.batchSize),
    'training.epochs': String(t.epochs),
    'training.seed': String(t.seed),
    'checkpoint.everyEpochs': String(t.checkpointEveryEpochs),
    'resources.minWorkers': String(t.minWorkers),
    'resources.maxWorkers': String(t.maxWorkers),
  };
}

const segmentationTemplate = (id: string): SegmentationTemplate => {
  const template = templateById(id);
  if (template.workload !== 'segmentation') throw new Error(`${id} is not a segmentation template`);
  return template;
};

describe('specFromForm for the segmentation templates', () => {
  it('builds the 2D lung U-Net spec: a one-channel slice input, augmentation, bce-dice and 2 workers', () => {
    const values = { ...segmentationValues(segmentationTemplate('lung-segmentation-2d-unet')), 'model.options.inputShape': '128, 96' };
    const parsed = parseJobSpec(specFromForm(form(values)));
    if (!parsed.ok || parsed.spec.workload !== 'segmentation') throw new Error(parsed.ok ? parsed.spec.workload : `${parsed.field}: ${parsed.message}`);
    expect(parsed.spec.model).toMatchObject({ name: 'unet2d', options: { inputShape: [128, 96, 1], depth: 4, baseFilters: 16 } });
    expect(parsed.spec.data.intensity).toEqual({ kind: 'minmax' });
    expect(parsed.spec.data.augment).toEqual({ horizontalFlip: false, verticalFlip: false, rotationRange: 10, widthShiftRange: 0.05, heightShiftRange: 0.05, zoomRange: 0.1 });
    expect(parsed.spec.loss).toEqual({ kind: 'bce-dice', crossEntropyWeight: 0.1 });
    expect(parsed.spec.training).toMatchObject({ optimizer: 'adam', batchSize: 8, epochs: 40 });
    expect(parsed.spec.resources).toEqual({ minWorkers: 2, maxWorkers: 2, priority: 0 });
    // One side means a square slice.
    const square = parseJobSpec(specFromForm(form({ ...values, 'model.options.inputShape': '64' })));
    expect(square).toMatchObject({ ok: true, spec: { model: { options: { inputShape: [64, 64, 1] } } } });
  });

  it('builds the 3D patch U-Net spec: a cubic patch, the lung window, flips only and patch sampling', () => {
    const values = segmentationValues(segmentationTemplate('segmentation-3d-patch-unet'));
    const parsed = parseJobSpec(specFromForm(form({ ...values, 'data.augment.rotationRange': '30' })));
    if (!parsed.ok || parsed.spec.workload !== 'segmentation') throw new Error(parsed.ok ? parsed.spec.workload : `${parsed.field}: ${parsed.message}`);
    expect(parsed.spec.model).toMatchObject({ name: 'unet3d', options: { inputShape: [32, 32, 32, 1], depth: 3, baseFilters: 8 } });
    expect(parsed.spec.data).toEqual({
      intensity: { kind: 'window', preset: 'lung' },
      augment: { horizontalFlip: true, verticalFlip: false },
      patches: { perVolume: 16, foregroundFraction: 0.5, predictionOverlap: 0.25 },
    });
    const mediastinum = parseJobSpec(specFromForm(form({ ...values, 'data.intensity.preset': 'mediastinum' })));
    expect(mediastinum).toMatchObject({ ok: true, spec: { data: { intensity: { kind: 'window', preset: 'mediastinum' } } } });
    const { 'data.augment': _on, ...plain } = values;
    expect(parseJobSpec(specFromForm(form(plain)))).toMatchObject({ ok: true, spec: { data: { augment: {} } } });
  });

  it('maps a bad segmentation field to its input', () => {
    const lung = segmentationValues(segmentationTemplate('lung-segmentation-2d-unet'));
    const volume = segmentationValues(segmentationTemplate('segmentation-3d-patch-unet'));
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...lung, 'model.options.inputShape': '100' }, 'model.options.inputShape'],
      [{ ...lung, 'model.options.inputShape': 'big' }, 'model.options.inputShape'],
      [{ ...lung, 'model.options.depth': '0' }, 'model.options.depth'],
      [{ ...lung, 'data.intensity.preset': 'liver', 'data.intensity.kind': 'window' }, 'data.intensity.preset'],
      [{ ...lung, 'data.augment.zoomRange': '1' }, 'data.augment.zoomRange'],
      [{ ...lung, 'loss.crossEntropyWeight': '-1' }, 'loss.crossEntropyWeight'],
      [{ ...lung, 'loss.kind': 'focal' }, 'loss.kind'],
      [{ ...volume, 'data.patches.foregroundFraction': '2' }, 'data.patches.foregroundFraction'],
      [{ ...volume, 'data.patches.perVolume': '0' }, 'data.patches.perVolume'],
      [{ ...volume, 'model.options.inputShape': '32, 32' }, 'model.options.inputShape'],
    ];
    for (const [values, field] of cases) {
      const parsed = parseJobSpec(specFromForm(form(values)));
      expect(parsed.ok, field).toBe(false);
      if (parsed.ok) continue;
      expect(fieldForError(parsed.field, LAUNCH_FIELDS), parsed.field).toBe(field);
    }
  });
});
