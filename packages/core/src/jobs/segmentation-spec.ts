import { z } from 'zod';
import { modelRefSchema } from '../models/model-registry.ts';
import { checkpointSchema, datasetRefPattern, imageTrainingSchema, int, outputKeySchema, predictionSourceSchema, resourcesSchema } from './spec-parts.ts';

/**
 * The two segmentation workloads of the job spec: `segmentation` trains a U-Net on a `segmentation` data set (image
 * and mask pairs, 2D slices or 3D volumes, see `@tessera/storage/datasets/segmentation-manifest`), and
 * `segmentation-prediction` predicts masks with one of its checkpoints and writes them back as NIfTI with PNG
 * overlays. Both join job-spec.ts's discriminated union.
 */

/** Window presets (centre/width in Hounsfield units) a spec may name, as radiology viewers define them. */
export const windowPresets = {
  lung: { center: -600, width: 1500 },
  mediastinum: { center: 40, width: 400 },
  brain: { center: 40, width: 80 },
  bone: { center: 400, width: 1800 },
} as const;
export type WindowPresetName = keyof typeof windowPresets;

/**
 * How a sample's stored intensities (HU for CT, grey levels otherwise) become the network's input, applied on the
 * worker before augmentation:
 * - `window`: a radiology window (a preset, or centre and width) mapped linearly to [0, 1] and clipped;
 * - `range`: [min, max] mapped linearly to [0, 1] and clipped (0..255 for 8-bit images);
 * - `minmax`: each sample's own minimum and maximum to [0, 1] (the default: works for any source);
 * - `zscore`: each sample to zero mean and unit variance over its voxels above `threshold` (MRI, whose intensities
 *   have no absolute scale; background stays at the lowest value).
 */
export const intensitySchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('window'),
        preset: z.enum(Object.keys(windowPresets) as [WindowPresetName, ...WindowPresetName[]]).optional(),
        center: z.number().optional(),
        width: z.number().gt(0).optional(),
      })
      .strict(),
    z.object({ kind: z.literal('range'), min: z.number(), max: z.number() }).strict(),
    z.object({ kind: z.literal('minmax') }).strict(),
    z.object({ kind: z.literal('zscore'), threshold: z.number().optional() }).strict(),
  ])
  .superRefine((intensity, ctx) => {
    if (intensity.kind === 'range' && !(intensity.max > intensity.min)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['max'], message: 'must be greater than min' });
    }
    if (intensity.kind === 'window') {
      const explicit = intensity.center !== undefined || intensity.width !== undefined;
      if ((intensity.preset === undefined) === !explicit || (explicit && (intensity.center === undefined || intensity.width === undefined))) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'name a preset, or both center and width (not both)' });
      }
    }
  });
export type IntensitySpec = z.output<typeof intensitySchema>;

/**
 * Augmentation applied identically to image and mask (geometry) or to the image alone (brightness, contrast); every
 * option is off unless given. 2D samples take all of them; 3D patches take the flips (along width and height) only.
 */
const segmentationAugmentSchema = z
  .object({
    horizontalFlip: z.boolean().optional(),
    verticalFlip: z.boolean().optional(),
    rotationRange: z.number().min(0).max(180).optional(),
    zoomRange: z.number().min(0).lt(1).optional(),
    widthShiftRange: z.number().min(0).max(1).optional(),
    heightShiftRange: z.number().min(0).max(1).optional(),
    /** Multiplies the (already normalised) image by a factor drawn from [low, high]. */
    brightnessRange: z
      .tuple([z.number().gt(0), z.number().gt(0)])
      .refine(([lo, hi]) => lo <= hi, 'must be [low, high] with low <= high')
      .optional(),
    /** Scales the image's deviation from its mean by a factor drawn from [low, high]. */
    contrastRange: z
      .tuple([z.number().gt(0), z.number().gt(0)])
      .refine(([lo, hi]) => lo <= hi, 'must be [low, high] with low <= high')
      .optional(),
  })
  .strict();

