import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ObjectStore } from '@tessera/storage/object-store';
import { datasetManifestKey, readDatasetManifest, uploadDataset, validateDatasetName } from '@tessera/storage/datasets/dataset-objects';
import { isImageFolderError } from '@tessera/storage/datasets/image-folder-errors';
import { ingestImageFolder } from '@tessera/storage/datasets/image-folder-ingest';
import { isSegmentationIngestError } from '@tessera/storage/datasets/segmentation-errors';
import { ingestSegmentationDataset } from '@tessera/storage/datasets/segmentation-ingest';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { DatasetRecord, JobStore } from '../store/job-store.ts';

const KINDS = new Set(['tabular-csv', 'image-folder', 'segmentation']);

/** Stored image size when an upload names none: VGG16's input. */
export const DEFAULT_IMAGE_SIDE = 224;
/** Stored slice size of a 2D segmentation upload that names none (U-Nets want sides divisible by 2^depth). */
export const DEFAULT_SEGMENTATION_SIDE = 256;

export interface UploadHeader {
  name: string;
  kind: string;
  fileName: string;
  sha256: string;
  /** image-folder and 2D segmentation only; 0 for both means {@link DEFAULT_IMAGE_SIDE} ({@link DEFAULT_SEGMENTATION_SIDE}). */
  imageHeight?: number;
  imageWidth?: number;
  /** segmentation only: the name of mask label 1; empty means `foreground`. */
  className?: string;
  /** segmentation only: the modality of PNG, TIFF or NIfTI images (`CT`: NIfTI in HU); empty means `OT`. */
  modality?: string;
}

const CLASS_NAME = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$/;
const MODALITY = /^[A-Z]{2,4}$/;

/** Registers data sets: bytes uploaded through the API, or objects already placed in the store by other means. */
export class DatasetService {
  constructor(
    private readonly store: JobStore,
    private readonly objects: ObjectStore,
  ) {}

