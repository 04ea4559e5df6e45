import { deidentificationMethod } from './deidentify-dataset.ts';
import type { AttributeChange, AttributeChangeKind } from './deidentify-dataset.ts';
import { isDeidentifyError } from './deidentify-errors.ts';
import type { DeidentifyError, DeidentifyErrorDetail } from './deidentify-errors.ts';
import { deidentifyPart10 } from './deidentify-part10.ts';
import { createDeidentifyKey, createKeyedMaps } from './deidentify-uids.ts';

/** One uploaded file: its name as uploaded (never stored) and its bytes. */
export interface DicomUpload {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface DeidentifyFolderOptions {
  /**
   * The data set's secret key (at least 16 bytes). Pass the same key, kept outside the store, to add files to a data
   * set later with the same UID mapping. Default: a fresh random key that is dropped when the call returns, so the
   * mapping cannot be recomputed by anyone.
   */
  readonly key?: Uint8Array;
  /** 'fail' (default): the first file that cannot be de-identified throws its DeidentifyError. 'skip': it is left out. */
  readonly onError?: 'fail' | 'skip';
}

/** What was done to one file; names, UIDs and tags only, never an original value. */
export interface DeidentifiedFileReport {
  /** The stored name: `<new SOPInstanceUID>.dcm`, `-2`, `-3`... added when instances repeat. */
  readonly name: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly modality: string;
  readonly transferSyntaxUid: string;
  readonly pixelData: { readonly byteLength: number; readonly sha256: string } | null;
  readonly changes: readonly AttributeChange[];
}

/** The report kept beside a de-identified data set (`deidentificationReportName`), as JSON. */
export interface DataSetDeidentificationReport {
  readonly format: 'tessera.dicom-deidentification.v1';
  readonly profile: string;
  readonly method: string;
  readonly uidMapping: string;
  readonly fileCount: number;
  /** Uploads left out with `onError: 'skip'`, by kind; their names are not kept, since names can identify. */
  readonly skipped: Readonly<Partial<Record<DeidentifyErrorDetail['kind'], number>>>;
  readonly series: readonly {
    readonly studyInstanceUid: string;
    readonly seriesInstanceUid: string;
    readonly modality: string;
    readonly files: readonly string[];
  }[];
  /** Every attribute changed in any file, with the number of files it was changed in. */
  readonly attributes: readonly {
    readonly tag: string;
    readonly keyword: string;
    readonly change: AttributeChangeKind;
    readonly rule: AttributeChange['rule'];
    readonly files: number;
  }[];
  readonly files: readonly DeidentifiedFileReport[];
}

export interface DeidentifiedDicomFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly report: DeidentifiedFileReport;
}

export interface DeidentifiedFolder {
  readonly files: readonly DeidentifiedDicomFile[];
  readonly report: DataSetDeidentificationReport;
  /** For the uploader's eyes only (they name the uploaded files): never store these. */
  readonly skipped: readonly { readonly sourceName: string; readonly error: DeidentifyError }[];
}

/** The file name the data-set report is stored under, beside the de-identified files. */
export const deidentificationReportName = 'deidentification-report.json';

function uniqueName(base: string, taken: Set<string>): string {
  let name = `${base}.dcm`;
  for (let n = 2; taken.has(name); n += 1) name = `${base}-${n}.dcm`;
  taken.add(name);
  return name;
}

function summarize(files: readonly DeidentifiedFileReport[]): DataSetDeidentificationReport['attributes'] {
  const counts = new Map<string, { tag: string; keyword: string; change: AttributeChangeKind; rule: AttributeChange['rule']; files: Set<string> }>();
  for (const file of files) {
    for (const change of file.changes) {
      const key = `${change.tag}|${change.change}|${change.rule}`;
      const entry = counts.get(key) ?? { tag: change.tag, keyword: change.keyword, change: change.change, rule: change.rule, files: new Set() };
      entry.files.add(file.name);
      counts.set(key, entry);
    }
  }
  return [...counts.values()]
    .sort((a, b) => a.tag.localeCompare(b.tag) || a.change.localeCompare(b.change))
    .map(({ files: names, ...rest }) => ({ ...rest, files: names.size }));
}

function groupSeries(files: readonly DeidentifiedFileReport[]): DataSetDeidentificationReport['series'] {
  const series = new Map<string, { studyInstanceUid: string; seriesInstanceUid: string; modality: string; files: string[] }>();
  for (const file of files) {
    const key = `${file.studyInstanceUid}|${file.seriesInstanceUid}`;
    const entry = series.get(key) ?? { studyInstanceUid: file.studyInstanceUid, seriesInstanceUid: file.seriesInstanceUid, modality: file.modality, files: [] };
    entry.files.push(file.name);
    series.set(key, entry);
  }
  return [...series.values()];
}

/**
 * De-identifies an uploaded folder of DICOM files as one data set, before anything is stored: every file by the
 * PS3.15 Basic Profile with one UID mapping (so files of a series still share one new SeriesInstanceUID and
 * references still resolve), renamed by its new SOPInstanceUID, plus the data-set report to store beside them.
 * Synchronous and in memory (4-25 ms per 512x512 slice measured here); larger uploads go through in batches with one
 * key.
 */
export function deidentifyDicomFolder(uploads: readonly DicomUpload[], options: DeidentifyFolderOptions = {}): DeidentifiedFolder {
  const maps = createKeyedMaps(options.key ?? createDeidentifyKey());
  const taken = new Set<string>();
  const files: DeidentifiedDicomFile[] = [];
  const skipped: { sourceName: string; error: DeidentifyError }[] = [];
  for (const upload of uploads) {
    let result: ReturnType<typeof deidentifyPart10>;
    try {
      result = deidentifyPart10(upload.name, upload.bytes, maps);
    } catch (error) {
      if (options.onError === 'skip' && isDeidentifyError(error)) {
        skipped.push({ sourceName: upload.name, error });
        continue;
      }
      throw error;
    }
    const name = uniqueName(result.sopInstanceUid || `instance-${files.length + 1}`, taken);
    const report: DeidentifiedFileReport = {
      name,
      sopClassUid: result.sopClassUid,
      sopInstanceUid: result.sopInstanceUid,
      seriesInstanceUid: result.seriesInstanceUid,
      studyInstanceUid: result.studyInstanceUid,
      modality: result.modality,
      transferSyntaxUid: result.transferSyntaxUid,
      pixelData: result.pixelData ?? null,
      changes: result.changes,
    };
    files.push({ name, bytes: result.bytes, report });
  }
  const skippedKinds: Partial<Record<DeidentifyErrorDetail['kind'], number>> = {};
  for (const { error } of skipped) skippedKinds[error.kind] = (skippedKinds[error.kind] ?? 0) + 1;
  const reports = files.map((file) => file.report);
  return {
    files,
    skipped,
    report: {
      format: 'tessera.dicom-deidentification.v1',
      profile: 'DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile (Table E.1-1, 2024b), no options',
      method: deidentificationMethod,
      uidMapping: '2.25.<UUIDv8 from the first 128 bits of HMAC-SHA-256(original UID)> under a per-data-set key that is not stored',
      fileCount: files.length,
      skipped: skippedKinds,
      series: groupSeries(reports),
      attributes: summarize(reports),
      files: reports,
    },
  };
}
