import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import type { HiddenActivation } from '../jobs/job-spec.ts';
import { buildMlp } from './mlp.ts';
import { buildSmallVgg } from './small-vgg.ts';
import { unetMaxDepth } from './unet-shape.ts';
import { buildUNet2d } from './unet2d.ts';
import { buildUNet3d } from './unet3d.ts';
import { buildVgg16, vgg16MinInputSize } from './vgg16.ts';

/**
 * The models a job spec can name, with their options: ONE schema shared by spec validation, the dashboard's launch
 * form and the worker that builds the model. A spec says `{ "name": "small-vgg", "options": { "denseUnits": 256 } }`;
 * facts that come from the data set (class count, feature count) and the job's seed are passed at build time as a
 * {@link ModelBuildContext}, so a spec cannot contradict its data.
 */

const int = () => z.number().int();
// job-spec.ts's list, restated so that the spec may import this registry without an import cycle; `satisfies` keeps
// the two in step at compile time in one direction, the test in the other.
export const mlpActivations = ['relu', 'tanh', 'sigmoid', 'linear', 'elu', 'selu'] as const satisfies readonly HiddenActivation[];
const side = (min: number) => int().min(min).max(4096);
const imageShape = (min: number, fallback: readonly [number, number, number]) =>
  z.tuple([side(min), side(min), int().min(1).max(64)]).default([...fallback]);

/** Whether a model's `weights` names a URL (fetched) rather than an object-store key. */
export function isWeightsUrl(weights: string): boolean {
  return /^https?:\/\//i.test(weights);
}

/** The two weight formats a pretrained base loads from: Keras HDF5, or tfjs layers artifacts (model.json + shards). */
export type PretrainedWeightsFormat = 'keras-h5' | 'tfjs-layers';

/** What a `weights` reference must look like, for the spec's and the loader's error messages alike. */
export const pretrainedWeightsRule = 'must end in .h5 or .hdf5 (a Keras HDF5 file) or model.json (tfjs layers artifacts)';

/**
 * Which importer a `weights` reference needs, by how its key or URL path (query and fragment aside) ends: `.h5` or
 * `.hdf5` is Keras HDF5, `model.json` is tfjs layers artifacts; anything else is undefined.
 */
