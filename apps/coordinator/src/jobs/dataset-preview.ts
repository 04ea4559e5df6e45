import type { ObjectStore } from '@tessera/storage/object-store';
import { readDatasetFile, readDatasetManifestAt } from '@tessera/storage/datasets/dataset-objects';
import { readImageFolderManifest } from '@tessera/storage/datasets/image-folder-manifest';
import type { ImageThumbnail } from '@tessera/storage/datasets/image-thumbnails';
import { imageThumbnailsFromShards } from '@tessera/storage/datasets/image-thumbnails';
import { readSegmentationManifest } from '@tessera/storage/datasets/segmentation-manifest';
import { segmentationThumbnails } from '@tessera/storage/datasets/segmentation-thumbnails';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { JobStore } from '../store/job-store.ts';

export const DEFAULT_PREVIEW_ROWS = 20;
export const MAX_PREVIEW_ROWS = 200;
/** Thumbnails per class in an image-folder preview. */
export const PREVIEW_THUMBNAILS_PER_CLASS = 4;
/** Cases shown (middle slice, mask outlined) in a segmentation preview. */
export const PREVIEW_SEGMENTATION_CASES = 4;

export interface DatasetPreview {
  name: string;
  sha256: string;
  kind: string;
  columns: string[];
  rows: string[][];
  totalRows: number;
  /** image-folder only (empty otherwise). */
  thumbnails: ImageThumbnail[];
  classNames: string[];
  trainCount: number;
  validCount: number;
  imageHeight: number;
  imageWidth: number;
  /** segmentation only (0 or empty otherwise): unlabeled cases, 2 or 3, DICOM Modality or OT, HU or grey. */
  testCount: number;
  dims: number;
  modality: string;
  units: string;
}

const NO_IMAGES = { thumbnails: [], classNames: [], trainCount: 0, validCount: 0, imageHeight: 0, imageWidth: 0 };
const NO_SEGMENTATION = { testCount: 0, dims: 0, modality: '', units: '' };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The first rows of a tabular-csv data set, as text. A first line whose feature fields are not all numbers is taken
 * as a header and names the columns; otherwise (UCI style, as Sonar) columns are `column_1..column_<n-1>` and
 * `label`, the names the trainer uses. Reads the file once (verified against its manifest); counting rows scans the
 * bytes without decoding them. An image-folder data set shows its classes, counts and a few PNG thumbnails per class
 * instead, decoded from its first shard(s) (about one shard read: 3 MiB at 64x64, 37 MiB at 224x224).
 */
