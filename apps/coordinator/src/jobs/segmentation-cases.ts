import type { SegmentationSample } from '@tessera/core/data/segmentation-shard-format';
import type { JobSpec } from '@tessera/core/jobs/job-spec';
import { segmentationMaskKey, segmentationPredictionPrefix, segmentationSummaryKey } from '@tessera/core/prediction/segmentation-outputs';
import { decodeNiftiBytes } from '@tessera/medical/nifti/nifti-reader';
import { readSegmentationManifest, type SegmentationCase, type SegmentationManifest } from '@tessera/storage/datasets/segmentation-manifest';
import { fetchSegmentationCase } from '@tessera/storage/datasets/segmentation-shard-fetch';
import { isObjectNotFound, type ObjectStore } from '@tessera/storage/object-store';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { DatasetRecord, JobStore } from '../store/job-store.ts';

/**
 * The coordinator's side of the dashboard's slice viewer: a segmentation data set's cases with the Dice and IoU a
 * segmentation-prediction job scored them, and one case's image with its true and predicted masks. The prediction job
 * leaves `<prefix>/summary.json` and `<prefix>/masks/<id>.nii.gz` (its spec's `output.prefix`, by default
 * `jobs/<job id>/predictions`); both are read here, never written.
 */

/** A case as the viewer lists it: the manifest's facts, and the prediction's scores when it has them. */
export interface ViewerCase {
  id: string;
  split: string;
  shape: number[];
  spacing: number[];
  foregroundVoxels: number;
  scored: boolean;
  dice: number;
  iou: number;
}

export interface SegmentationCaseList {
  dataset: string;
  sha256: string;
  dims: number;
  units: string;
  modality: string;
  classNames: string[];
  cases: ViewerCase[];
  hasSummary: boolean;
  predictionSplit: string;
  meanDice: number;
  meanIou: number;
}

/** One case's volumes, each depth x height x width voxels with width fastest. */
export interface SegmentationCaseVolumes {
  header: {
    dataset: string;
    sha256: string;
    case: ViewerCase;
    units: string;
    modality: string;
    classNames: string[];
    hasMask: boolean;
    hasPrediction: boolean;
  };
  /** float32 little-endian, source units. */
  image: Buffer;
  mask: Buffer | undefined;
  /** A label per voxel (0 background). */
  prediction: Buffer | undefined;
}

interface SummaryScores {
  split: string;
  meanDice: number;
  meanIou: number;
  byId: Map<string, { dice: number; iou: number }>;
}

interface PredictionJob {
  jobId: string;
  /** Object-store prefix of the job's outputs. */
  prefix: string;
}

/**
 * Lists a segmentation data set's cases in manifest order; with `predictionJobId`, adds the Dice and IoU its summary
 * gives each case (nothing when the job has not written its summary yet). Costs one manifest read and, with a job,
 * one summary read.
 */
export async function listSegmentationCases(
  store: JobStore,
  objects: ObjectStore,
  request: { dataset: string; sha256: string; predictionJobId: string },
): Promise<SegmentationCaseList> {
  const { record, manifest } = await openSegmentationDataset(store, objects, request.dataset, request.sha256);
  const prediction = request.predictionJobId ? await predictionJobOf(store, request.predictionJobId, record) : undefined;
  const scores = prediction ? await readSummary(objects, prediction) : undefined;
  const info = manifest.segmentation;
  return {
    dataset: record.name,
    sha256: record.sha256,
    dims: info.dims,
    units: info.units,
    modality: info.modality,
    classNames: [...info.classNames],
    cases: info.cases.map((c) => viewerCase(c, scores)),
    hasSummary: scores !== undefined,
    predictionSplit: scores?.split ?? '',
    meanDice: scores?.meanDice ?? 0,
    meanIou: scores?.meanIou ?? 0,
  };
}

/**
 * One case's image and true mask from its shard, and, with `predictionJobId`, the mask that job predicted for it
 * (absent when the job wrote none for this case: another split, or not finished). CaseNotFound names an unknown case;
 * CorruptData a damaged shard or a predicted mask whose grid differs from the case's. Costs one shard read (the case's
 * shard, checked against its sha256) and one NIfTI read.
 */
