import { createRequire } from 'node:module';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { groupDicomSeries } from './dicom-series.ts';
import { parseDicomFile } from './dicom-file.ts';
import { derivedUid, encodeDicomSeg, SEGMENTATION_STORAGE } from './dicom-seg-encoder.ts';
import type { DicomSegOptions } from './dicom-seg-encoder.ts';
import { isDicomSegError } from './dicom-seg-errors.ts';
import { buildTestDicom, imageElements, mirrorBytes } from './dicom-test-files.ts';
import type { TestElement } from './dicom-test-files.ts';
import { buildDicomVolume } from './dicom-volume.ts';

// Natural-name reading through dcmjs (the writer's library, but its reader and dictionary); bits are unpacked here.
type Natural = Record<string, unknown>;
const dcmjs = createRequire(import.meta.url)('dcmjs') as {
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer): { meta: unknown; dict: unknown } };
    DicomMetaDictionary: { naturalizeDataset(dataset: unknown): Natural };
  };
};

function readSeg(bytes: Uint8Array): { meta: Natural; seg: Natural; pixels: Uint8Array } {
  const file = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer);
  const seg = dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.dict);
  const pixels = new Uint8Array((seg.PixelData as ArrayBuffer[])[0] ?? new ArrayBuffer(0));
  return { meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.meta), seg, pixels };
}

/** Frame `frame` of BitsAllocated-1 pixel data (first pixel in the lowest bit, frames back to back) as 0/1 bytes. */
function unpackFrame(pixels: Uint8Array, frame: number, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, index) => {
    const bit = frame * size + index;
    return ((pixels[bit >> 3] ?? 0) >> (bit & 7)) & 1;
  });
}

const items = (value: unknown): Natural[] => value as Natural[];
const only = (value: unknown): Natural => items(value)[0] ?? {};

interface FrameView {
  readonly segment: number;
  readonly source: string;
  readonly position: number[];
  readonly dimension: number[];
}

function frames(seg: Natural): FrameView[] {
  return items(seg.PerFrameFunctionalGroupsSequence).map((frame) => ({
    segment: only(frame.SegmentIdentificationSequence).ReferencedSegmentNumber as number,
    source: only(only(frame.DerivationImageSequence).SourceImageSequence).ReferencedSOPInstanceUID as string,
    position: only(frame.PlanePositionSequence).ImagePositionPatient as number[],
    dimension: only(frame.FrameContentSequence).DimensionIndexValues as number[],
  }));
}

const ROWS = 3;
const COLUMNS = 5;
const SERIES = '1.2.826.0.1.3680043.10.1.2';

