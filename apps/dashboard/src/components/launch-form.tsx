'use client';

import { startTransition, useActionState, useState, type FormEvent, type ReactNode } from 'react';
import { hiddenActivations, imageJobModels, optimizerNames, parseJobSpec } from '@tessera/core/jobs/job-spec';
import { segmentationLosses, windowPresets } from '@tessera/core/jobs/segmentation-spec';
import { launchJob, type LaunchState } from '../actions/launch-job.ts';
import { templateById, type ImageTemplate, type JobTemplate, type SegmentationTemplate, type TabularTemplate } from '../launch/job-templates.ts';
import { fieldForError, LAUNCH_FIELDS, specFromForm } from '../launch/spec-from-form.ts';

export interface DatasetChoice {
  name: string;
  sha256: string;
  summary: string;
  /** tabular-csv | image-folder | segmentation: each template offers only the data sets its workload reads. */
  kind: string;
  /** Segmentation sets: 2 (slices) or 3 (volumes); a 2D U-Net is offered the first, a 3D one the second. */
  dims?: number;
  /** 2D segmentation sets: the stored slice [height, width], the 2D U-Net's input. */
  sliceSize?: [number, number];
}

const DATASET_KIND: Record<JobTemplate['workload'], string> = {
  'tabular-classification': 'tabular-csv',
  'image-classification': 'image-folder',
  segmentation: 'segmentation',
};

const INTENSITY_KINDS = ['minmax', 'window', 'zscore'] as const;
const WINDOW_PRESETS = Object.keys(windowPresets);

/** Whether a data set suits a template: the right kind and, for a U-Net, slices for 2D and volumes for 3D. */
function offers(template: JobTemplate, dataset: DatasetChoice): boolean {
  if (dataset.kind !== DATASET_KIND[template.workload]) return false;
  if (template.workload !== 'segmentation' || dataset.dims === undefined) return true;
  return dataset.dims === (template.model === 'unet3d' ? 3 : 2);
}

/**
 * The launch form. It checks the spec with the shared schema before sending (the error lands on the input at
 * fault at once) and the server action checks it again. Native browser validation is off (`noValidate`) so the
 * schema is the one voice on what is valid.
 */
