import { createRequire } from 'node:module';
import type { DicomJsonDataset, DicomJsonElement } from './deidentify-dataset.ts';
import { dicomSegError } from './dicom-seg-errors.ts';

// The part of dcmjs 0.52.2 the SEG writer reads with; dcmjs ships no type declarations (see deidentify-part10.ts).
interface Dcmjs {
  readonly data: {
    readonly DicomMessage: { readFile(buffer: ArrayBuffer, options?: { untilTag?: string; includeUntilTagValue?: boolean }): { meta: DicomJsonDataset; dict: DicomJsonDataset } };
  };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

/** What a segmentation takes from one source image: its identity, its plane in the patient and its header as read. */
export interface SegSource {
  /** The name errors use. */
  readonly file: string;
  /** The data set without its pixel data, elements as dcmjs reads them (copied verbatim into the SEG where needed). */
  readonly dict: DicomJsonDataset;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly frameOfReferenceUid: string;
  readonly rows: number;
  readonly columns: number;
  /** ImagePositionPatient: LPS mm of the first transmitted pixel's centre. */
  readonly position: readonly [number, number, number];
  /** ImageOrientationPatient: row then column direction cosines. */
  readonly orientation: readonly number[];
  /** PixelSpacing as DICOM orders it: [between rows, between columns]. */
  readonly pixelSpacing: readonly [number, number];
  readonly sliceThickness: number | undefined;
}

function first(element: DicomJsonElement | undefined): unknown {
  return element?.Value?.[0];
}

function text(dict: DicomJsonDataset, tag: string): string {
  const value = first(dict[tag]);
  return typeof value === 'string' ? value.replace(/[\0 ]+$/u, '').trim() : '';
}

function numbers(dict: DicomJsonDataset, tag: string): number[] {
  return (dict[tag]?.Value ?? []).map((value) => (typeof value === 'number' ? value : Number(value)));
}

const tags = {
  sopClassUid: ['00080016', '(0008,0016) SOPClassUID'],
  sopInstanceUid: ['00080018', '(0008,0018) SOPInstanceUID'],
  seriesInstanceUid: ['0020000E', '(0020,000E) SeriesInstanceUID'],
  studyInstanceUid: ['0020000D', '(0020,000D) StudyInstanceUID'],
  frameOfReferenceUid: ['00200052', '(0020,0052) FrameOfReferenceUID'],
} as const;

/**
 * Reads one source image's header (dcmjs, stopping before the pixel data, so any transfer syntax works and nothing is
 * decoded) and checks that it carries what a segmentation frame must reference and place: the UIDs, the frame of
 * reference, position, orientation and spacing. Throws a DicomSegError naming `file` and the tag.
 */
export function readSegSource(bytes: Uint8Array, file: string): SegSource {
  let dict: DicomJsonDataset;
  try {
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    dict = dcmjs.data.DicomMessage.readFile(copy, { untilTag: '7FE00010', includeUntilTagValue: false }).dict;
  } catch (cause) {
    throw dicomSegError({ kind: 'UnreadableSource', file, reason: cause instanceof Error ? cause.message : String(cause) }, cause);
  }
  const uid = (key: keyof typeof tags): string => {
    const [tag, name] = tags[key];
    const value = text(dict, tag);
    if (value === '') throw dicomSegError({ kind: 'MissingSourceAttribute', file, tag: name });
    return value;
  };
  const required = (tag: string, name: string, count: number): number[] => {
    const values = numbers(dict, tag);
    if (values.length < count || values.slice(0, count).some((value) => !Number.isFinite(value))) throw dicomSegError({ kind: 'MissingSourceAttribute', file, tag: name });
    return values;
  };
  const frames = numbers(dict, '00280008')[0] ?? 1;
  if (frames > 1) throw dicomSegError({ kind: 'MultiFrameSource', file, frames });
  const [rows = 0] = required('00280010', '(0028,0010) Rows', 1);
  const [columns = 0] = required('00280011', '(0028,0011) Columns', 1);
  const [x = 0, y = 0, z = 0] = required('00200032', '(0020,0032) ImagePositionPatient', 3);
  const orientation = required('00200037', '(0020,0037) ImageOrientationPatient', 6).slice(0, 6);
  const [rowSpacing = 1, columnSpacing = 1] = required('00280030', '(0028,0030) PixelSpacing', 2);
  const thickness = numbers(dict, '00180050')[0];
  return {
    file,
    dict,
    sopClassUid: uid('sopClassUid'),
    sopInstanceUid: uid('sopInstanceUid'),
    seriesInstanceUid: uid('seriesInstanceUid'),
    studyInstanceUid: uid('studyInstanceUid'),
    frameOfReferenceUid: uid('frameOfReferenceUid'),
    rows,
    columns,
    position: [x, y, z],
    orientation,
    pixelSpacing: [rowSpacing, columnSpacing],
    sliceThickness: thickness !== undefined && Number.isFinite(thickness) && thickness > 0 ? thickness : undefined,
  };
}

/** Checks that `sources` form one stack: one series, study and frame of reference, one size and orientation. */
export function checkSegSources(sources: readonly SegSource[]): void {
  const [head, ...rest] = sources;
  if (head === undefined) return;
  for (const source of rest) {
    const differs = (tag: string, a: string | number, b: string | number): void => {
      if (a !== b) throw dicomSegError({ kind: 'MixedSources', file: source.file, tag, reason: `is ${a} here but ${b} in ${head.file}; one segmentation covers one series` });
    };
    differs('(0020,000E) SeriesInstanceUID', source.seriesInstanceUid, head.seriesInstanceUid);
    differs('(0020,000D) StudyInstanceUID', source.studyInstanceUid, head.studyInstanceUid);
    differs('(0020,0052) FrameOfReferenceUID', source.frameOfReferenceUid, head.frameOfReferenceUid);
    differs('(0028,0010) Rows', source.rows, head.rows);
    differs('(0028,0011) Columns', source.columns, head.columns);
    if (source.orientation.some((value, index) => Math.abs(value - (head.orientation[index] ?? 0)) > 1e-4)) {
      differs('(0020,0037) ImageOrientationPatient', source.orientation.join('\\'), head.orientation.join('\\'));
    }
  }
}