export async function readSegmentationCase(
  store: JobStore,
  objects: ObjectStore,
  request: { dataset: string; sha256: string; caseId: string; predictionJobId: string },
): Promise<SegmentationCaseVolumes> {
  if (!request.caseId) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'case_id', message: 'required' });
  const { record, manifest } = await openSegmentationDataset(store, objects, request.dataset, request.sha256);
  const entry = manifest.segmentation.cases.find((c) => c.id === request.caseId);
  if (!entry) throw new CoordinatorError({ kind: 'CaseNotFound', dataset: `${record.name}@${record.sha256}`, caseId: request.caseId });
  const prediction = request.predictionJobId ? await predictionJobOf(store, request.predictionJobId, record) : undefined;
  let sample: SegmentationSample;
  try {
    sample = await fetchSegmentationCase(objects, manifest, entry.id);
  } catch (cause) {
    throw damaged(`case ${entry.id} of data set ${record.name}@${record.sha256}`, cause);
  }
  const scores = prediction ? await readSummary(objects, prediction) : undefined;
  const predicted = prediction ? await readPredictedMask(objects, prediction, sample) : undefined;
  return {
    header: {
      dataset: record.name,
      sha256: record.sha256,
      case: viewerCase(entry, scores),
      units: manifest.segmentation.units,
      modality: manifest.segmentation.modality,
      classNames: [...manifest.segmentation.classNames],
      hasMask: sample.mask !== undefined,
      hasPrediction: predicted !== undefined,
    },
    image: Buffer.from(sample.image.buffer, sample.image.byteOffset, sample.image.byteLength),
    mask: sample.mask === undefined ? undefined : Buffer.from(sample.mask.buffer, sample.mask.byteOffset, sample.mask.byteLength),
    prediction: predicted,
  };
}

async function openSegmentationDataset(
  store: JobStore,
  objects: ObjectStore,
  name: string,
  sha256: string,
): Promise<{ record: DatasetRecord; manifest: SegmentationManifest }> {
  if (!name) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'dataset', message: 'required' });
  if (sha256 && !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new CoordinatorError({ kind: 'InvalidArgument', field: 'sha256', message: 'expected 64 lowercase hex digits or empty for the latest version' });
  }
  const record = await store.getDataset(name, sha256 || undefined);
  if (!record) throw new CoordinatorError({ kind: 'DatasetNotFound', name, ...(sha256 ? { sha256 } : {}) });
  if (record.kind !== 'segmentation') {
    throw new CoordinatorError({ kind: 'InvalidArgument', field: 'dataset', message: `data set ${record.name} is ${record.kind}; the viewer shows segmentation data sets only` });
  }
  try {
    return { record, manifest: await readSegmentationManifest(objects, record.manifestKey) };
  } catch (cause) {
    throw damaged(`data set ${record.name}@${record.sha256}`, cause);
  }
}

/** The prediction job named by the request, checked to be a segmentation-prediction job of this data set. */
async function predictionJobOf(store: JobStore, jobId: string, dataset: DatasetRecord): Promise<PredictionJob> {
  const job = await store.getJob(jobId);
  if (!job) throw new CoordinatorError({ kind: 'JobNotFound', jobId });
  const spec = job.spec as JobSpec;
  if (spec.workload !== 'segmentation-prediction') {
    throw new CoordinatorError({ kind: 'InvalidArgument', field: 'prediction_job_id', message: `job ${jobId} is a ${spec.workload} job, not a segmentation-prediction job` });
  }
  if (job.datasetName !== dataset.name || job.datasetSha256 !== dataset.sha256) {
    throw new CoordinatorError({
      kind: 'InvalidArgument',
      field: 'prediction_job_id',
      message: `job ${jobId} predicted data set ${job.datasetName}@${job.datasetSha256.slice(0, 12)}, not ${dataset.name}@${dataset.sha256.slice(0, 12)}`,
    });
  }
  return { jobId, prefix: segmentationPredictionPrefix(spec, jobId) };
}

