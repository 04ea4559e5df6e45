import { deidentifyDicomFolder } from '@tessera/medical/dicom/deidentify-folder';
import type { DataSetDeidentificationReport, DeidentifiedFileReport } from '@tessera/medical/dicom/deidentify-folder';
import { isDeidentifyError } from '@tessera/medical/dicom/deidentify-errors';
import { dicomCanonicalPlan } from '@tessera/medical/dicom/dicom-canonical-plan';
import { parseDicomFile } from '@tessera/medical/dicom/dicom-file';
import { groupDicomSeries } from '@tessera/medical/dicom/dicom-series';
import { buildDicomVolume } from '@tessera/medical/dicom/dicom-volume';
import { applyCanonical } from '@tessera/medical/nifti/nifti-orientation';
import type { LoadedCase, ReadSourceFile } from './segmentation-case-readers.ts';
import { flattenAffine, naming, readCanonicalNifti, readCaseFile, unionMasks } from './segmentation-case-readers.ts';
import { segmentationIngestError } from './segmentation-errors.ts';
import type { SegmentationCasePlan } from './segmentation-layout.ts';

/** A de-identified Part 10 file as the data set stores it. */
export interface StoredDicomFile {
  /** The data set's file name: `dicom-<case>-<new SOPInstanceUID>.dcm`. */
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

export interface DicomCase {
  readonly sample: LoadedCase;
  /** In slice order (the volume's depth order before reorientation). */
  readonly files: readonly StoredDicomFile[];
  /** This case's part of the data set's de-identification report, file names as stored. */
  readonly report: DataSetDeidentificationReport;
}

function asUint8(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * De-identifies every file of the case first (the PS3.15 Basic Profile with the data set's `key`, so UIDs map the
 * same way in every case), drops the uploaded bytes, and reads only the de-identified ones: one series, stacked in
 * slice order in modality units (HU for CT), LPS turned to RAS and reoriented to canonical RAS like NIfTI cases; NIfTI
 * masks are checked against that grid and unioned. Errors name the uploaded file (the name stays with the uploader,
 * it is never stored). A file the de-identifier rejects is parsed once more, read-only, only to name the tag at
 * fault (a truncated element, say) where the parser can.
 */
export async function readDicomCase(read: ReadSourceFile, plan: SegmentationCasePlan, key: Uint8Array): Promise<DicomCase> {
  const uploads = [];
  for (const file of plan.images) uploads.push({ name: file, bytes: asUint8(await readCaseFile(read, file)) });
  let folder: ReturnType<typeof deidentifyDicomFolder>;
  try {
    folder = deidentifyDicomFolder(uploads, { key });
  } catch (error) {
    if (!isDeidentifyError(error)) throw error;
    const upload = uploads.find((candidate) => candidate.name === error.file);
    // parseDicomFile names a truncated or malformed element's tag, which the de-identifier's dcmjs parse cannot.
    if (upload !== undefined) await naming(upload.name, () => parseDicomFile(upload.bytes, upload.name));
    return naming(error.file, () => {
      throw error;
    });
  }
  uploads.length = 0;
  // onError 'fail': the output files are the inputs, in input order. They are parsed under the uploaded names, so
  // every later error names the file as the uploader knows it (slice order falls back to those names too).
  const bySource = new Map(folder.files.map((file, index) => [plan.images[index] ?? file.name, file]));
  const stored = (name: string): string => `dicom-${plan.id}-${name}`;
  const parsed = await Promise.all([...bySource].map(([source, file]) => naming(source, () => parseDicomFile(file.bytes, source))));
  const series = groupDicomSeries(parsed);
  const folderPath = `${(plan.images[0] ?? '').split('/').slice(0, -1).join('/')}/`;
  const only = series[0];
  if (series.length !== 1 || only === undefined) throw segmentationIngestError({ kind: 'SeriesCount', file: folderPath, series: series.length });
  const volume = await naming(folderPath, () => buildDicomVolume(only));
  // DICOM patient space is LPS; NIfTI's and the manifest's is RAS. DICOM SEG output inverts this same plan.
  const canonical = dicomCanonicalPlan(volume);
  const data = canonical.identity ? volume.data : applyCanonical(volume.data, volume.dims, canonical);
  const [nx, ny, nz] = canonical.shape;
  const spacing = canonical.from.map(({ axis }) => volume.spacing[axis] ?? 1) as [number, number, number];
  const grid = { file: folderPath, shape: canonical.shape, affine: canonical.affine };
  const mask = plan.masks.length === 0 ? undefined : await unionMasks(plan.masks, grid, readCanonicalNifti(read));
  const files: DeidentifiedFileReport[] = folder.report.files.map((file) => ({ ...file, name: stored(file.name) }));
  return {
    sample: { id: plan.id, shape: [nz, ny, nx], spacing: [spacing[2], spacing[1], spacing[0]], affine: flattenAffine(canonical.affine), image: data, mask, modality: only.modality },
    files: only.files.map((file) => {
      const deidentified = bySource.get(file.file);
      if (deidentified === undefined) throw new RangeError(`no de-identified file for ${file.file}`);
      return { fileName: stored(deidentified.name), bytes: deidentified.bytes };
    }),
    report: { ...folder.report, series: folder.report.series.map((entry) => ({ ...entry, files: entry.files.map(stored) })), files },
  };
}

/** One report for the whole data set from its cases' reports: files and series listed, attribute counts summed. */
export function mergeDeidentificationReports(reports: readonly DataSetDeidentificationReport[]): DataSetDeidentificationReport | undefined {
  const [first] = reports;
  if (first === undefined) return undefined;
  const attributes = new Map<string, DataSetDeidentificationReport['attributes'][number]>();
  const skipped: Record<string, number> = {};
  for (const report of reports) {
    for (const attribute of report.attributes) {
      const key = `${attribute.tag}|${attribute.change}|${attribute.rule}`;
      const seen = attributes.get(key);
      attributes.set(key, { ...attribute, files: (seen?.files ?? 0) + attribute.files });
    }
    for (const [kind, count] of Object.entries(report.skipped)) skipped[kind] = (skipped[kind] ?? 0) + (count ?? 0);
  }
  return {
    ...first,
    fileCount: reports.reduce((sum, report) => sum + report.fileCount, 0),
    skipped,
    series: reports.flatMap((report) => report.series),
    attributes: [...attributes.values()].sort((a, b) => a.tag.localeCompare(b.tag) || a.change.localeCompare(b.change)),
    files: reports.flatMap((report) => report.files),
  };
}
