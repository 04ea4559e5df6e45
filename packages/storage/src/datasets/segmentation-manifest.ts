import { SEGMENTATION_SPLITS } from '@tessera/core/data/segmentation-shard-format';
import type { SegmentationSplit, VolumeShape, VoxelSpacing } from '@tessera/core/data/segmentation-shard-format';
import type { ObjectStore } from '../object-store.ts';
import type { DatasetManifest } from './dataset-objects.ts';
import { readDatasetManifestAt } from './dataset-objects.ts';

/** The data-set file holding a DICOM data set's de-identification report (medical's `deidentificationReportName`). */
export const DEIDENTIFICATION_REPORT_FILE = 'deidentification-report.json';

/** Where a segmentation data set's images came from. */
export type SegmentationSource = 'png' | 'tiff' | 'nifti' | 'dicom';
export const SEGMENTATION_SOURCES: readonly SegmentationSource[] = ['png', 'tiff', 'nifti', 'dicom'];

/** One image (2D slice or 3D volume) of a segmentation data set, as its manifest lists it. */
export interface SegmentationCase {
  /** The sample's id in its shard: the image's base name (`MCUCXR_0001_0`) or case folder, never a patient identifier. */
  readonly id: string;
  readonly split: SegmentationSplit;
  /** Index into the manifest's `shards` of the shard holding the sample. */
  readonly shard: number;
  readonly shape: VolumeShape;
  readonly spacing: VoxelSpacing;
  /**
   * Voxel (width index, height index, depth index, 1) to RAS millimetres, row-major 4x4, for the stored grid (after
   * any resize or reorientation at ingest): what a predicted mask written back as NIfTI carries.
   */
  readonly affine: readonly number[];
  /** Foreground voxels of the mask (0 for unlabeled samples). */
  readonly foregroundVoxels: number;
}

/** What one packed shard holds; `index` matches the manifest's `shards[index]` (key, size, sha256). */
export interface SegmentationShardInfo {
  readonly index: number;
  readonly split: SegmentationSplit;
  readonly count: number;
}

/** The segmentation part of a manifest: everything a worker or the viewer needs without opening a shard. */
export interface SegmentationInfo {
  readonly format: 1;
  /** 2: every sample is a slice (depth 1) of the same height and width; 3: volumes, each its own shape. */
  readonly dims: 2 | 3;
  /** Label names by value; index 0 is `background`. Two names: a binary mask. */
  readonly classNames: readonly string[];
  readonly source: SegmentationSource;
  /** DICOM Modality (`CT`, `MR`, `CR`) when known, else `OT`. */
  readonly modality: string;
  /** `HU` when every image holds Hounsfield units (CT from DICOM or NIfTI CT), else `grey`. */
  readonly units: 'HU' | 'grey';
  readonly splits: Readonly<Record<SegmentationSplit, number>>;
  /** In shard order: a split's cases are its shards' concatenation. */
  readonly cases: readonly SegmentationCase[];
  readonly shards: readonly SegmentationShardInfo[];
  /** Share of labeled cases held out as `valid`, chosen by a seeded hash of the case id (stable across uploads). */
  readonly validFraction: number;
  readonly seed: number;
  /** 2D sets resized at ingest: the stored height and width. */
  readonly size?: { readonly height: number; readonly width: number } | undefined;
  /** DICOM sources: the de-identification report stored beside the shards (the data set's file `deidentification-report.json`). */
  readonly deidentification?: { readonly reportKey: string; readonly files: number; readonly method: string } | undefined;
  /**
   * DICOM sources: each case's de-identified Part 10 files, in slice order (depth order before reorientation to RAS),
   * as file names of the manifest's `shards` (read them with readDatasetFile): the originals for the viewer and for
   * DICOM SEG. The packed shards come first in `shards`; these files and the report follow them.
   */
  readonly originals?: readonly { readonly id: string; readonly files: readonly string[] }[] | undefined;
}

/** A data-set manifest of kind `segmentation`: the common fields plus `segmentation`. */
export type SegmentationManifest = DatasetManifest & { readonly kind: 'segmentation'; readonly segmentation: SegmentationInfo };

