/**
 * Turns the launch form's fields into a job-spec object for `parseJobSpec`, the same schema the coordinator checks.
 * Field names are the spec's dotted paths, so a schema error's `field` points at its input. Empty numbers are left
 * out (the schema's default applies); anything else goes through `Number` and a non-number reaches the schema as NaN,
 * which it rejects on that field, rather than being guessed at here.
 */
export function specFromForm(form: { get(name: string): unknown }): unknown {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const number = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
  const activation = text('model.hidden.activation') || 'relu';
  const units = text('model.hidden');
  return {
    name: text('name'),
    workload: text('workload'),
    dataset: text('dataset'),
    data: pruned({ testFraction: number('data.testFraction') }),
    model: units === '' ? {} : { hidden: units.split(/[\s,]+/).filter(Boolean).map((u) => ({ units: Number(u), activation })) },
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

/** Every input the launch form has, by spec path. */
export const LAUNCH_FIELDS = [
  'name',
  'workload',
  'dataset',
  'data.testFraction',
  'model.hidden',
  'model.hidden.activation',
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