export function pretrainedWeightsFormat(weights: string): PretrainedWeightsFormat | undefined {
  const path = isWeightsUrl(weights) ? weights.replace(/[?#].*$/, '') : weights;
  if (/\.(h5|hdf5)$/i.test(path)) return 'keras-h5';
  if (/model\.json$/i.test(path)) return 'tfjs-layers';
  return undefined;
}

/**
 * Where a pretrained VGG's weights come from: an `http(s)://` URL or an object-store key of a Keras `.h5` weights file
 * (`vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5` for the base) or of a tfjs layers `model.json` (its shards
 * beside it). Left out: seeded random initialisation (tests, training from scratch). Loaded by layer name
 * (pretrained-base.ts); a layer or shape mismatch fails the job.
 */
const pretrainedWeightsSchema = z
  .string()
  .trim()
  .min(1)
  .max(1000)
  // An empty string already fails min(1); one message per fault.
  .refine((weights) => weights.length === 0 || pretrainedWeightsFormat(weights) !== undefined, { message: pretrainedWeightsRule })
  .optional();

const vgg16Schema = z
  .object({
    name: z.literal('vgg16'),
    weights: pretrainedWeightsSchema,
    options: z
      .object({
        inputShape: imageShape(vgg16MinInputSize, [224, 224, 3]),
        /** Units of Keras's `predictions` layer; 1000 for ImageNet weights. */
        classes: int().min(1).max(100_000).default(1000),
        classifierActivation: z.enum(['softmax', 'sigmoid', 'linear']).default('softmax'),
      })
      .strict()
      .default({}),
  })
  .strict();

const vgg16NoTopSchema = z
  .object({
    name: z.literal('vgg16-notop'),
    weights: pretrainedWeightsSchema,
    options: z
      .object({
        inputShape: imageShape(vgg16MinInputSize, [224, 224, 3]),
        pooling: z.enum(['avg', 'max']).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

const smallVggSchema = z
  .object({
    name: z.literal('small-vgg'),
    options: z
      .object({
        inputShape: imageShape(8, [64, 64, 3]),
        blocks: z.array(int().min(1).max(1024)).min(1).max(6).default([32, 64, 128]),
        denseUnits: int().min(1).max(8192).default(128),
        dropout: z.number().min(0).lt(1).default(0.5),
        /** Batch normalisation after each convolution (conv without bias, then BN, then relu). */
        batchNorm: z.boolean().default(false),
      })
      .strict()
      .default({}),
  })
  .strict();

const mlpSchema = z
  .object({
    name: z.literal('mlp'),
    options: z
      .object({
        hidden: z
          .array(
            z
              .object({
                units: int().min(1).max(4096),
                activation: z.enum(mlpActivations).default('relu'),
                dropout: z.number().min(0).lt(1).optional(),
              })
              .strict(),
          )
          .max(64)
          .default([
            { units: 60, activation: 'relu' },
            { units: 30, activation: 'relu' },
          ]),
      })
      .strict()
      .default({}),
  })
  .strict();

/** U-Net options both dimensions share; `depth` 2x2 poolings, so every side must be a multiple of 2^depth. */
const unetCommon = (depth: number, baseFilters: number) => ({
  depth: int().min(1).max(unetMaxDepth).default(depth),
  baseFilters: int().min(1).max(256).default(baseFilters),
  /** Rate of the dropout after the bottleneck; above 0 training is no longer reproducible (tfjs draws its masks). */
  dropout: z.number().min(0).lt(1).default(0),
});

/** Adds an issue at `inputShape.<i>` for each spatial side that 2^depth does not divide. */
function unetSidesDivisible(options: { readonly inputShape: readonly number[]; readonly depth: number }, context: z.RefinementCtx): void {
  const step = 2 ** options.depth;
  options.inputShape.slice(0, -1).forEach((side, index) => {
    if (side % step !== 0) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['inputShape', index],
        message: `must be a multiple of 2^depth = ${step} (depth ${options.depth}), got ${side}`,
      });
    }
  });
}

const unet2dSchema = z
  .object({
    name: z.literal('unet2d'),
    options: z
      .object({
        inputShape: imageShape(2, [256, 256, 1]),
        ...unetCommon(4, 16),
        /** Batch normalisation after each 3x3 convolution (conv without bias, then BN, then relu). */
        batchNorm: z.boolean().default(false),
        /** `transpose`: Conv2DTranspose 2x2 stride 2; `nearest`: UpSampling2D then a 2x2 convolution. */
        upsampling: z.enum(['transpose', 'nearest']).default('transpose'),
      })
      .strict()
      .superRefine(unetSidesDivisible)
      .default({}),
  })
  .strict();

const unet3dSchema = z
  .object({
    name: z.literal('unet3d'),
    options: z
      .object({
        /** Patch depth, height, width, channels. */
        inputShape: z.tuple([side(2).max(512), side(2).max(512), side(2).max(512), int().min(1).max(64)]).default([64, 64, 64, 1]),
        ...unetCommon(3, 8),
      })
      .strict()
      .superRefine(unetSidesDivisible)
      .default({}),
  })
  .strict();

/** A model reference as a job spec holds it; `name` picks the model, `options` default per model. */
export const modelRefSchema = z.discriminatedUnion('name', [vgg16Schema, vgg16NoTopSchema, smallVggSchema, mlpSchema, unet2dSchema, unet3dSchema]);

/** A validated model reference with every option default resolved. */
export type ModelRef = z.output<typeof modelRefSchema>;
export type ModelRefInput = z.input<typeof modelRefSchema>;
export type ModelName = ModelRef['name'];

/** Every registered model name, in the order the launch form lists them. */
export const modelNames: readonly ModelName[] = ['small-vgg', 'vgg16', 'vgg16-notop', 'mlp', 'unet2d', 'unet3d'];

/** What the launch form shows and the data pipeline needs to know before the model exists. */
export interface ModelDescription {
  readonly title: string;
  /**
   * Image models take [height, width, channels] pixels, volume models [depth, height, width, channels] patches,
   * tabular ones a feature vector.
   */
  readonly input: 'image' | 'volume' | 'tabular';
  /** Whether the model ends in its own classification (or per-pixel mask) head sized by the data set's class count. */
  readonly headFromClassCount: boolean;
}

export const modelDescriptions: Readonly<Record<ModelName, ModelDescription>> = {
  'small-vgg': { title: 'Small VGG-style CNN (trains from scratch on a CPU)', input: 'image', headFromClassCount: true },
  vgg16: { title: 'VGG16 with the Keras ImageNet classifier (138 M parameters)', input: 'image', headFromClassCount: false },
  'vgg16-notop': { title: 'VGG16 convolutional base (14.7 M parameters)', input: 'image', headFromClassCount: false },
  mlp: { title: 'Multi-layer perceptron', input: 'tabular', headFromClassCount: true },
  unet2d: { title: 'U-Net for 2D segmentation (slices, X-rays)', input: 'image', headFromClassCount: true },
  unet3d: { title: 'Patch-based 3D U-Net for volume segmentation', input: 'volume', headFromClassCount: true },
};

/** Facts from the job, not the spec's model section: the seed, and what the data set says. */
export interface ModelBuildContext {
  readonly seed: number;
  /** Classes in the data set; required by models whose head is sized from it. */
  readonly classCount?: number | undefined;
  /** Features per row; required by tabular models. */
  readonly featureCount?: number | undefined;
}

export type ParseModelRefResult =
  | { readonly ok: true; readonly ref: ModelRef }
  | { readonly ok: false; readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }> };

/** Validates a model reference from a spec; issues name the field at fault (`options.inputShape.0`). */
export function parseModelRef(input: unknown): ParseModelRefResult {
  const result = modelRefSchema.safeParse(input);
  if (result.success) return { ok: true, ref: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  };
}

/** The [height, width, channels] an image model takes (what the data pipeline resizes to); undefined for others. */
export function modelImageInputShape(ref: ModelRef): readonly [number, number, number] | undefined {
  return ref.name === 'mlp' || ref.name === 'unet3d' ? undefined : ref.options.inputShape;
}

/** The [depth, height, width, channels] patch a volume model takes; undefined for image and tabular models. */
export function modelVolumeInputShape(ref: ModelRef): readonly [number, number, number, number] | undefined {
  return ref.name === 'unet3d' ? ref.options.inputShape : undefined;
}

/**
 * Builds the named model with seeded initial weights (equal seeds give identical weights in every process), not
 * compiled. Throws a RangeError naming the missing fact when the context lacks what the model needs.
 */
export function buildModel(ref: ModelRef, context: ModelBuildContext): tfl.LayersModel {
  switch (ref.name) {
    case 'vgg16':
      return buildVgg16({ ...ref.options, includeTop: true, seed: context.seed });
    case 'vgg16-notop':
      return buildVgg16({ ...ref.options, includeTop: false, seed: context.seed });
    case 'small-vgg':
      return buildSmallVgg({ ...ref.options, classCount: required(context.classCount, 'classCount', ref.name), seed: context.seed });
    case 'mlp':
      return buildMlp({
        hidden: ref.options.hidden,
        inputSize: required(context.featureCount, 'featureCount', ref.name),
        classCount: required(context.classCount, 'classCount', ref.name),
        seed: context.seed,
      });
    // Segmentation data sets of binary masks may name no classes: background and foreground, one sigmoid channel.
    case 'unet2d':
      return buildUNet2d({ ...ref.options, classCount: context.classCount ?? 2, seed: context.seed });
    case 'unet3d':
      return buildUNet3d({ ...ref.options, classCount: context.classCount ?? 2, seed: context.seed });
  }
}

function required(value: number | undefined, field: string, model: ModelName): number {
  if (value === undefined) throw new RangeError(`model '${model}' needs ${field} from the data set, but none was given`);
  return value;
}
