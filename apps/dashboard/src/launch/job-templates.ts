import { defaultImageTraining, defaultTraining, lightAugmentation, type HiddenActivation } from '@tessera/core/jobs/job-spec';
import type { WindowPresetName } from '@tessera/core/jobs/segmentation-spec';

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

/** How a segmentation form maps intensities to the network's input (see the spec's `data.intensity`). */
export type SegmentationIntensity = 'minmax' | 'window' | 'zscore';

/**
 * A U-Net's form: the model's input (a slice size, or a patch shape for 3D, from the data set), its intensity step,
 * augmentation applied alike to image and mask, and the loss. 3D jobs also draw patches from each volume.
 */
export interface SegmentationTemplate extends TemplateBase {
  workload: 'segmentation';
  model: 'unet2d' | 'unet3d';
  /** unet2d: the slice [height, width] (replaced by the chosen data set's); unet3d: the patch [depth, height, width]. */
  inputShape: number[];
  unetDepth: number;
  baseFilters: number;
  intensity: SegmentationIntensity;
  /** With intensity `window`: the radiology window (CT in Hounsfield units). */
  windowPreset: WindowPresetName;
  /** Off: `data.augment` is `{}`. 3D patches take the flips only. */
  augment: boolean;
  horizontalFlip: boolean;
  verticalFlip: boolean;
  rotationRange: number;
  widthShiftRange: number;
  heightShiftRange: number;
  zoomRange: number;
  loss: 'bce-dice' | 'dice' | 'bce';
  crossEntropyWeight: number;
  /** unet3d only: patches drawn from each volume per epoch, and the share centred on foreground. */
  patchesPerVolume: number;
  foregroundFraction: number;
}

/** What the launch form starts from. One per workload. */
export type JobTemplate = TabularTemplate | ImageTemplate | SegmentationTemplate;

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
  {
    // Montgomery chest X-rays resized at ingest: grey levels, so each image to [0, 1] by its own range; left and right
    // lungs differ (the heart), so no horizontal flips, only small rotations, shifts and zooms.
    id: 'lung-segmentation-2d-unet',
    label: 'Lung segmentation 2D (U-Net)',
    workload: 'segmentation',
    name: 'lung-segmentation-2d',
    dataset: 'montgomery-cxr',
    model: 'unet2d',
    inputShape: [256, 256],
    unetDepth: 4,
    baseFilters: 16,
    intensity: 'minmax',
    windowPreset: 'lung',
    augment: true,
    horizontalFlip: false,
    verticalFlip: false,
    rotationRange: 10,
    widthShiftRange: 0.05,
    heightShiftRange: 0.05,
    zoomRange: 0.1,
    loss: 'bce-dice',
    crossEntropyWeight: 0.1,
    patchesPerVolume: 8,
    foregroundFraction: 0.5,
    optimizer: defaultImageTraining.optimizer,
    learningRate: defaultImageTraining.learningRate,
    batchSize: 8,
    epochs: 40,
    seed: defaultImageTraining.seed,
    checkpointEveryEpochs: 5,
    minWorkers: 2,
    maxWorkers: 2,
    priority: 0,
  },
  {
    // CT volumes in Hounsfield units through the lung window; 32^3 patches, half of them centred on the mask since
    // lungs fill a fraction of a CT.
    id: 'segmentation-3d-patch-unet',
    label: '3D segmentation (patch U-Net)',
    workload: 'segmentation',
    name: 'segmentation-3d',
    dataset: 'lung-ct',
    model: 'unet3d',
    inputShape: [32, 32, 32],
    unetDepth: 3,
    baseFilters: 8,
    intensity: 'window',
    windowPreset: 'lung',
    augment: true,
    horizontalFlip: true,
    verticalFlip: false,
    rotationRange: 0,
    widthShiftRange: 0,
    heightShiftRange: 0,
    zoomRange: 0,
    loss: 'bce-dice',
    crossEntropyWeight: 0.1,
    patchesPerVolume: 16,
    foregroundFraction: 0.5,
    optimizer: defaultImageTraining.optimizer,
    learningRate: defaultImageTraining.learningRate,
    batchSize: 4,
    epochs: 20,
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
