import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { dicomError, isDicomError } from './dicom-errors.ts';
import type { DicomError } from './dicom-errors.ts';
import { readDicomFile } from './dicom-file.ts';
import type { DicomFile } from './dicom-file.ts';
import { groupDicomSeries } from './dicom-series.ts';
import type { DicomSeries } from './dicom-series.ts';
import { buildDicomVolume } from './dicom-volume.ts';
import type { DicomVolume } from './dicom-volume.ts';

/** What a folder held: its series, and every file or series that could not be read, with the reason. */
export interface DicomFolderScan {
  readonly series: readonly DicomSeries[];
  readonly failures: readonly DicomError[];
}

export interface DicomFolderVolumes {
  readonly volumes: readonly DicomVolume[];
  readonly failures: readonly DicomError[];
}

// Files that sit beside DICOM in exported folders and are never DICOM themselves.
const NOT_DICOM = /^(\.|DICOMDIR$)|\.(md|txt|json|csv|xml|html?|pdf|png|jpe?g|zip|gz)$|^SHA256SUMS$/i;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && !NOT_DICOM.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function asDicomError(file: string, cause: unknown): DicomError {
  if (isDicomError(cause)) return cause;
  return dicomError({ kind: 'UnreadableFile', file, reason: cause instanceof Error ? cause.message : String(cause) }, cause);
}

/**
 * Parses every file under `dir` (recursively; README, checksum, image and archive files and DICOMDIR are skipped by
 * name) and groups the images into series. A file that fails is reported in `failures` and the others load. Holds
 * every parsed file's bytes in memory until the series are dropped; decoding happens later, per series.
 */
export async function scanDicomFolder(dir: string): Promise<DicomFolderScan> {
  const parsed: DicomFile[] = [];
  const failures: DicomError[] = [];
  for (const file of await listFiles(dir)) {
    try {
      parsed.push(await readDicomFile(file));
    } catch (cause) {
      failures.push(asDicomError(file, cause));
    }
  }
  return { series: groupDicomSeries(parsed), failures };
}

/**
 * scanDicomFolder, then buildDicomVolume for each series. A series that cannot be stacked (mixed sizes, a frame
 * that does not decode) is reported in `failures`; the other series still come back as volumes.
 */
export async function loadDicomFolderVolumes(dir: string): Promise<DicomFolderVolumes> {
  const scan = await scanDicomFolder(dir);
  const volumes: DicomVolume[] = [];
  const failures = [...scan.failures];
  for (const series of scan.series) {
    try {
      volumes.push(await buildDicomVolume(series));
    } catch (cause) {
      failures.push(asDicomError(series.files[0]?.file ?? series.seriesInstanceUid, cause));
    }
  }
  return { volumes, failures };
}