/** Throws an Error naming the field at fault unless `manifest` is a consistent segmentation manifest. */
export function checkSegmentationManifest(manifest: DatasetManifest, key: string): SegmentationManifest {
  const fail = (reason: string): never => {
    throw new Error(`invalid segmentation manifest '${key}': ${reason}`);
  };
  if (manifest.kind !== 'segmentation') fail(`kind is '${manifest.kind}', not 'segmentation'`);
  const info = (manifest as { segmentation?: Partial<SegmentationInfo> }).segmentation;
  if (typeof info !== 'object' || info === null) return fail('segmentation is missing');
  if (info.format !== 1) fail(`segmentation.format is ${String(info.format)}, expected 1`);
  if (info.dims !== 2 && info.dims !== 3) fail(`segmentation.dims is ${String(info.dims)}, expected 2 or 3`);
  if (!Array.isArray(info.classNames) || info.classNames.length < 2 || info.classNames[0] !== 'background') {
    fail('segmentation.classNames must list at least background and one class');
  }
  if (!SEGMENTATION_SOURCES.includes(info.source as SegmentationSource)) fail(`segmentation.source '${String(info.source)}' is unknown`);
  const shards = info.shards;
  if (!Array.isArray(shards) || shards.length === 0 || shards.length > manifest.shards.length) fail('segmentation.shards does not match shards');
  // Files after the packed shards: DICOM originals (segmentation.originals) and the de-identification report.
  const extras = new Set(manifest.shards.slice(shards?.length ?? 0).map((shard) => shard.fileName));
  const named = new Set([...(info.originals ?? []).flatMap((c) => c.files), ...(info.deidentification ? [DEIDENTIFICATION_REPORT_FILE] : [])]);
  for (const file of extras) if (!named.has(file)) fail(`shards names '${file}', which is neither a packed shard, a DICOM original nor the de-identification report`);
  for (const file of named) if (!extras.has(file)) fail(`segmentation names '${file}', which is not among shards after the packed ones`);
  if (info.deidentification && manifest.shards.find((shard) => shard.fileName === DEIDENTIFICATION_REPORT_FILE)?.key !== info.deidentification.reportKey) {
    fail('segmentation.deidentification.reportKey is not the key of the de-identification report');
  }
  if (!Array.isArray(info.cases)) return fail('segmentation.cases is missing');
  const cases: readonly SegmentationCase[] = info.cases;
  (shards ?? []).forEach((shard, index) => {
    if (shard.index !== index) fail(`segmentation.shards[${index}].index is ${String(shard.index)}`);
    const own = cases.filter((c) => c.shard === index);
    if (own.length !== shard.count || own.some((c) => c.split !== shard.split)) fail(`segmentation.shards[${index}] does not match its cases`);
  });
  for (const split of SEGMENTATION_SPLITS) {
    const count = cases.filter((c) => c.split === split).length;
    if (info.splits?.[split] !== count) fail(`segmentation.splits.${split} is not the count of its cases`);
  }
  cases.forEach((c, index) => {
    if (c.shape.length !== 3 || c.shape.some((side) => !Number.isSafeInteger(side) || side < 1)) fail(`segmentation.cases[${index}].shape is not three positive integers`);
    if (info.dims === 2 && c.shape[0] !== 1) fail(`segmentation.cases[${index}] ('${c.id}') has depth ${c.shape[0]} in a 2D data set`);
    if (!Array.isArray(c.affine) || c.affine.length !== 16) fail(`segmentation.cases[${index}].affine is not 16 numbers`);
  });
  return manifest as SegmentationManifest;
}

/** Reads the manifest at `manifestKey` and checks it is a segmentation one (see {@link checkSegmentationManifest}). */
export async function readSegmentationManifest(store: ObjectStore, manifestKey: string): Promise<SegmentationManifest> {
  return checkSegmentationManifest(await readDatasetManifestAt(store, manifestKey), manifestKey);
}
