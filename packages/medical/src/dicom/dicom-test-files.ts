import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The DICOM folder of the data-set mirror (TESSERA_DATASET_MIRROR, else ../shared/datasets beside the checkout). */
export function dicomMirror(): string {
  const candidates = [
    ...(process.env.TESSERA_DATASET_MIRROR ?? '').split(':').filter(Boolean),
    path.resolve(REPO_ROOT, '../shared/datasets'),
    '/work/shared/datasets',
  ].map((dir) => path.join(dir, 'dicom'));
  const found = candidates.find((dir) => existsSync(path.join(dir, 'PROVENANCE.md')));
  if (found === undefined) throw new Error(`no DICOM mirror with PROVENANCE.md; looked in ${candidates.join(', ')} (set TESSERA_DATASET_MIRROR)`);
  return found;
}

export function mirrorFile(...parts: string[]): string {
  return path.join(dicomMirror(), ...parts);
}

export function mirrorBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(mirrorFile(...parts)));
}

/** One element for buildTestDicom: a tag as 0xGGGGEEEE, its VR and its value. */
export interface TestElement {
  readonly tag: number;
  readonly vr: string;
  readonly value: string | readonly number[] | Uint8Array;
}

export interface TestDicomOptions {
  readonly transferSyntaxUid: string;
  readonly elements: readonly TestElement[];
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);

function valueBytes(element: TestElement, littleEndian: boolean): Uint8Array {
  const { vr, value } = element;
  if (value instanceof Uint8Array) return value.length % 2 === 0 ? value : Uint8Array.from([...value, 0]);
  if (typeof value === 'string') {
    const padded = value.length % 2 === 0 ? value : value + (vr === 'UI' ? '\0' : ' ');
    return new TextEncoder().encode(padded);
  }
  const width = vr === 'UL' || vr === 'SL' ? 4 : 2;
  const bytes = new Uint8Array(value.length * width);
  const view = new DataView(bytes.buffer);
  value.forEach((number, index) => {
    if (vr === 'US') view.setUint16(index * 2, number, littleEndian);
    else if (vr === 'SS') view.setInt16(index * 2, number, littleEndian);
    else if (vr === 'UL') view.setUint32(index * 4, number, littleEndian);
    else view.setInt32(index * 4, number, littleEndian);
  });
  return bytes;
}

function encodeElement(element: TestElement, littleEndian: boolean, implicit: boolean): Uint8Array {
  const value = valueBytes(element, littleEndian);
  const long = implicit || LONG_VRS.has(element.vr);
  const headerLength = implicit ? 8 : long ? 12 : 8;
  const bytes = new Uint8Array(headerLength + value.length);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, element.tag >>> 16, littleEndian);
  view.setUint16(2, element.tag & 0xffff, littleEndian);
  if (implicit) {
    view.setUint32(4, value.length, littleEndian);
  } else {
    bytes[4] = element.vr.charCodeAt(0);
    bytes[5] = element.vr.charCodeAt(1);
    if (long) view.setUint32(8, value.length, littleEndian);
    else view.setUint16(6, value.length, littleEndian);
  }
  bytes.set(value, headerLength);
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * A Part 10 file written byte by byte through DataView (a path independent of the reader): preamble, DICM, the
 * meta group (explicit little endian) and `elements` (sorted by the caller) in the transfer syntax's encoding.
 * Native syntaxes only: implicit LE, explicit LE, explicit BE.
 */
export function buildTestDicom(options: TestDicomOptions): Uint8Array {
  const uid = options.transferSyntaxUid;
  const meta = [
    encodeElement({ tag: 0x00020001, vr: 'OB', value: Uint8Array.from([0, 1]) }, true, false),
    encodeElement({ tag: 0x00020002, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' }, true, false),
    encodeElement({ tag: 0x00020003, vr: 'UI', value: '1.2.3.4.5' }, true, false),
    encodeElement({ tag: 0x00020010, vr: 'UI', value: uid }, true, false),
  ];
  const groupLength = encodeElement({ tag: 0x00020000, vr: 'UL', value: [meta.reduce((sum, part) => sum + part.length, 0)] }, true, false);
  const littleEndian = uid !== '1.2.840.10008.1.2.2';
  const implicit = uid === '1.2.840.10008.1.2';
  const body = options.elements.map((element) => encodeElement(element, littleEndian, implicit));
  const preamble = new Uint8Array(132);
  preamble.set(new TextEncoder().encode('DICM'), 128);
  return concat([preamble, groupLength, ...meta, ...body]);
}

/** The image elements of a small synthetic image, before pixel data; override by passing later elements. */
export function imageElements(fields: {
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated?: number;
  readonly bitsStored?: number;
  readonly pixelRepresentation?: number;
  readonly samplesPerPixel?: number;
  readonly planarConfiguration?: number;
  readonly frames?: number;
  readonly photometric?: string;
  readonly series?: string;
  readonly instance?: number;
  readonly position?: string;
  readonly orientation?: string;
}): TestElement[] {
  const bitsAllocated = fields.bitsAllocated ?? 16;
  const bitsStored = fields.bitsStored ?? bitsAllocated;
  const samples = fields.samplesPerPixel ?? 1;
  const elements: TestElement[] = [
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x0020000e, vr: 'UI', value: fields.series ?? '1.2.3.4.5.6' },
    ...(fields.instance === undefined ? [] : [{ tag: 0x00200013, vr: 'IS', value: String(fields.instance) }]),
    ...(fields.position === undefined ? [] : [{ tag: 0x00200032, vr: 'DS', value: fields.position }]),
    ...(fields.orientation === undefined ? [] : [{ tag: 0x00200037, vr: 'DS', value: fields.orientation }]),
    { tag: 0x00280002, vr: 'US', value: [samples] },
    { tag: 0x00280004, vr: 'CS', value: fields.photometric ?? (samples === 1 ? 'MONOCHROME2' : 'RGB') },
    ...(samples > 1 ? [{ tag: 0x00280006, vr: 'US', value: [fields.planarConfiguration ?? 0] }] : []),
    ...(fields.frames === undefined ? [] : [{ tag: 0x00280008, vr: 'IS', value: String(fields.frames) }]),
    { tag: 0x00280010, vr: 'US', value: [fields.rows] },
    { tag: 0x00280011, vr: 'US', value: [fields.columns] },
    { tag: 0x00280030, vr: 'DS', value: '0.5\\0.5' },
    { tag: 0x00280100, vr: 'US', value: [bitsAllocated] },
    { tag: 0x00280101, vr: 'US', value: [bitsStored] },
    { tag: 0x00280102, vr: 'US', value: [bitsStored - 1] },
    { tag: 0x00280103, vr: 'US', value: [fields.pixelRepresentation ?? 0] },
  ];
  return elements;
}