/** The job's `summary.json`, or undefined before it exists; CorruptData when it is not the summary's shape. */
async function readSummary(objects: ObjectStore, job: PredictionJob): Promise<SummaryScores | undefined> {
  const key = segmentationSummaryKey(job.prefix);
  let bytes: Buffer;
  try {
    bytes = await objects.get(key);
  } catch (cause) {
    if (isObjectNotFound(cause)) return undefined;
    throw cause;
  }
  const fail = (message: string, cause?: unknown): never => {
    throw new CoordinatorError({ kind: 'CorruptData', what: `summary ${key} of job ${job.jobId}`, message }, { cause });
  };
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    return fail('not valid JSON', cause);
  }
  const summary = raw as { cases?: unknown; meanDice?: unknown; meanIou?: unknown; split?: unknown };
  if (typeof summary !== 'object' || summary === null || !Array.isArray(summary.cases)) return fail('cases is not a list');
  const byId = new Map<string, { dice: number; iou: number }>();
  summary.cases.forEach((entry: unknown, index) => {
    const c = entry as { id?: unknown; dice?: unknown; iou?: unknown };
    if (typeof c !== 'object' || c === null || typeof c.id !== 'string') fail(`cases[${index}].id is not a string`);
    // Unlabeled cases are predicted but not scored: they carry no numbers.
    if (typeof c.dice === 'number' && typeof c.iou === 'number') byId.set(c.id as string, { dice: c.dice, iou: c.iou });
  });
  return {
    split: typeof summary.split === 'string' ? summary.split : '',
    meanDice: typeof summary.meanDice === 'number' ? summary.meanDice : 0,
    meanIou: typeof summary.meanIou === 'number' ? summary.meanIou : 0,
    byId,
  };
}

/**
 * The job's mask of this case as label bytes (0 background) in the case's voxel order, or undefined when the job wrote none for it.
 * The NIfTI holds the case's grid with x = width fastest ([width, height, depth], a 2D case possibly [width, height]),
 * so its voxel order is the sample's; it is not reoriented.
 */
async function readPredictedMask(objects: ObjectStore, job: PredictionJob, sample: SegmentationSample): Promise<Buffer | undefined> {
  const key = segmentationMaskKey(job.prefix, sample.id);
  let bytes: Buffer;
  try {
    bytes = await objects.get(key);
  } catch (cause) {
    if (isObjectNotFound(cause)) return undefined;
    throw cause;
  }
  let data: Float32Array;
  let shape: readonly number[];
  try {
    ({ data, shape } = decodeNiftiBytes(bytes, key));
  } catch (cause) {
    throw damaged(`predicted mask ${key}`, cause);
  }
  const [depth, height, width] = sample.shape;
  const expected = [width, height, depth];
  if (trimOnes(shape).join('x') !== trimOnes(expected).join('x')) {
    throw new CoordinatorError({
      kind: 'CorruptData',
      what: `predicted mask ${key}`,
      message: `its grid is ${shape.join('x')}, the case's is ${expected.join('x')} (width x height x depth)`,
    });
  }
  const mask = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i += 1) mask[i] = Math.min(255, Math.max(0, Math.round(data[i] as number)));
  return mask;
}

function trimOnes(shape: readonly number[]): number[] {
  const out = [...shape];
  while (out.length > 1 && out[out.length - 1] === 1) out.pop();
  return out;
}

function viewerCase(c: SegmentationCase, scores: SummaryScores | undefined): ViewerCase {
  const score = scores?.byId.get(c.id);
  return {
    id: c.id,
    split: c.split,
    shape: [...c.shape],
    spacing: [...c.spacing],
    foregroundVoxels: c.foregroundVoxels,
    scored: score !== undefined,
    dice: score?.dice ?? 0,
    iou: score?.iou ?? 0,
  };
}

/** Errors of damaged stored bytes (a shard, manifest or NIfTI that does not read) become CorruptData; others pass. */
function damaged(what: string, cause: unknown): unknown {
  if (cause instanceof CoordinatorError) return cause;
  const name = (cause as { name?: string }).name;
  if (name === 'DatasetError' || name === 'SegmentationShardFormatError' || name === 'NiftiError' || (cause instanceof Error && cause.message.startsWith('invalid segmentation manifest'))) {
    return new CoordinatorError({ kind: 'CorruptData', what, message: (cause as Error).message }, { cause });
  }
  return cause;
}
