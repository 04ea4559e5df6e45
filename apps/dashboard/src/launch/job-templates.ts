import { defaultImageTraining, defaultTraining, lightAugmentation, type HiddenActivation } from '@tessera/core/jobs/job-spec';

/** What every launch-form template sets, whatever its workload. */
interface TemplateBase {
  id: string;
  label: string;
  name: string;
  /** Preferred data-set name, picked when registered. */
  dataset: string;
  optimizer: string;
  learningRate: number;
  batchSize: number;
  epochs: number;
  seed: number;
  checkpointEveryEpochs: number;
  minWorkers: number;
  maxWorkers: number;
  priority: number;
}

/** The Sonar MLP's form: hidden layers and a held-out test fraction. */
export interface TabularTemplate extends TemplateBase {
  workload: 'tabular-classification';
  hiddenUnits: number[];
  activation: HiddenActivation;
  testFraction: number;
}

/** An image classifier's form: the model, the image size it takes, and Keras-style augmentation. */
export interface ImageTemplate extends TemplateBase {
  workload: 'image-classification';
  model: 'small-vgg' | 'vgg16-notop';
  /** Side of the square input (`model.options.inputShape` [side, side, 3]): the data set's stored image size. */
  imageSize: number;
  /** Off: `data.augment` is `{}` (no augmentation). */
  augment: boolean;
  horizontalFlip: boolean;
  widthShiftRange: number;
  heightShiftRange: number;
  zoomRange: number;
  rotationRange: number;
}

/** What the launch form starts from. One per workload; segmentation joins as it lands. */
export type JobTemplate = TabularTemplate | ImageTemplate;

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
  {
    // dogsVsCatsExampleSpec: Chollet's small-data setting, the small VGG from scratch at 64x64 on 2 workers.
    id: 'dogs-vs-cats-small-vgg',
    label: 'Dogs vs cats, small VGG (image classification)',
    workload: 'image-classification',
    name: 'dogs-vs-cats-small-vgg',
    dataset: 'dogs-vs-cats',
    model: 'small-vgg',
    imageSize: 64,
    augment: true,
    horizontalFlip: lightAugmentation.horizontalFlip,
    widthShiftRange: lightAugmentation.widthShiftRange,
    heightShiftRange: lightAugmentation.heightShiftRange,
    zoomRange: lightAugmentation.zoomRange,
    rotationRange: 0,
    optimizer: defaultImageTraining.optimizer,
    learningRate: defaultImageTraining.learningRate,
    batchSize: defaultImageTraining.batchSize,
    epochs: defaultImageTraining.epochs,
    seed: defaultImageTraining.seed,
    checkpointEveryEpochs: 5,
    minWorkers: 2,
    maxWorkers: 2,
    priority: 0,
  },
];

export function templateById(id: string): JobTemplate {
  return JOB_TEMPLATES.find((t) => t.id === id) ?? JOB_TEMPLATES[0]!;
}