export function LaunchForm({ templates, datasets: allDatasets }: { templates: JobTemplate[]; datasets: DatasetChoice[] }) {
  const [templateId, setTemplateId] = useState(templates[0]?.id ?? '');
  const template = templateById(templateId);
  const datasets = allDatasets.filter((d) => offers(template, d));
  // The data set picked per template: a 2D U-Net's input size follows it.
  const [picked, setPicked] = useState<Record<string, string>>({});
  const [serverState, action, pending] = useActionState<LaunchState, FormData>(launchJob, { errors: {} });
  const [localErrors, setLocalErrors] = useState<Record<string, string> | undefined>();
  const errors = localErrors ?? serverState.errors;

  // Submitting by hand (not through `<form action>`) keeps what the user typed when the server answers with an error:
  // React resets a form's fields after its action runs. `action` stays on the form for browsers without script.
  const check = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = parseJobSpec(specFromForm(form));
    if (parsed.ok) {
      setLocalErrors(undefined);
      startTransition(() => action(form));
      return;
    }
    setLocalErrors({ [fieldForError(parsed.field, LAUNCH_FIELDS) ?? '']: `${parsed.field || 'spec'}: ${parsed.message}` });
  };

  const preferred = datasets.find((d) => d.name === template.dataset);
  const chosen = datasets.find((d) => d.name === picked[template.id]) ?? preferred ?? datasets[0];
  const field = (name: string, label: string, input: ReactNode) => (
    <Field name={name} label={label} error={errors[name]}>
      {input}
    </Field>
  );
  const num = (name: string, value: number, step = 'any') => (
    <input id={name} name={name} type="number" step={step} defaultValue={value} aria-invalid={errors[name] ? true : undefined} aria-describedby={errors[name] ? `${name}-error` : undefined} />
  );
  const toggle = (name: string, checked: boolean) => (
    <input id={name} name={name} type="checkbox" defaultChecked={checked} aria-invalid={errors[name] ? true : undefined} aria-describedby={errors[name] ? `${name}-error` : undefined} />
  );
  const tabular = (t: TabularTemplate) => (
    <>
      {field('model.hidden', 'Hidden layer units (comma-separated)', <input id="model.hidden" name="model.hidden" defaultValue={t.hiddenUnits.join(', ')} aria-invalid={errors['model.hidden'] ? true : undefined} aria-describedby={errors['model.hidden'] ? 'model.hidden-error' : undefined} />)}
      {field('model.hidden.activation', 'Hidden activation', <Choice name="model.hidden.activation" options={hiddenActivations} value={t.activation} />)}
    </>
  );
  const image = (t: ImageTemplate) => (
    <>
      {field('model.name', 'Model', <Choice name="model.name" options={imageJobModels} value={t.model} />)}
      {field('model.options.inputShape', 'Image size (pixels a side, as the data set stores them)', num('model.options.inputShape', t.imageSize, '1'))}
    </>
  );
  const text = (name: string, value: string, key?: string) => (
    <input id={name} name={name} key={key} defaultValue={value} aria-invalid={errors[name] ? true : undefined} aria-describedby={errors[name] ? `${name}-error` : undefined} />
  );
  const segmentation = (t: SegmentationTemplate) => {
    const [height, width] = chosen?.sliceSize ?? [];
    const shape = t.model === 'unet2d' && height && width ? (height === width ? `${height}` : `${height}, ${width}`) : t.inputShape.join(', ');
    return (
      <>
        <input type="hidden" name="model.name" value={t.model} />
        {field(
          'model.options.inputShape',
          t.model === 'unet3d' ? 'Patch size (voxels: one side, or depth, height, width)' : 'Input size (pixels: one side, or height, width; the data set\'s slice size)',
          text('model.options.inputShape', shape, chosen?.name),
        )}
        {field('model.options.depth', 'U-Net depth (poolings)', num('model.options.depth', t.unetDepth, '1'))}
        {field('model.options.baseFilters', 'Filters in the first level', num('model.options.baseFilters', t.baseFilters, '1'))}
        {field('loss.kind', 'Loss', <Choice name="loss.kind" options={segmentationLosses} value={t.loss} />)}
        {field('loss.crossEntropyWeight', 'Cross-entropy weight (bce-dice)', num('loss.crossEntropyWeight', t.crossEntropyWeight))}
      </>
    );
  };
  const segmentationData = (t: SegmentationTemplate) => (
    <>
      <fieldset>
        <legend>Intensity and augmentation (one geometry for image and mask, per worker, seeded)</legend>
        <div className="fields">
          {field('data.intensity.kind', 'Intensity', <Choice name="data.intensity.kind" options={INTENSITY_KINDS} value={t.intensity} />)}
          {field('data.intensity.preset', 'Window preset (with intensity window; CT in HU)', <Choice name="data.intensity.preset" options={WINDOW_PRESETS} value={t.windowPreset} />)}
          {field('data.augment', 'Augment training images', toggle('data.augment', t.augment))}
          {field('data.augment.horizontalFlip', 'Horizontal flips', toggle('data.augment.horizontalFlip', t.horizontalFlip))}
          {field('data.augment.verticalFlip', 'Vertical flips', toggle('data.augment.verticalFlip', t.verticalFlip))}
          {t.model === 'unet2d' && (
            <>
              {field('data.augment.rotationRange', 'Rotation range (degrees)', num('data.augment.rotationRange', t.rotationRange))}
              {field('data.augment.widthShiftRange', 'Width shift (fraction)', num('data.augment.widthShiftRange', t.widthShiftRange))}
              {field('data.augment.heightShiftRange', 'Height shift (fraction)', num('data.augment.heightShiftRange', t.heightShiftRange))}
              {field('data.augment.zoomRange', 'Zoom range (fraction)', num('data.augment.zoomRange', t.zoomRange))}
            </>
          )}
        </div>
      </fieldset>
      {t.model === 'unet3d' && (
        <fieldset>
          <legend>Patches</legend>
          <div className="fields">
            {field('data.patches.perVolume', 'Patches per volume (each epoch)', num('data.patches.perVolume', t.patchesPerVolume, '1'))}
            {field('data.patches.foregroundFraction', 'Share centred on foreground', num('data.patches.foregroundFraction', t.foregroundFraction))}
          </div>
        </fieldset>
      )}
    </>
  );
  return (
    <form action={action} onSubmit={check} noValidate key={template.id} aria-label="Launch a job">
      <input type="hidden" name="workload" value={template.workload} />
      {errors[''] && (
        <p className="error" role="alert">
          {errors['']}
        </p>
      )}
      <fieldset>
        <legend>Workload</legend>
        <div className="fields">
          <div className="field">
            <label htmlFor="template">Template</label>
            <select id="template" value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
              {templates.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </select>
          </div>
          {field('name', 'Run name', <input id="name" name="name" defaultValue={template.name} aria-invalid={errors.name ? true : undefined} aria-describedby={errors.name ? 'name-error' : undefined} />)}
          {field(
            'dataset',
            'Data set',
            <select id="dataset" name="dataset" defaultValue={chosen?.name ?? ''} onChange={(e) => setPicked({ ...picked, [template.id]: e.target.value })} aria-invalid={errors.dataset ? true : undefined} aria-describedby={errors.dataset ? 'dataset-error' : undefined}>
              {datasets.length === 0 && <option value="">No data set registered</option>}
              {datasets.map((d) => (
                <option key={`${d.name}@${d.sha256}`} value={d.name}>
                  {d.name} — {d.summary || d.sha256.slice(0, 12)}
                </option>
              ))}
            </select>,
          )}
          {template.workload === 'tabular-classification' && field('data.testFraction', 'Test fraction', num('data.testFraction', template.testFraction))}
        </div>
      </fieldset>
      {template.workload === 'image-classification' && (
        <fieldset>
          <legend>Augmentation (Keras ImageDataGenerator, per worker, seeded)</legend>
          <div className="fields">
            {field('data.augment', 'Augment training images', toggle('data.augment', template.augment))}
            {field('data.augment.horizontalFlip', 'Horizontal flips', toggle('data.augment.horizontalFlip', template.horizontalFlip))}
            {field('data.augment.widthShiftRange', 'Width shift (fraction)', num('data.augment.widthShiftRange', template.widthShiftRange))}
            {field('data.augment.heightShiftRange', 'Height shift (fraction)', num('data.augment.heightShiftRange', template.heightShiftRange))}
            {field('data.augment.zoomRange', 'Zoom range (fraction)', num('data.augment.zoomRange', template.zoomRange))}
            {field('data.augment.rotationRange', 'Rotation range (degrees)', num('data.augment.rotationRange', template.rotationRange))}
          </div>
        </fieldset>
      )}
      {template.workload === 'segmentation' && segmentationData(template)}
      <fieldset>
        <legend>Model and hyperparameters</legend>
        <div className="fields">
          {template.workload === 'tabular-classification' ? tabular(template) : template.workload === 'image-classification' ? image(template) : segmentation(template)}
          {field('training.optimizer', 'Optimizer', <Choice name="training.optimizer" options={optimizerNames} value={template.optimizer} />)}
          {field('training.learningRate', 'Learning rate', num('training.learningRate', template.learningRate))}
          {field('training.batchSize', 'Global batch size', num('training.batchSize', template.batchSize, '1'))}
          {field('training.epochs', 'Epochs', num('training.epochs', template.epochs, '1'))}
          {field('training.seed', 'Seed', num('training.seed', template.seed, '1'))}
          {field('checkpoint.everyEpochs', 'Checkpoint every (epochs)', num('checkpoint.everyEpochs', template.checkpointEveryEpochs, '1'))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Resources</legend>
        <div className="fields">
          {field('resources.minWorkers', 'Minimum workers', num('resources.minWorkers', template.minWorkers, '1'))}
          {field('resources.maxWorkers', 'Maximum workers', num('resources.maxWorkers', template.maxWorkers, '1'))}
          {field('resources.priority', 'Priority (higher runs first)', num('resources.priority', template.priority, '1'))}
        </div>
      </fieldset>
      <button type="submit" disabled={pending}>
        {pending ? 'Launching…' : 'Launch'}
      </button>
    </form>
  );
}

function Field({ name, label, error, children }: { name: string; label: string; error: string | undefined; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      {children}
      {error && (
        <p className="field-error" id={`${name}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function Choice({ name, options, value }: { name: string; options: readonly string[]; value: string }) {
  return (
    <select id={name} name={name} defaultValue={value}>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}
