import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeSegmentationShard, SEGMENTATION_SPLITS, voxelCount } from '@tessera/core/data/segmentation-shard-format';
import type { SegmentationSample, SegmentationSplit } from '@tessera/core/data/segmentation-shard-format';
import { createDeidentifyKey, minimumDeidentifyKeyBytes } from '@tessera/medical/dicom/deidentify-uids';
import type { DataSetDeidentificationReport } from '@tessera/medical/dicom/deidentify-folder';
import { sha256Hex } from '../content-hash.ts';
import type { ObjectStore } from '../object-store.ts';
import type { DatasetShard } from './dataset-objects.ts';
import { DATASET_MANIFEST_FORMAT, datasetContentHash, datasetManifestKey, datasetShardKey, putDatasetManifest, validateDatasetName } from './dataset-objects.ts';
import { isImageFolderError } from './image-folder-errors.ts';
import type { ImageFolderSource } from './image-folder-source.ts';
import { openImageFolderSource } from './image-folder-source.ts';
import type { LoadedCase } from './segmentation-case-readers.ts';
import { readNiftiCase, readSliceCase } from './segmentation-case-readers.ts';
import type { DicomCase } from './segmentation-dicom.ts';
import { mergeDeidentificationReports, readDicomCase } from './segmentation-dicom.ts';
import { segmentationIngestError } from './segmentation-errors.ts';
import type { SegmentationCasePlan, SegmentationLayout, SegmentationPairInput } from './segmentation-layout.ts';
import { planSegmentationLayout } from './segmentation-layout.ts';
import type { SegmentationCase, SegmentationInfo, SegmentationManifest, SegmentationShardInfo } from './segmentation-manifest.ts';
import { DEIDENTIFICATION_REPORT_FILE, readSegmentationManifest } from './segmentation-manifest.ts';
import { assignSegmentationSplits } from './segmentation-split.ts';

export interface SegmentationIngestProgress {
  /** `read`: cases decoded (and de-identified) and packed so far; `upload`: files written to the store so far. */
  readonly phase: 'read' | 'upload';
  readonly done: number;
  readonly total: number;
}

export interface SegmentationIngestOptions {
  /** Data set name (see validateDatasetName). */
  readonly name: string;
  /** A directory or a `.zip` of one; see planSegmentationLayout for the layouts. */
  readonly source: string;
  /** 2D sets: the stored slice size; default 256x256. Volumes keep their own grids. */
  readonly size?: { readonly height: number; readonly width: number };
  /** Share of labeled cases held out as `valid`; default 0.2. */
  readonly validFraction?: number;
  /** Seed of the split hash; default 0. */
  readonly seed?: number;
  /**
   * DICOM: the data set's de-identification key (at least 16 bytes). Default: a random one, dropped when ingest ends,
   * so nobody can recompute the UID mapping. Pass the same key to add files later with the same mapping.
   */
  readonly deidentifyKey?: Uint8Array;
  /** Cases named explicitly (paths relative to the source), for folders without images/ and masks/. */
  readonly pairs?: readonly SegmentationPairInput[];
  /** Name of mask value 1; default `foreground`. */
  readonly className?: string;
  /** PNG, TIFF and NIfTI sets: the modality (`CT` makes NIfTI units HU); default `OT`. DICOM reads its own. */
  readonly modality?: string;
  /** Samples per shard (default 256) and bytes per shard (default 64 MiB; a larger volume gets a shard of its own). */
  readonly samplesPerShard?: number;
  readonly maxShardBytes?: number;
  /** Where shards wait until the content hash is known; defaults to the OS temp directory. Removed afterwards. */
  readonly stagingDir?: string;
  readonly onProgress?: (progress: SegmentationIngestProgress) => void;
  /** Defaults to the current time; tests pass a fixed one. */
  readonly createdAt?: Date;
}

export interface SegmentationIngestResult {
  readonly manifest: SegmentationManifest;
  readonly manifestKey: string;
  /** True when the store already held this exact data set, so nothing was uploaded. */
  readonly reused: boolean;
  /** Files of the source that are not images or masks of a case, so were not ingested. */
  readonly skipped: readonly string[];
}

