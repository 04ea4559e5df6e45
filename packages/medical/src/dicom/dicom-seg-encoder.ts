import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { DicomJsonDataset, DicomJsonElement } from './deidentify-dataset.ts';
import { dicomSegError } from './dicom-seg-errors.ts';
import { checkSegSources, readSegSource } from './dicom-seg-sources.ts';
import type { SegSource } from './dicom-seg-sources.ts';

// The part of dcmjs 0.52.2 this file writes with (see deidentify-part10.ts for why it is loaded through require).
interface Dcmjs {
  readonly data: { readonly DicomDict: new (meta: DicomJsonDataset) => { dict: DicomJsonDataset; write(): ArrayBuffer } };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
// Tessera's implementation class: a 2.25 UID from the name, fixed forever.
const IMPLEMENTATION_CLASS_UID = derivedUid('tessera dicom seg writer');

/** A code (PS3.3 8.8): value, coding scheme and meaning, e.g. SNOMED CT 39607008 'Lung'. */
export interface CodedConcept {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
}

export interface DicomSegSegment {
  /** The label value of this segment in `labels`; segments are numbered 1, 2, ... in order (PS3.3 C.8.20.2). */
  readonly number: number;
  readonly label: string;
  readonly description?: string;
  /** Default SCT 91723000 'Anatomical Structure'. */
  readonly category?: CodedConcept;
  /** Default SCT 85756007 'Tissue'; pass the structure's own code (SCT 39607008 'Lung') where it is known. */
  readonly type?: CodedConcept;
  /** SegmentAlgorithmName of this AUTOMATIC segment; default 'Tessera'. */
  readonly algorithmName?: string;
  /** RecommendedDisplayCIELabValue, scaled to 0..65535 as PS3.3 C.10.7.1.1 says. */
  readonly cieLab?: readonly [number, number, number];
}

export interface DicomSegOptions {
  /** The source series' Part 10 files, in slice order: slice k of `labels` is file k. Single-frame images only. */
  readonly referenced: readonly Uint8Array[];
  /** Names of the files for error messages; default `referenced[k]`. */
  readonly names?: readonly string[];
  /** [slices][rows][columns] in the files' own pixel order; 0 is background, n is segment n. */
  readonly labels: Uint8Array;
  readonly segments: readonly DicomSegSegment[];
  readonly seriesDescription?: string;
  /** Default 999, a number acquisition series rarely use. */
  readonly seriesNumber?: number;
  /** CS: upper-case letters, digits, space and underscore, at most 16; default 'SEGMENTATION'. */
  readonly contentLabel?: string;
  readonly contentDescription?: string;
  /** Default: random 2.25 UIDs (derivedUid gives stable ones). */
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
  /** Series and content date and time; default now. */
  readonly createdAt?: Date;
  readonly softwareVersions?: string;
}

export interface DicomSeg {
  readonly bytes: Uint8Array;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** Frames written: one per segment per slice holding that segment (an empty one at slice 0 for a segment with none). */
  readonly frames: number;
}

/** A `2.25.<decimal>` UID from a name (first 128 bits of its SHA-256 as an RFC 9562 version-8 UUID): same name, same UID. */
export function derivedUid(name: string): string {
  return uidFromBytes(createHash('sha256').update(`tessera-uid\0${name}`).digest().subarray(0, 16));
}

function uidFromBytes(bytes: Uint8Array): string {
  const uuid = Uint8Array.from(bytes);
  uuid[6] = ((uuid[6] ?? 0) & 0x0f) | 0x80;
  uuid[8] = ((uuid[8] ?? 0) & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${Buffer.from(uuid).toString('hex')}`).toString(10)}`;
}

const el = (vr: string, ...values: readonly unknown[]): DicomJsonElement => ({ vr, Value: values });
const sq = (...items: readonly DicomJsonDataset[]): DicomJsonElement => ({ vr: 'SQ', Value: items });
const code = (concept: CodedConcept): DicomJsonDataset => ({ '00080100': el('SH', concept.value), '00080102': el('SH', concept.scheme), '00080104': el('LO', concept.meaning) });

const ANATOMICAL_STRUCTURE: CodedConcept = { value: '91723000', scheme: 'SCT', meaning: 'Anatomical Structure' };
const TISSUE: CodedConcept = { value: '85756007', scheme: 'SCT', meaning: 'Tissue' };

// Patient, study and frame-of-reference attributes copied verbatim from the first source (already de-identified in
// Tessera's store): [tag, VR, type 2 (written empty when the source lacks it)]. Nothing else of the sources is copied,
// private attributes included.
const COPIED: readonly (readonly [string, string, boolean])[] = [
  ['00080005', 'CS', false], // SpecificCharacterSet: the copied text is in the source's character set
  ['00080020', 'DA', true], // StudyDate
  ['00080030', 'TM', true], // StudyTime
  ['00080050', 'SH', true], // AccessionNumber
  ['00080090', 'PN', true], // ReferringPhysicianName
  ['00081030', 'LO', false], // StudyDescription
  ['00100010', 'PN', true], // PatientName
  ['00100020', 'LO', true], // PatientID
  ['00100030', 'DA', true], // PatientBirthDate
  ['00100040', 'CS', true], // PatientSex
  ['00101010', 'AS', false], // PatientAge
  ['00120062', 'CS', false], // PatientIdentityRemoved
  ['00120063', 'LO', false], // DeidentificationMethod
  ['00120064', 'SQ', false], // DeidentificationMethodCodeSequence
  ['00200010', 'SH', true], // StudyID
  ['00201040', 'LO', true], // PositionReferenceIndicator
];

function checkSegments(segments: readonly DicomSegSegment[]): void {
  if (segments.length === 0 || segments.length > 255) throw dicomSegError({ kind: 'InvalidSegments', file: 'segments', reason: `${segments.length} segments; 1 to 255 fit uint8 labels` });
  segments.forEach((segment, index) => {
    if (segment.number !== index + 1) throw dicomSegError({ kind: 'InvalidSegments', file: `segments[${index}].number`, reason: `is ${segment.number}; segments are numbered 1, 2, ... in order` });
    if (segment.label.trim() === '') throw dicomSegError({ kind: 'InvalidSegments', file: `segments[${index}].label`, reason: 'is empty' });
  });
}

function dicomDate(date: Date): { date: string; time: string } {
  const iso = date.toISOString();
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}

/** Spacing between slice centres along the normal, from the first and last positions; undefined for one slice. */
function sliceSpacing(sources: readonly SegSource[]): number | undefined {
  const first = sources[0];
  const last = sources[sources.length - 1];
  if (first === undefined || last === undefined || sources.length < 2) return undefined;
  const [r0 = 0, r1 = 0, r2 = 0, c0 = 0, c1 = 0, c2 = 0] = first.orientation;
  const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  const along = last.position.reduce((sum, value, axis) => sum + (value - (first.position[axis] ?? 0)) * (normal[axis] ?? 0), 0);
  const spacing = Math.abs(along) / (sources.length - 1);
  return spacing > 0 ? Number(spacing.toPrecision(10)) : undefined;
}

interface Frame {
  readonly segment: number;
  readonly slice: number;
}

/** Frames, segment by segment, then slice by slice: each slice where the segment has a voxel. */
function planFrames(labels: Uint8Array, slices: number, sliceSize: number, segments: number): Frame[] {
  const present = Array.from({ length: segments + 1 }, () => new Uint8Array(slices));
  for (let slice = 0; slice < slices; slice += 1) {
    const offset = slice * sliceSize;
    for (let index = 0; index < sliceSize; index += 1) {
      const value = labels[offset + index] ?? 0;
      if (value > segments) throw dicomSegError({ kind: 'InvalidSegments', file: 'labels', reason: `value ${value} at slice ${slice}, pixel ${index} names no segment (1..${segments})` });
      (present[value] as Uint8Array)[slice] = 1;
    }
  }
  const frames: Frame[] = [];
  for (let segment = 1; segment <= segments; segment += 1) {
    const before = frames.length;
    (present[segment] as Uint8Array).forEach((has, slice) => (has === 1 ? frames.push({ segment, slice }) : undefined));
    // A segment no slice holds still gets one (empty) frame, so every listed segment is in the pixel data.
    if (frames.length === before) frames.push({ segment, slice: 0 });
  }
  return frames;
}

/** Bit-packs the frames (PS3.5 8.1.1: BitsAllocated 1, first pixel in the lowest bit, frames back to back), even length. */
function packFrames(labels: Uint8Array, frames: readonly Frame[], sliceSize: number): Uint8Array {
  const bits = frames.length * sliceSize;
  const packed = new Uint8Array(Math.ceil(Math.ceil(bits / 8) / 2) * 2);
  frames.forEach(({ segment, slice }, frame) => {
    const source = slice * sliceSize;
    const target = frame * sliceSize;
    for (let index = 0; index < sliceSize; index += 1) {
      if (labels[source + index] !== segment) continue;
      const bit = target + index;
      packed[bit >> 3] = (packed[bit >> 3] ?? 0) | (1 << (bit & 7));
    }
  });
  return packed;
}

function segmentItem(segment: DicomSegSegment): DicomJsonDataset {
  return {
    '00620003': sq(code(segment.category ?? ANATOMICAL_STRUCTURE)),
    '00620004': el('US', segment.number),
    '00620005': el('LO', segment.label),
    ...(segment.description === undefined ? {} : { '00620006': el('ST', segment.description) }),
    '00620008': el('CS', 'AUTOMATIC'),
    '00620009': el('LO', segment.algorithmName ?? 'Tessera'),
    ...(segment.cieLab === undefined ? {} : { '0062000D': el('US', ...segment.cieLab) }),
    '0062000F': sq(code(segment.type ?? TISSUE)),
  };
}

function frameItem(frame: Frame, source: SegSource): DicomJsonDataset {
  return {
    '00089124': sq({
      '00082112': sq({
        '00081150': el('UI', source.sopClassUid),
        '00081155': el('UI', source.sopInstanceUid),
        '0040A170': sq(code({ value: '121322', scheme: 'DCM', meaning: 'Source image for image processing operation' })),
      }),
      '00089215': sq(code({ value: '113076', scheme: 'DCM', meaning: 'Segmentation' })),
    }),
    '00209111': sq({ '00209157': el('UL', frame.segment, frame.slice + 1) }),
    '00209113': sq({ '00200032': source.dict['00200032'] ?? el('DS', ...source.position) }),
    '0062000A': sq({ '0062000B': el('US', frame.segment) }),
  };
}

/**
 * Writes a BINARY DICOM Segmentation (Segmentation Storage, explicit VR little endian) of `labels` over a source
 * series: one frame per segment per slice that holds it, each referencing its source image (DerivationImageSequence)
 * and placed at its ImagePositionPatient; the series referenced in ReferencedSeriesSequence; the patient, study and
 * frame-of-reference attributes copied from the first source; new series and instance UIDs. Source headers are read
 * without decoding pixels, so any transfer syntax works. Costs one header parse per source and one pass over the
 * labels; the SEG is about slices x rows x columns / 8 bytes at most per segment. Throws a DicomSegError naming the
 * file, tag or option at fault.
 */
export function encodeDicomSeg(options: DicomSegOptions): DicomSeg {
  const names = options.referenced.map((_, index) => options.names?.[index] ?? `referenced[${index}]`);
  if (options.referenced.length === 0) throw dicomSegError({ kind: 'NoSources', file: 'referenced' });
  checkSegments(options.segments);
  const sources = options.referenced.map((bytes, index) => readSegSource(bytes, names[index] ?? ''));
  checkSegSources(sources);
  const head = sources[0] as SegSource;
  const sliceSize = head.rows * head.columns;
  const expected = sliceSize * sources.length;
  if (options.labels.length !== expected) throw dicomSegError({ kind: 'LabelsShape', file: 'labels', expected, actual: options.labels.length });

  const frames = planFrames(options.labels, sources.length, sliceSize, options.segments.length);
  const pixels = packFrames(options.labels, frames, sliceSize);
  const seriesInstanceUid = options.seriesInstanceUid ?? uidFromBytes(randomBytes(16));
  const sopInstanceUid = options.sopInstanceUid ?? uidFromBytes(randomBytes(16));
  const dimensionUid = derivedUid(`${sopInstanceUid}/dimensions`);
  const when = dicomDate(options.createdAt ?? new Date());
  const spacing = sliceSpacing(sources);

  const copied: Record<string, DicomJsonElement> = {};
  for (const [tag, vr, type2] of COPIED) {
    const element = head.dict[tag];
    if (element !== undefined) copied[tag] = element;
    else if (type2) copied[tag] = { vr, Value: [] };
  }
  const dataset: DicomJsonDataset = {
    ...copied,
    '00080008': el('CS', 'DERIVED', 'PRIMARY'),
    '00080016': el('UI', SEGMENTATION_STORAGE),
    '00080018': el('UI', sopInstanceUid),
    '00080021': el('DA', when.date),
    '00080023': el('DA', when.date),
    '00080031': el('TM', when.time),
    '00080033': el('TM', when.time),
    '00080060': el('CS', 'SEG'),
    '00080070': el('LO', 'Tessera'),
    '0008103E': el('LO', options.seriesDescription ?? 'Segmentation'),
    '00081090': el('LO', 'Tessera'),
    '00081115': sq({
      '0008114A': sq(...sources.map((source) => ({ '00081150': el('UI', source.sopClassUid), '00081155': el('UI', source.sopInstanceUid) }))),
      '0020000E': el('UI', head.seriesInstanceUid),
    }),
    '00181000': el('LO', '1'),
    '00181020': el('LO', options.softwareVersions ?? '1'),
    '0020000D': el('UI', head.studyInstanceUid),
    '0020000E': el('UI', seriesInstanceUid),
    '00200011': el('IS', options.seriesNumber ?? 999),
    '00200013': el('IS', 1),
    '00200052': el('UI', head.frameOfReferenceUid),
    '00209221': sq({ '00209164': el('UI', dimensionUid) }),
    '00209222': sq(
      { '00209164': el('UI', dimensionUid), '00209165': el('AT', 0x0062000b), '00209167': el('AT', 0x0062000a), '00209421': el('LO', 'ReferencedSegmentNumber') },
      { '00209164': el('UI', dimensionUid), '00209165': el('AT', 0x00200032), '00209167': el('AT', 0x00209113), '00209421': el('LO', 'ImagePositionPatient') },
    ),
    '00280002': el('US', 1),
    '00280004': el('CS', 'MONOCHROME2'),
    '00280008': el('IS', frames.length),
    '00280010': el('US', head.rows),
    '00280011': el('US', head.columns),
    '00280100': el('US', 1),
    '00280101': el('US', 1),
    '00280102': el('US', 0),
    '00280103': el('US', 0),
    '00282110': el('CS', '00'),
    '52009229': sq({
      '00209116': sq({ '00200037': head.dict['00200037'] ?? el('DS', ...head.orientation) }),
      '00289110': sq({
        '00180050': head.dict['00180050'] ?? el('DS', head.sliceThickness ?? spacing ?? 1),
        ...(spacing === undefined ? {} : { '00180088': el('DS', spacing) }),
        '00280030': head.dict['00280030'] ?? el('DS', ...head.pixelSpacing),
      }),
    }),
    '52009230': sq(...frames.map((frame) => frameItem(frame, sources[frame.slice] as SegSource))),
    '00620001': el('CS', 'BINARY'),
    '00620002': sq(...options.segments.map(segmentItem)),
    '00700080': el('CS', options.contentLabel ?? 'SEGMENTATION'),
    '00700081': el('LO', options.contentDescription ?? ''),
    '00700084': { vr: 'PN', Value: [] },
    '7FE00010': { vr: 'OB', Value: [pixels.buffer] },
  };
  const meta: DicomJsonDataset = {
    '00020001': { vr: 'OB', Value: [Uint8Array.of(0, 1).buffer] },
    '00020002': el('UI', SEGMENTATION_STORAGE),
    '00020003': el('UI', sopInstanceUid),
    '00020010': el('UI', EXPLICIT_VR_LITTLE_ENDIAN),
    '00020012': el('UI', IMPLEMENTATION_CLASS_UID),
    '00020013': el('SH', 'TESSERA_SEG_1'),
  };
  const file = new dcmjs.data.DicomDict(meta);
  file.dict = dataset;
  return { bytes: new Uint8Array(file.write()), sopInstanceUid, seriesInstanceUid, frames: frames.length };
}
