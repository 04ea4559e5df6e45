import { segmentationDicomSegKey } from '@tessera/core/prediction/segmentation-outputs';
import { dicomCanonicalPlan } from '@tessera/medical/dicom/dicom-canonical-plan';
import { parseDicomFile } from '@tessera/medical/dicom/dicom-file';
import { derivedUid, encodeDicomSeg } from '@tessera/medical/dicom/dicom-seg-encoder';
import { isDicomSegError } from '@tessera/medical/dicom/dicom-seg-errors';
import { groupDicomSeries } from '@tessera/medical/dicom/dicom-series';
import { dicomSeriesGrid } from '@tessera/medical/dicom/dicom-volume';
import { revertCanonical } from '@tessera/medical/nifti/canonical-inverse';
import { readDatasetFile } from '@tessera/storage/datasets/dataset-objects';
import type { SegmentationCase, SegmentationManifest } from '@tessera/storage/datasets/segmentation-manifest';
import type { ObjectStore } from '@tessera/storage/object-store';

export interface CaseDicomSegOptions {
  readonly jobId: string;
  /** Called with the reason when a DICOM case's series cannot carry a SEG (a multi-frame source, say). */
  readonly skipped: (reason: string) => void;
}

/** Largest difference allowed between the manifest's affine and the one the stored files give again, in mm. */
const AFFINE_TOLERANCE = 1e-3;

/**
 * Writes a predicted case's mask as a DICOM Segmentation (`<prefix>/seg/<case>.dcm`) over the case's stored,
 * de-identified source files, when its data set kept them (`segmentation.originals`); returns the key, or null for a
 * case without DICOM originals or one whose series a SEG cannot describe (reported through `skipped`, the NIfTI mask
 * stays the output). The labels, on the stored canonical RAS grid, go back to the files' own slice, row and column
 * order through the inverse of ingest's plan, recomputed from the files' headers and checked against the manifest's
 * shape and affine. UIDs derive from the job and case, so a retried job writes the same SEG. Costs reading the
 * case's files from the store (headers are parsed, pixels are not decoded) and one bit-packing pass.
 */
export async function writeCaseDicomSeg(
  objects: ObjectStore,
  manifest: SegmentationManifest,
  prefix: string,
  stored: Pick<SegmentationCase, 'id' | 'shape' | 'affine'>,
  labels: Uint8Array,
  options: CaseDicomSegOptions,
): Promise<string | null> {
  const names = manifest.segmentation.originals?.find((entry) => entry.id === stored.id)?.files;
  if (names === undefined || names.length === 0) return null;
  const referenced = await Promise.all(names.map(async (name) => new Uint8Array(await readDatasetFile(objects, manifest, name))));
  const parsed = referenced.map((bytes, index) => parseDicomFile(bytes, names[index] ?? ''));
  const [series, ...others] = groupDicomSeries(parsed);
  if (series === undefined || others.length > 0) throw new Error(`case '${stored.id}' of ${manifest.name}: its ${names.length} DICOM originals are not one series`);
  // The manifest lists the files in the volume's depth order; keep it (a name-based fallback order would differ).
  const grid = dicomSeriesGrid({ ...series, files: parsed });
  const plan = dicomCanonicalPlan(grid);
  const shape = [plan.shape[2], plan.shape[1], plan.shape[0]];
  const affine = plan.affine.flatMap((row) => [...row]);
  if (shape.some((size, axis) => size !== stored.shape[axis]) || affine.some((value, index) => Math.abs(value - (stored.affine[index] ?? Number.NaN)) > AFFINE_TOLERANCE)) {
    throw new Error(
      `case '${stored.id}' of ${manifest.name}: its DICOM originals give a ${shape.join('x')} grid with affine [${affine.map((v) => v.toFixed(3)).join(', ')}], ` +
        `the manifest ${stored.shape.join('x')} with [${stored.affine.map((v) => v.toFixed(3)).join(', ')}]; the SEG would misplace the mask`,
    );
  }
  const classNames = manifest.segmentation.classNames;
  let bytes: Uint8Array;
  try {
    bytes = encodeDicomSeg({
      referenced,
      names,
      labels: revertCanonical(labels, plan),
      segments: classNames.slice(1).map((label, index) => ({ number: index + 1, label })),
      seriesDescription: `Tessera segmentation (${options.jobId})`,
      seriesInstanceUid: derivedUid(`${options.jobId}/${stored.id}/series`),
      sopInstanceUid: derivedUid(`${options.jobId}/${stored.id}/instance`),
    }).bytes;
  } catch (error) {
    if (!isDicomSegError(error)) throw error;
    options.skipped(error.message);
    return null;
  }
  const key = segmentationDicomSegKey(prefix, stored.id);
  await objects.put(key, bytes);
  return key;
}