/** A file waiting on local disk for the content hash: a packed shard, a de-identified DICOM file or the report. */
interface StagedFile {
  /** Packed shards come first in the manifest's `shards`, other files after them. */
  readonly packed: boolean;
  readonly fileName: string;
  readonly file: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

type Resolved = Required<Pick<SegmentationIngestOptions, 'size' | 'validFraction' | 'seed' | 'className' | 'modality' | 'samplesPerShard' | 'maxShardBytes'>>;

function checkOptions(options: SegmentationIngestOptions): Resolved {
  validateDatasetName(options.name);
  const invalid = (field: string, reason: string): never => {
    throw segmentationIngestError({ kind: 'InvalidIngestOptions', file: `options.${field}`, reason });
  };
  const size = options.size ?? { height: 256, width: 256 };
  for (const field of ['height', 'width'] as const) {
    const value = size[field];
    if (!Number.isSafeInteger(value) || value < 1 || value > 4096) invalid(`size.${field}`, `${value} is not an integer in 1..4096`);
  }
  const validFraction = options.validFraction ?? 0.2;
  if (!(validFraction >= 0 && validFraction < 1)) invalid('validFraction', `${validFraction} is not in [0, 1)`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) invalid('seed', `${seed} is not an integer`);
  if (options.deidentifyKey !== undefined && options.deidentifyKey.byteLength < minimumDeidentifyKeyBytes) {
    invalid('deidentifyKey', `${options.deidentifyKey.byteLength} bytes; at least ${minimumDeidentifyKeyBytes} are needed`);
  }
  const className = options.className ?? 'foreground';
  if (className === '' || className === 'background') invalid('className', `'${className}' cannot name the mask's class`);
  const samplesPerShard = options.samplesPerShard ?? 256;
  if (!Number.isSafeInteger(samplesPerShard) || samplesPerShard < 1) invalid('samplesPerShard', `${samplesPerShard} is not a positive integer`);
  const maxShardBytes = options.maxShardBytes ?? 64 * 1024 * 1024;
  if (!Number.isSafeInteger(maxShardBytes) || maxShardBytes < 1) invalid('maxShardBytes', `${maxShardBytes} is not a positive integer`);
  return { size, validFraction, seed, className, modality: options.modality ?? 'OT', samplesPerShard, maxShardBytes };
}

async function openSource(location: string): Promise<ImageFolderSource> {
  try {
    return await openImageFolderSource(location);
  } catch (error) {
    if (isImageFolderError(error) && (error.kind === 'UnsafeZipPath' || error.kind === 'UnreadableSource')) {
      throw segmentationIngestError({ kind: error.kind, file: error.file, reason: error.reason }, error);
    }
    throw error;
  }
}

/** Packs cases into shards as they are read, one split after another, and stages shards and DICOM files on disk. */
class Stager {
  readonly files: StagedFile[] = [];
  readonly shards: SegmentationShardInfo[] = [];
  readonly cases: SegmentationCase[] = [];
  private batch: SegmentationSample[] = [];
  private batchBytes = 0;
  private batchSplit: SegmentationSplit = 'train';

  constructor(
    private readonly dir: string,
    private readonly limits: Pick<Resolved, 'samplesPerShard' | 'maxShardBytes'>,
  ) {}

  async add(split: SegmentationSplit, loaded: LoadedCase): Promise<void> {
    if (split !== this.batchSplit) await this.flush();
    this.batchSplit = split;
    const bytes = voxelCount(loaded.shape) * (loaded.mask === undefined ? 4 : 5);
    if (this.batch.length > 0 && (this.batch.length >= this.limits.samplesPerShard || this.batchBytes + bytes > this.limits.maxShardBytes)) await this.flush();
    const foregroundVoxels = loaded.mask === undefined ? 0 : loaded.mask.reduce((sum, value) => sum + (value === 0 ? 0 : 1), 0);
    this.cases.push({ id: loaded.id, split, shard: this.shards.length, shape: loaded.shape, spacing: loaded.spacing, affine: loaded.affine, foregroundVoxels });
    this.batch.push({ id: loaded.id, split, shape: loaded.shape, spacing: loaded.spacing, image: loaded.image, mask: loaded.mask });
    this.batchBytes += bytes;
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const index = this.shards.length;
    await this.stage(`${this.batchSplit}-${String(index).padStart(5, '0')}.tssg`, encodeSegmentationShard(this.batch), true);
    this.shards.push({ index, split: this.batchSplit, count: this.batch.length });
    this.batch = [];
    this.batchBytes = 0;
  }