/** A synthetic axial slice k, 3 rows by 5 columns, 2 mm apart, with the identity a segmentation copies. */
function slice(k: number, overrides: readonly TestElement[] = []): Uint8Array {
  const elements: TestElement[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
    { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1.3.${k}` },
    { tag: 0x00100010, vr: 'PN', value: 'ANONYMOUS' },
    { tag: 0x00100020, vr: 'LO', value: 'case-7' },
    { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.10.1.1' },
    { tag: 0x00200052, vr: 'UI', value: '1.2.826.0.1.3680043.10.1.4' },
    ...imageElements({ rows: ROWS, columns: COLUMNS, series: SERIES, instance: k + 1, position: `-10\\-20\\${2 * k}`, orientation: '1\\0\\0\\0\\1\\0' }),
    { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(ROWS * COLUMNS * 2) },
  ];
  const byTag = new Map(elements.map((element) => [element.tag, element]));
  for (const element of overrides) byTag.set(element.tag, element);
  return buildTestDicom({ transferSyntaxUid: '1.2.840.10008.1.2.1', elements: [...byTag.values()].sort((a, b) => a.tag - b.tag) });
}

function segError(options: DicomSegOptions): unknown {
  try {
    encodeDicomSeg(options);
  } catch (error) {
    return error;
  }
  throw new Error('no error');
}

describe('encodeDicomSeg', () => {
  const referenced = [0, 1, 2, 3].map((k) => slice(k));
  const size = ROWS * COLUMNS;
  // Segment 1 on slices 0 and 1 (an L shape), segment 2 only on slice 3, slice 2 empty.
  const labels = new Uint8Array(4 * size);
  for (const index of [0, 1, 2, 5, 10]) labels[index] = 1;
  for (const index of [4, 9, 14]) labels[size + index] = 1;
  for (const index of [6, 7, 8]) labels[3 * size + index] = 2;
  labels[3 * size + 0] = 1;

  it('writes a binary SEG with one frame per segment per slice holding it, each referencing its source image', () => {
    const createdAt = new Date('2024-03-05T06:07:08Z');
    const written = encodeDicomSeg({
      referenced,
      labels,
      segments: [
        { number: 1, label: 'lung', type: { value: '39607008', scheme: 'SCT', meaning: 'Lung' } },
        { number: 2, label: 'nodule' },
      ],
      seriesDescription: 'lungs by job-1',
      sopInstanceUid: derivedUid('job-1/case/sop'),
      createdAt,
    });
    expect(written.frames).toBe(4);
    expect(written.sopInstanceUid).toBe(derivedUid('job-1/case/sop'));
    expect(written.sopInstanceUid).toMatch(/^2\.25\.\d{30,40}$/);

    // dicom-parser, a reader independent of the writer, takes the file.
    const parsed = dicomParser.parseDicom(written.bytes);
    expect(parsed.string('x00020002')).toBe(SEGMENTATION_STORAGE);
    expect(parsed.string('x00080016')).toBe(SEGMENTATION_STORAGE);
    expect(parsed.string('x00020010')).toBe('1.2.840.10008.1.2.1');
    expect(parsed.elements.x7fe00010?.length).toBe(Math.ceil((4 * size) / 8 / 2) * 2);

    const { meta, seg, pixels } = readSeg(written.bytes);
    expect(meta.MediaStorageSOPInstanceUID).toBe(written.sopInstanceUid);
    expect(seg).toMatchObject({
      SOPClassUID: SEGMENTATION_STORAGE,
      SOPInstanceUID: written.sopInstanceUid,
      SeriesInstanceUID: written.seriesInstanceUid,
      Modality: 'SEG',
      SegmentationType: 'BINARY',
      NumberOfFrames: 4,
      Rows: ROWS,
      Columns: COLUMNS,
      BitsAllocated: 1,
      StudyInstanceUID: '1.2.826.0.1.3680043.10.1.1',
      FrameOfReferenceUID: '1.2.826.0.1.3680043.10.1.4',
      PatientID: 'case-7',
      SeriesDescription: 'lungs by job-1',
      SeriesDate: '20240305',
      ContentTime: '060708',
    });
    expect(seg.SeriesInstanceUID).not.toBe(SERIES);
    expect(seg.PatientName).toEqual([{ Alphabetic: 'ANONYMOUS' }]);
    const segments = items(seg.SegmentSequence);
    expect(segments.map((s) => [s.SegmentNumber, s.SegmentLabel, s.SegmentAlgorithmType])).toEqual([
      [1, 'lung', 'AUTOMATIC'],
      [2, 'nodule', 'AUTOMATIC'],
    ]);
    expect(only(segments[0]?.SegmentedPropertyTypeCodeSequence).CodeMeaning).toBe('Lung');
    const series = only(seg.ReferencedSeriesSequence);
    expect(series.SeriesInstanceUID).toBe(SERIES);
    expect(items(series.ReferencedInstanceSequence).map((r) => r.ReferencedSOPInstanceUID)).toEqual([0, 1, 2, 3].map((k) => `1.2.826.0.1.3680043.10.1.3.${k}`));
    expect(only(only(seg.SharedFunctionalGroupsSequence).PixelMeasuresSequence)).toMatchObject({ PixelSpacing: [0.5, 0.5], SpacingBetweenSlices: 2 });

    const slices = [0, 1, 3, 3];
    expect(frames(seg)).toEqual(
      [1, 1, 1, 2].map((segment, frame) => ({
        segment,
        source: `1.2.826.0.1.3680043.10.1.3.${slices[frame] ?? -1}`,
        position: [-10, -20, 2 * (slices[frame] ?? -1)],
        dimension: [segment, (slices[frame] ?? -1) + 1],
      })),
    );
    slices.forEach((k, frame) => {
      const segment = frame === 3 ? 2 : 1;
      const expected = Uint8Array.from(labels.subarray(k * size, (k + 1) * size), (value) => (value === segment ? 1 : 0));
      expect([...unpackFrame(pixels, frame, size)], `frame ${frame}`).toEqual([...expected]);
    });
  });

  it('gives a segment no slice holds one empty frame, so the file stays valid', () => {
    const written = encodeDicomSeg({ referenced, labels: new Uint8Array(4 * size), segments: [{ number: 1, label: 'lung' }] });
    const { seg, pixels } = readSeg(written.bytes);
    expect(seg.NumberOfFrames).toBe(1);
    expect(frames(seg).map((frame) => frame.source)).toEqual(['1.2.826.0.1.3680043.10.1.3.0']);
    expect(pixels.every((byte) => byte === 0)).toBe(true);
  });

  it('names the option, file and tag at fault', () => {
    const base = { referenced, labels, segments: [{ number: 1, label: 'lung' }, { number: 2, label: 'nodule' }] };
    const cases: [DicomSegOptions, string, RegExp][] = [
      [{ ...base, labels: labels.subarray(1) }, 'LabelsShape', /^labels: 59 label values for 60 source pixels/],
      [{ ...base, segments: [{ number: 1, label: 'lung' }] }, 'InvalidSegments', /^labels: value 2 at slice 3, pixel 6 names no segment \(1\.\.1\)/],
      [{ ...base, segments: [{ number: 2, label: 'lung' }] }, 'InvalidSegments', /^segments\[0\]\.number: is 2/],
      [{ ...base, referenced: [] }, 'NoSources', /^referenced: /],
      [{ ...base, referenced: [...referenced.slice(0, 3), slice(3, [{ tag: 0x00200052, vr: 'UI', value: '' }])], names: ['a', 'b', 'c', 'd.dcm'] }, 'MissingSourceAttribute', /^d\.dcm: \(0020,0052\) FrameOfReferenceUID is missing/],
      [{ ...base, referenced: [...referenced.slice(0, 3), slice(3, [{ tag: 0x0020000e, vr: 'UI', value: '1.2.3' }])] }, 'MixedSources', /^referenced\[3\]: \(0020,000E\) SeriesInstanceUID is 1\.2\.3 here/],
      [{ ...base, referenced: [...referenced.slice(0, 3), slice(3, [{ tag: 0x00280008, vr: 'IS', value: '2' }])] }, 'MultiFrameSource', /^referenced\[3\]: holds 2 frames/],
      [{ ...base, referenced: [...referenced.slice(0, 3), Uint8Array.from([1, 2, 3])] }, 'UnreadableSource', /^referenced\[3\]: cannot read/],
    ];
    for (const [options, kind, message] of cases) {
      const error = segError(options);
      expect(isDicomSegError(error) ? error.kind : error, kind).toBe(kind);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('segments the real 5-slice PCIR CT series in slice order: frames decode to the mask, positions to the sources', async () => {
    const names = ['2062', '2392', '2693', '3023', '3353'];
    const [series] = groupDicomSeries(names.map((name) => parseDicomFile(mirrorBytes('ct-series-pcir-16px', name), name)));
    if (series === undefined) throw new Error('no series');
    const volume = await buildDicomVolume(series);
    const [columns, rows, depth] = volume.dims;
    // Body: above -500 HU, in the volume's [slice][row][column] order, which is the files' own pixel order.
    const mask = Uint8Array.from(volume.data, (hu) => (hu > -500 ? 1 : 0));
    const written = encodeDicomSeg({ referenced: series.files.map((file) => file.dataSet.byteArray), names: series.files.map((file) => file.file), labels: mask, segments: [{ number: 1, label: 'body' }] });
    const { seg, pixels } = readSeg(written.bytes);
    const sliceSize = rows * columns;
    const withBody = [...Array(depth).keys()].filter((k) => mask.subarray(k * sliceSize, (k + 1) * sliceSize).some((v) => v === 1));
    expect(withBody.length).toBeGreaterThan(0);
    expect(seg.NumberOfFrames).toBe(withBody.length);
    expect(seg.FrameOfReferenceUID).toBe(series.files[0]?.dataSet.string('x00200052'));
    const views = frames(seg);
    withBody.forEach((k, frame) => {
      const source = series.files[k];
      expect(views[frame]?.source).toBe(source?.header.sopInstanceUid);
      views[frame]?.position.forEach((value, axis) => expect(value).toBeCloseTo(source?.header.imagePositionPatient?.[axis] ?? Number.NaN, 5));
      expect([...unpackFrame(pixels, frame, sliceSize)]).toEqual([...mask.subarray(k * sliceSize, (k + 1) * sliceSize)]);
    });
  });
});