export async function previewDataset(
  store: JobStore,
  objects: ObjectStore,
  request: { name: string; sha256: string; rows: number },
): Promise<DatasetPreview> {
  const rows = request.rows === 0 ? DEFAULT_PREVIEW_ROWS : request.rows;
  if (!Number.isInteger(rows) || rows < 0 || rows > MAX_PREVIEW_ROWS) {
    throw new CoordinatorError({ kind: 'InvalidArgument', field: 'rows', message: `must be between 1 and ${MAX_PREVIEW_ROWS} (0 means ${DEFAULT_PREVIEW_ROWS}), got ${request.rows}` });
  }
  if (request.sha256 && !/^[0-9a-f]{64}$/.test(request.sha256)) {
    throw new CoordinatorError({ kind: 'InvalidArgument', field: 'sha256', message: 'expected 64 lowercase hex digits or empty for the latest version' });
  }
  const record = await store.getDataset(request.name, request.sha256 || undefined);
  if (!record) throw new CoordinatorError({ kind: 'DatasetNotFound', name: request.name, ...(request.sha256 ? { sha256: request.sha256 } : {}) });
  const damaged = (cause: unknown): unknown => {
    const name = (cause as { name?: string }).name;
    const kind = name === 'DatasetError' || name === 'ImageShardFormatError' || name === 'SegmentationShardFormatError' ? (cause as { kind: string }).kind : undefined;
    if (kind === 'CorruptShard' || kind === 'InvalidManifest' || kind === 'DatasetNotFound' || kind === 'InvalidImageShard' || kind === 'InvalidSegmentationShard') {
      return new CoordinatorError({ kind: 'CorruptData', what: `data set ${record.name}@${record.sha256}`, message: (cause as Error).message }, { cause });
    }
    return cause;
  };
  if (record.kind === 'image-folder') {
    try {
      const manifest = await readImageFolderManifest(objects, record.manifestKey);
      const { images } = manifest;
      return {
        name: record.name,
        sha256: record.sha256,
        kind: record.kind,
        columns: [],
        rows: [],
        totalRows: 0,
        thumbnails: await imageThumbnailsFromShards(objects, manifest, PREVIEW_THUMBNAILS_PER_CLASS),
        classNames: [...images.classNames],
        trainCount: images.splits.train.count,
        validCount: images.splits.valid.count,
        imageHeight: images.height,
        imageWidth: images.width,
        ...NO_SEGMENTATION,
      };
    } catch (cause) {
      throw damaged(cause);
    }
  }
  if (record.kind === 'segmentation') {
    try {
      const manifest = await readSegmentationManifest(objects, record.manifestKey);
      const info = manifest.segmentation;
      return {
        name: record.name,
        sha256: record.sha256,
        kind: record.kind,
        columns: [],
        rows: [],
        totalRows: 0,
        thumbnails: await segmentationThumbnails(objects, manifest, PREVIEW_SEGMENTATION_CASES),
        classNames: [...info.classNames],
        trainCount: info.splits.train,
        validCount: info.splits.valid,
        imageHeight: info.size?.height ?? 0,
        imageWidth: info.size?.width ?? 0,
        testCount: info.splits.test,
        dims: info.dims,
        modality: info.modality,
        units: info.units,
      };
    } catch (cause) {
      throw damaged(cause);
    }
  }
  if (record.kind !== 'tabular-csv') {
    throw new CoordinatorError({ kind: 'InvalidArgument', field: 'name', message: `data set ${record.name} is ${record.kind}; only tabular-csv, image-folder and segmentation data sets have a preview` });
  }
  let bytes: Buffer;
  try {
    const manifest = await readDatasetManifestAt(objects, record.manifestKey);
    const shard = manifest.shards[0];
    bytes = shard ? await readDatasetFile(objects, manifest, shard.fileName) : Buffer.alloc(0);
  } catch (cause) {
    throw damaged(cause);
  }
  const { lines, total } = firstLines(bytes, rows + 1);
  const first = lines[0] ? splitCsvLine(lines[0]) : [];
  const hasHeader = first.slice(0, -1).some((cell) => !NUMBER.test(cell.trim()));
  const columns = hasHeader
    ? first.map((cell, i) => cell.trim() || `column_${i + 1}`)
    : first.map((_, i) => (i === first.length - 1 ? 'label' : `column_${i + 1}`));
  const body = hasHeader ? lines.slice(1) : lines.slice(0, rows);
  return {
    name: record.name,
    sha256: record.sha256,
    kind: record.kind,
    columns,
    rows: body.slice(0, rows).map(splitCsvLine),
    totalRows: hasHeader ? Math.max(0, total - 1) : total,
    ...NO_IMAGES,
    ...NO_SEGMENTATION,
  };
}

/** The first `count` non-blank lines as text, and how many non-blank lines the whole buffer has. */
function firstLines(bytes: Buffer, count: number): { lines: string[]; total: number } {
  const lines: string[] = [];
  let total = 0;
  let start = 0;
  let blank = true;
  for (let i = 0; i <= bytes.length; i += 1) {
    const byte = i < bytes.length ? bytes[i] : 0x0a;
    if (byte === 0x0a) {
      if (!blank) {
        total += 1;
        if (lines.length < count) lines.push(bytes.toString('utf8', start, i).replace(/\r$/, ''));
      }
      start = i + 1;
      blank = true;
    } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
      blank = false;
    }
  }
  return { lines, total };
}

/** Splits one CSV line; fields may be quoted with `"` (a doubled `""` inside is one quote). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell);
  return cells;
}
