import { defaultTraining, type HiddenActivation } from '@tessera/core/jobs/job-spec';

/** What the launch form starts from. One per workload; image and segmentation templates join as they land. */
export interface JobTemplate {
  id: string;
  label: string;
  workload: 'tabular-classification';
  name: string;
  /** Preferred data-set name, picked when registered. */
  dataset: string;
  hiddenUnits: number[];
  activation: HiddenActivation;
  optimizer: string;
  learningRate: number;
  batchSize: number;
  epochs: number;
  seed: number;
  testFraction: number;
  checkpointEveryEpochs: number;
  minWorkers: number;
  maxWorkers: number;
  priority: number;
}

export const JOB_TEMPLATES: readonly JobTemplate[] = [
  {
    id: 'sonar-mlp',
    label: 'Sonar MLP (tabular classification)',
    workload: 'tabular-classification',
    name: 'sonar-mlp',
    dataset: 'sonar',
    hiddenUnits: [60, 30],
    activation: 'relu',
    optimizer: defaultTraining.optimizer,
    learningRate: defaultTraining.learningRate,
    batchSize: defaultTraining.batchSize,
    epochs: defaultTraining.epochs,
    seed: defaultTraining.seed,
    testFraction: 0.4,
    checkpointEveryEpochs: 10,
    minWorkers: 2,
    maxWorkers: 2,
    priority: 0,
  },
];

export function templateById(id: string): JobTemplate {
  return JOB_TEMPLATES.find((t) => t.id === id) ?? JOB_TEMPLATES[0]!;
}