  async stage(fileName: string, bytes: Uint8Array, packed = false): Promise<void> {
    const file = path.join(this.dir, String(this.files.length));
    await writeFile(file, bytes);
    this.files.push({ packed, fileName, file, sizeBytes: bytes.byteLength, sha256: sha256Hex(bytes) });
  }
}

function summarize(info: SegmentationInfo, caseCount: number): string {
  const count = (n: number): string => n.toLocaleString('en-US');
  const splits = SEGMENTATION_SPLITS.filter((split) => info.splits[split] > 0).map((split) => `${count(info.splits[split])} ${split}${split === 'test' ? ', unlabeled' : ''}`);
  const what = info.dims === 2 ? `slices, ${info.size?.width ?? 0}x${info.size?.height ?? 0}` : 'volumes';
  return `${count(caseCount)} ${what} (${splits.join(', ')}), ${info.source} ${info.modality}${info.units === 'HU' ? ' (HU)' : ''}, classes ${info.classNames.slice(1).join(', ')}`;
}

interface ReadResult {
  readonly loaded: LoadedCase;
  readonly dicom?: DicomCase | undefined;
}

function readCase(source: ImageFolderSource, layout: SegmentationLayout, plan: SegmentationCasePlan, size: Resolved['size'], key: Uint8Array): Promise<ReadResult> {
  const read = (file: string): Promise<Uint8Array> => source.read(file);
  if (layout.source === 'nifti') return readNiftiCase(read, plan).then((loaded) => ({ loaded }));
  if (layout.source !== 'dicom') return readSliceCase(read, plan, size).then((loaded) => ({ loaded }));
  return readDicomCase(read, plan, key).then((dicom) => ({ loaded: dicom.sample, dicom }));
}

/**
 * Reads `plans` in order with up to `window` reads in flight (slices decode on libuv's threads, so a few overlap
 * well), handing each result to `use` in order. A failure stops the loop; reads still in flight are left to finish
 * with their errors handled, so none becomes an unhandled rejection.
 */
async function readInOrder(plans: readonly SegmentationCasePlan[], window: number, read: (plan: SegmentationCasePlan) => Promise<ReadResult>, use: (result: ReadResult) => Promise<void>): Promise<void> {
  const started: (Promise<ReadResult> | undefined)[] = [];
  const start = (index: number): void => {
    const plan = plans[index];
    if (plan === undefined || started[index] !== undefined) return;
    const promise = read(plan);
    promise.catch(() => undefined);
    started[index] = promise;
  };
  for (let index = 0; index < plans.length; index += 1) {
    for (let ahead = index; ahead < Math.min(plans.length, index + window); ahead += 1) start(ahead);
    const result = await (started[index] as Promise<ReadResult>);
    started[index] = undefined;
    await use(result);
  }
}

/**
 * Ingests a segmentation data set (image/mask pairs: PNG or TIFF slices, NIfTI volumes, or DICOM series; see
 * planSegmentationLayout) from a local directory or zip into packed shards (encodeSegmentationShard) stored
 * content-addressed under `datasets/<name>/<sha256>/`, manifest last.
 *
 * 2D slices are resized to `size` (float32, so 16-bit CT keeps its values; masks resized and thresholded at 0.5).
 * Volumes are reoriented to canonical RAS and keep their grids; several mask files of a case are unioned. DICOM files
 * are de-identified (PS3.15 Basic Profile, one key per data set) before anything else reads them, and only the
 * de-identified files, with the report, are stored beside the shards: raw identifiers never reach the store. Labeled
 * cases are split train/valid by a seeded hash of their id (assignSegmentationSplits); cases without a mask go to
 * `test`. Shards and DICOM files are staged on local disk until the content hash is known, so memory stays at about
 * one shard, and a bad file stops the ingest before anything reaches the store. Ingesting the same files with the
 * same options (and, for DICOM, the same key) again returns the existing manifest.
 */
export async function ingestSegmentationDataset(objects: ObjectStore, options: SegmentationIngestOptions): Promise<SegmentationIngestResult> {
  const resolved = checkOptions(options);
  const source = await openSource(options.source);
  const stagingDir = await mkdtemp(path.join(options.stagingDir ?? os.tmpdir(), 'tessera-segmentation-ingest-'));
  try {
    const layout = planSegmentationLayout(source.listing, options.pairs);
    const splits = assignSegmentationSplits(
      layout.cases.map((plan) => ({ ...plan, labeled: plan.masks.length > 0 })),
      resolved.validFraction,
      resolved.seed,
    );
    const key = options.deidentifyKey ?? createDeidentifyKey();
    const stager = new Stager(stagingDir, resolved);
    const dicom = { reports: [] as DataSetDeidentificationReport[], originals: [] as { id: string; files: string[] }[] };
    const modalities = new Set<string>();
    let done = 0;
    // Volumes one at a time (memory); 2D slices a few at once.
    const window = layout.dims === 2 ? 4 : 1;
    for (const split of SEGMENTATION_SPLITS) {
      await readInOrder(splits[split], window, (plan) => readCase(source, layout, plan, resolved.size, key), async ({ loaded, dicom: deidentified }) => {
        if (deidentified !== undefined) {
          // Staged in case order, so the content hash does not depend on timing; moved after the packed shards below.
          for (const file of deidentified.files) await stager.stage(file.fileName, file.bytes);
          dicom.reports.push(deidentified.report);
          dicom.originals.push({ id: loaded.id, files: deidentified.files.map((file) => file.fileName) });
        }
        if (loaded.modality !== undefined) modalities.add(loaded.modality);
        await stager.add(split, loaded);
        done += 1;
        options.onProgress?.({ phase: 'read', done, total: layout.cases.length });
      });
    }
    await stager.flush();
    const report = mergeDeidentificationReports(dicom.reports);
    if (report !== undefined) await stager.stage(DEIDENTIFICATION_REPORT_FILE, Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8'));
    const ordered = [...stager.files.filter((file) => file.packed), ...stager.files.filter((file) => !file.packed)];
    const sha256 = datasetContentHash(ordered.map((file) => ({ name: file.fileName, sha256: file.sha256 })));
    const manifestKey = datasetManifestKey(options.name, sha256);
    if (await objects.exists(manifestKey)) {
      return { manifest: await readSegmentationManifest(objects, manifestKey), manifestKey, reused: true, skipped: layout.skipped };
    }
    const shards: DatasetShard[] = ordered.map((file, index) => ({
      index,
      fileName: file.fileName,
      key: datasetShardKey(options.name, sha256, index),
      sizeBytes: file.sizeBytes,
      sha256: file.sha256,
    }));
    const modality = layout.source === 'dicom' ? (modalities.size === 1 ? ([...modalities][0] ?? 'OT') : modalities.size === 0 ? 'OT' : [...modalities].sort().join('/')) : resolved.modality;
    const reportShard = shards.find((shard) => shard.fileName === DEIDENTIFICATION_REPORT_FILE);
    const segmentation: SegmentationInfo = {
      format: 1,
      dims: layout.dims,
      classNames: ['background', resolved.className],
      source: layout.source,
      modality,
      units: modality === 'CT' && (layout.source === 'dicom' || layout.source === 'nifti') ? 'HU' : 'grey',
      splits: { train: splits.train.length, valid: splits.valid.length, test: splits.test.length },
      cases: stager.cases,
      shards: stager.shards,
      validFraction: resolved.validFraction,
      seed: resolved.seed,
      ...(layout.dims === 2 ? { size: resolved.size } : {}),
      ...(report !== undefined && reportShard !== undefined
        ? { deidentification: { reportKey: reportShard.key, files: report.fileCount, method: report.method }, originals: dicom.originals }
        : {}),
    };
    await uploadStaged(objects, ordered, shards, options.onProgress);
    const manifest: SegmentationManifest = {
      format: DATASET_MANIFEST_FORMAT,
      name: options.name,
      kind: 'segmentation',
      sha256,
      sizeBytes: shards.reduce((sum, shard) => sum + shard.sizeBytes, 0),
      summary: summarize(segmentation, layout.cases.length),
      createdAt: (options.createdAt ?? new Date()).toISOString(),
      shards,
      segmentation,
    };
    await putDatasetManifest(objects, manifest);
    return { manifest, manifestKey, reused: false, skipped: layout.skipped };
  } finally {
    await source.close();
    await rm(stagingDir, { recursive: true, force: true });
  }
}

/** Puts every staged file; on a failure removes the ones already put (best effort), as no manifest names them. */
async function uploadStaged(objects: ObjectStore, staged: readonly StagedFile[], shards: readonly DatasetShard[], onProgress: SegmentationIngestOptions['onProgress']): Promise<void> {
  const written: string[] = [];
  try {
    for (const [index, shard] of shards.entries()) {
      await objects.put(shard.key, await readFile((staged[index] as StagedFile).file));
      written.push(shard.key);
      onProgress?.({ phase: 'upload', done: written.length, total: shards.length });
    }
  } catch (error) {
    await Promise.allSettled(written.map((key) => objects.delete(key)));
    throw error;
  }
}