  /**
   * Stores and registers uploaded bytes: a CSV as one shard, or (image-folder) a zip of class folders, decoded,
   * resized and packed into image shards by ingestImageFolder. A bad zip registers nothing; its message names the
   * file at fault.
   */
  async upload(header: UploadHeader, bytes: Buffer): Promise<DatasetRecord> {
    this.checkName(header.name);
    const kind = header.kind || 'tabular-csv';
    if (!KINDS.has(kind)) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.kind', message: `unknown kind "${kind}" (known: ${[...KINDS].join(', ')})` });
    if (!header.fileName) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.file_name', message: 'required' });
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (header.sha256 && header.sha256 !== actual) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.sha256', message: `the bytes hash to ${actual}, not ${header.sha256}` });
    }
    if (kind === 'image-folder') return this.uploadImageFolder(header, bytes);
    if (kind === 'segmentation') return this.uploadSegmentation(header, bytes);
    const { manifest } = await uploadDataset(this.objects, {
      name: header.name,
      kind: kind as 'tabular-csv',
      files: [{ name: header.fileName, bytes }],
      summary: summarize(kind, bytes),
    });
    return this.register(header.name, manifest.sha256);
  }

  private async uploadImageFolder(header: UploadHeader, bytes: Buffer): Promise<DatasetRecord> {
    if (!header.fileName.toLowerCase().endsWith('.zip')) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.file_name', message: `an image-folder upload is a .zip of class folders, not ${header.fileName}` });
    }
    const size = imageSize(header.imageHeight ?? 0, header.imageWidth ?? 0);
    // ingestImageFolder reads zips from disk (yauzl needs random access); the temp folder goes whatever happens.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-upload-'));
    try {
      const source = path.join(dir, 'upload.zip');
      await writeFile(source, bytes);
      const { manifest } = await ingestImageFolder(this.objects, { name: header.name, source, ...size });
      return await this.register(header.name, manifest.sha256);
    } catch (cause) {
      if (isImageFolderError(cause)) {
        throw new CoordinatorError({ kind: 'InvalidArgument', field: header.fileName, message: cause.message }, { cause });
      }
      throw cause;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * A zip of image/mask pairs (PNG/TIFF slices, NIfTI volumes or DICOM series; see planSegmentationLayout), packed by
   * ingestSegmentationDataset: DICOM is de-identified there before anything is stored, with a random key per upload
   * that is never kept. A bad file registers nothing and the message names it.
   */
  private async uploadSegmentation(header: UploadHeader, bytes: Buffer): Promise<DatasetRecord> {
    if (!header.fileName.toLowerCase().endsWith('.zip')) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.file_name', message: `a segmentation upload is a .zip of images/ and masks/, not ${header.fileName}` });
    }
    const size = imageSize(header.imageHeight ?? 0, header.imageWidth ?? 0, DEFAULT_SEGMENTATION_SIDE);
    const className = header.className ?? '';
    if (className !== '' && (!CLASS_NAME.test(className) || className === 'background')) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.class_name', message: `"${className}" is not a class name (1-64 letters, digits, spaces, _ or -, not "background")` });
    }
    const modality = header.modality ?? '';
    if (modality !== '' && !MODALITY.test(modality)) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header.modality', message: `"${modality}" is not a DICOM modality code (CT, MR, CR, ...)` });
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-upload-'));
    try {
      const source = path.join(dir, 'upload.zip');
      await writeFile(source, bytes);
      const { manifest } = await ingestSegmentationDataset(this.objects, {
        name: header.name,
        source,
        size,
        ...(className === '' ? {} : { className }),
        ...(modality === '' ? {} : { modality }),
      });
      return await this.register(header.name, manifest.sha256);
    } catch (cause) {
      if (isSegmentationIngestError(cause)) {
        throw new CoordinatorError({ kind: 'InvalidArgument', field: header.fileName, message: cause.message }, { cause });
      }
      throw cause;
    } finally {
      // The zip may hold identified DICOM: it lives only in this folder, removed whatever happens.
      await rm(dir, { recursive: true, force: true });
    }
  }

  async register(name: string, sha256: string): Promise<DatasetRecord> {
    this.checkName(name);
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'sha256', message: 'expected 64 lowercase hex digits' });
    const existing = await this.store.getDataset(name, sha256);
    if (existing) return existing;
    let manifest;
    try {
      manifest = await readDatasetManifest(this.objects, name, sha256);
    } catch (cause) {
      if ((cause as { kind?: string }).kind === 'DatasetNotFound') {
        throw new CoordinatorError({ kind: 'DatasetObjectsMissing', name, sha256, manifestKey: datasetManifestKey(name, sha256) }, { cause });
      }
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'manifest', message: (cause as Error).message }, { cause });
    }
    return this.store.upsertDataset({
      name,
      sha256,
      kind: manifest.kind,
      sizeBytes: manifest.sizeBytes,
      manifestKey: datasetManifestKey(name, sha256),
      summary: manifest.summary,
      createdAt: new Date(),
    });
  }

  private checkName(name: string): void {
    try {
      validateDatasetName(name);
    } catch (cause) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field: 'name', message: (cause as Error).message }, { cause });
    }
  }
}

function imageSize(height: number, width: number, side = DEFAULT_IMAGE_SIDE): { height: number; width: number } {
  if (height === 0 && width === 0) return { height: side, width: side };
  for (const [field, value] of [['header.image_height', height], ['header.image_width', width]] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > 4096) {
      throw new CoordinatorError({ kind: 'InvalidArgument', field, message: `${value} is not an integer in 1..4096 (0 for both means ${side}x${side})` });
    }
  }
  return { height, width };
}

function summarize(kind: string, bytes: Buffer): string {
  if (kind !== 'tabular-csv') return `${bytes.length} bytes`;
  const lines = bytes.toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const columns = lines[0]?.split(',').length ?? 0;
  return `${lines.length} rows x ${columns} columns`;
}