/** 3D jobs train on patches of the model's input shape drawn from each volume; whole volumes are predicted patch by patch. */
const patchSchema = z
  .object({
    /** Patches drawn from each training volume per epoch. */
    perVolume: int().min(1).max(4096).default(8),
    /** Share of patches centred on a foreground voxel (the rest uniformly placed): lungs fill a fraction of a CT. */
    foregroundFraction: z.number().min(0).max(1).default(0.5),
    /** Overlap of neighbouring patches when a whole volume is predicted (0: tiles; 0.5: half a patch). */
    predictionOverlap: z.number().min(0).lt(1).default(0.25),
  })
  .strict();

const segmentationDataSchema = z
  .object({
    intensity: intensitySchema.default({ kind: 'minmax' }),
    augment: segmentationAugmentSchema.default({}),
    patches: patchSchema.default({}),
  })
  .strict();

export const segmentationLosses = ['bce-dice', 'dice', 'bce'] as const;

const lossSchema = z
  .object({
    kind: z.enum(segmentationLosses).default('bce-dice'),
    /**
     * Weight of the cross-entropy term of `bce-dice`. 0.1 by default: at 1 the background (most pixels) first drives
     * every probability under 0.5 and the thresholded Dice stays 0 for about twice the steps.
     */
    crossEntropyWeight: z.number().min(0).max(100).default(0.1),
  })
  .strict();

/** Models a segmentation job may name. */
export const segmentationJobModels = ['unet2d', 'unet3d'] as const;

export const segmentationSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    workload: z.literal('segmentation'),
    dataset: z.string().regex(datasetRefPattern, 'must be a registered segmentation data set name, optionally followed by @<sha256 hex>'),
    model: modelRefSchema
      .refine((ref) => (segmentationJobModels as readonly string[]).includes(ref.name), {
        message: `segmentation jobs take one of: ${segmentationJobModels.join(', ')}`,
        path: ['name'],
      })
      .default({ name: 'unet2d' }),
    data: segmentationDataSchema.default({}),
    loss: lossSchema.default({}),
    training: imageTrainingSchema.default({}),
    resources: resourcesSchema.default({}),
    checkpoint: checkpointSchema.default({ everyEpochs: 5 }),
  })
  .strict();

/**
 * Predicts masks for a segmentation data set's split with a checkpoint of a segmentation job: per sample a NIfTI mask
 * (`<prefix>/masks/<id>.nii.gz`, in the sample's voxel grid and affine) and a PNG overlay (`<prefix>/overlays/<id>.png`:
 * the image windowed as the job trained, the predicted mask in one colour and the true mask's outline in another when
 * the sample has one), and `<prefix>/summary.json` with Dice and IoU per labeled case. Each worker predicts its share.
 */
export const segmentationPredictionSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    workload: z.literal('segmentation-prediction'),
    /** The segmentation job whose checkpoint predicts. */
    source: predictionSourceSchema,
    dataset: z.string().regex(datasetRefPattern, 'must be a registered segmentation data set name, optionally followed by @<sha256 hex>'),
    /** Left out: `test` (unlabeled samples) when the data set has any, else `valid`, else `train`. */
    split: z.enum(['test', 'valid', 'train']).optional(),
    output: z
      .object({
        /** Object-store prefix of the outputs; left out: `jobs/<this job's id>/predictions`. */
        prefix: outputKeySchema(400).optional(),
      })
      .strict()
      .default({}),
    /** Probability above which a voxel is foreground (an undecided 0.5 is background, as training scores it). */
    threshold: z.number().gt(0).lt(1).default(0.5),
    /** Slices (2D) or patches (3D) per forward pass on each worker: bounds memory, not results. */
    batchSize: int().min(1).max(4096).default(16),
    resources: resourcesSchema.default({}),
  })
  .strict();
