import type { DicomFile } from './dicom-file.ts';
import { dot, sameOrientation, sliceNormal } from './slice-geometry.ts';

/**
 * How the slices of a series were put in order: along the slice normal by ImagePositionPatient (the only reliable
 * order), by InstanceNumber when some file lacks position or orientation or orientations differ, else by file name.
 */
export type SliceOrder = 'position' | 'instance-number' | 'file-name';

/** The files of one series (SeriesInstanceUID), in slice order. */
export interface DicomSeries {
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid?: string;
  readonly modality?: string;
  readonly files: readonly DicomFile[];
  readonly order: SliceOrder;
  /** Why a weaker order was used, or other oddities worth a log line; empty when all is well. */
  readonly warnings: readonly string[];
}

function byFileName(a: DicomFile, b: DicomFile): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/**
 * Puts the slices of one series in order. With position and orientation on every file (and one orientation), the
 * key is the projection of ImagePositionPatient on the slice normal (row cosine x column cosine), ascending: right
 * for gantry-tilted CT, where z alone would also work, and for oblique or sagittal stacks, where it would not.
 */
export function orderSlices(files: readonly DicomFile[]): { files: DicomFile[]; order: SliceOrder; warnings: string[] } {
  const warnings: string[] = [];
  const first = files[0];
  const orientation = first?.header.imageOrientationPatient;
  const positioned = files.every((file) => file.header.imagePositionPatient !== undefined && file.header.imageOrientationPatient !== undefined);
  if (orientation !== undefined && positioned) {
    const consistent = files.every((file) => sameOrientation(file.header.imageOrientationPatient ?? orientation, orientation));
    if (consistent) {
      const normal = sliceNormal(orientation);
      const keyed = files.map((file) => ({ file, key: dot(file.header.imagePositionPatient ?? [0, 0, 0], normal) }));
      keyed.sort((a, b) => a.key - b.key || byFileName(a.file, b.file));
      return { files: keyed.map((entry) => entry.file), order: 'position', warnings };
    }
    warnings.push('ImageOrientationPatient differs between files; ordered by InstanceNumber');
  } else if (files.length > 1) {
    warnings.push('ImagePositionPatient or ImageOrientationPatient missing on some file; ordered by InstanceNumber');
  }
  if (files.every((file) => file.header.instanceNumber !== undefined)) {
    const sorted = [...files].sort((a, b) => (a.header.instanceNumber ?? 0) - (b.header.instanceNumber ?? 0) || byFileName(a, b));
    return { files: sorted, order: 'instance-number', warnings };
  }
  if (files.length > 1) warnings.push('InstanceNumber missing on some file; ordered by file name');
  return { files: [...files].sort(byFileName), order: 'file-name', warnings };
}

/**
 * Groups parsed files by SeriesInstanceUID and orders each series (orderSlices). Files without a
 * SeriesInstanceUID form a series of their own each, named by the file. Series come out sorted by UID.
 */
export function groupDicomSeries(files: readonly DicomFile[]): DicomSeries[] {
  const groups = new Map<string, DicomFile[]>();
  for (const file of files) {
    const uid = file.header.seriesInstanceUid ?? `(no SeriesInstanceUID) ${file.file}`;
    const group = groups.get(uid);
    if (group === undefined) groups.set(uid, [file]);
    else group.push(file);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([seriesInstanceUid, members]) => {
      const { files: ordered, order, warnings } = orderSlices(members);
      const head = ordered[0]?.header;
      return { seriesInstanceUid, studyInstanceUid: head?.studyInstanceUid, modality: head?.modality, files: ordered, order, warnings };
    });
}
