/**
 * Turns the launch form's fields into a job-spec object for `parseJobSpec`, the same schema the coordinator checks.
 * Field names are the spec's dotted paths, so a schema error's `field` points at its input. Empty numbers are left
 * out (the schema's default applies); anything else goes through `Number` and a non-number reaches the schema as NaN,
 * which it rejects on that field, rather than being guessed at here. The `workload` field picks the shape: the
 * tabular form's hidden layers and test fraction, the image form's model, image size and augmentation, or the
 * segmentation form's U-Net, intensity step, augmentation, loss and (3D) patches.
 */
export function specFromForm(form: { get(name: string): unknown }): unknown {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const number = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
  const workload = text('workload');
  const common = {
    name: text('name'),
    workload,
    dataset: text('dataset'),
    training: pruned({
      optimizer: text('training.optimizer') || undefined,
      learningRate: number('training.learningRate'),
      batchSize: number('training.batchSize'),
      epochs: number('training.epochs'),
      seed: number('training.seed'),
    }),
    resources: pruned({
      minWorkers: number('resources.minWorkers'),
      maxWorkers: number('resources.maxWorkers'),
      priority: number('resources.priority'),
    }),
    checkpoint: pruned({ everyEpochs: number('checkpoint.everyEpochs') }),
  };
  if (workload === 'image-classification') return { ...common, ...imageFields(text, number) };
  if (workload === 'segmentation') return { ...common, ...segmentationFields(text, number) };
  const activation = text('model.hidden.activation') || 'relu';
  const units = text('model.hidden');
  return {
    ...common,
    data: pruned({ testFraction: number('data.testFraction') }),
    model: units === '' ? {} : { hidden: units.split(/[\s,]+/).filter(Boolean).map((u) => ({ units: Number(u), activation })) },
  };
}

/**
 * The image form's own fields. Checkboxes send `on` when ticked and nothing otherwise, so an absent flip means off;
 * with augmentation off the spec gets `augment: {}` (the schema's way to say none) and the ranges are ignored.
 */
function imageFields(text: (name: string) => string, number: (name: string) => number | undefined): Record<string, unknown> {
  const side = number('model.options.inputShape');
  const augment = text('data.augment') === 'on'
    ? pruned({
        horizontalFlip: text('data.augment.horizontalFlip') === 'on',
        widthShiftRange: number('data.augment.widthShiftRange'),
        heightShiftRange: number('data.augment.heightShiftRange'),
        zoomRange: number('data.augment.zoomRange'),
        rotationRange: number('data.augment.rotationRange'),
      })
    : {};
  return {
    model: { name: text('model.name') || 'small-vgg', ...(side === undefined ? {} : { options: { inputShape: [side, side, 3] } }) },
    data: { augment },
  };
}

/**
 * The segmentation form's own fields. `model.options.inputShape` is one side (a square slice, a cubic patch) or every
 * side, comma-separated (height, width for unet2d; depth, height, width for unet3d); one grey channel is added. A 3D
 * job sends only the flips of its augmentation, and its patch sampling.
 */
function segmentationFields(text: (name: string) => string, number: (name: string) => number | undefined): Record<string, unknown> {
  const name = text('model.name') || 'unet2d';
  const volume = name === 'unet3d';
  const shapeText = text('model.options.inputShape');
  const sides = shapeText === '' ? [] : shapeText.split(/[\s,x]+/).filter(Boolean).map(Number);
  const spatial = sides.length === 1 ? Array<number>(volume ? 3 : 2).fill(sides[0] as number) : sides;
  const options = pruned({
    inputShape: sides.length === 0 ? undefined : [...spatial, 1],
    depth: number('model.options.depth'),
    baseFilters: number('model.options.baseFilters'),
  });
  const intensityKind = text('data.intensity.kind') || 'minmax';
  const intensity = intensityKind === 'window' ? { kind: 'window', preset: text('data.intensity.preset') || 'lung' } : { kind: intensityKind };
  const flips = { horizontalFlip: text('data.augment.horizontalFlip') === 'on', verticalFlip: text('data.augment.verticalFlip') === 'on' };
  const augment = text('data.augment') !== 'on'
    ? {}
    : volume
      ? flips
      : pruned({
          ...flips,
          rotationRange: number('data.augment.rotationRange'),
          widthShiftRange: number('data.augment.widthShiftRange'),
          heightShiftRange: number('data.augment.heightShiftRange'),
          zoomRange: number('data.augment.zoomRange'),
        });
  return {
    model: { name, options },
    data: {
      intensity,
      augment,
      ...(volume ? { patches: pruned({ perVolume: number('data.patches.perVolume'), foregroundFraction: number('data.patches.foregroundFraction') }) } : {}),
    },
    loss: pruned({ kind: text('loss.kind') || undefined, crossEntropyWeight: number('loss.crossEntropyWeight') }),
  };
}

function pruned(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** The form field an error path belongs to: the longest field name that is the path or a prefix of it. */
export function fieldForError(path: string, fields: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const field of fields) {
    if ((path === field || path.startsWith(`${field}.`)) && field.length > (best?.length ?? -1)) best = field;
  }
  return best;
}

/** Every input the launch form has, by spec path (each template shows its workload's share). */
export const LAUNCH_FIELDS = [
  'name',
  'workload',
  'dataset',
  'data.testFraction',
  'model.hidden',
  'model.hidden.activation',
  'model.name',
  'model.options.inputShape',
  'data.augment',
  'data.augment.horizontalFlip',
  'data.augment.widthShiftRange',
  'data.augment.heightShiftRange',
  'data.augment.zoomRange',
  'data.augment.rotationRange',
  'data.augment.verticalFlip',
  'model.options.depth',
  'model.options.baseFilters',
  'data.intensity.kind',
  'data.intensity.preset',
  'data.patches.perVolume',
  'data.patches.foregroundFraction',
  'loss.kind',
  'loss.crossEntropyWeight',
  'training.optimizer',
  'training.learningRate',
  'training.batchSize',
  'training.epochs',
  'training.seed',
  'resources.minWorkers',
  'resources.maxWorkers',
  'resources.priority',
  'checkpoint.everyEpochs',
] as const;
