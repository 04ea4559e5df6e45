import { readFile } from 'node:fs/promises';
import dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { dicomError } from './dicom-errors.ts';
import type { DicomError } from './dicom-errors.ts';
import { readDicomHeader } from './dicom-header.ts';
import type { DicomHeader } from './dicom-header.ts';
import { describeTag, TAG, tagName } from './dicom-tags.ts';
import { transferSyntax } from './transfer-syntax.ts';
import type { TransferSyntax } from './transfer-syntax.ts';
import { findTruncation } from './truncation-finder.ts';

/** A parsed Part 10 file whose pixel data has not been decoded yet (decoding is the expensive part). */
export interface DicomFile {
  readonly file: string;
  readonly header: DicomHeader;
  readonly syntax: TransferSyntax;
  /** dicom-parser's view of the file; values point into the caller's bytes (no copy). */
  readonly dataSet: DataSet;
  readonly pixelData: Element;
}

const PREAMBLE_AND_PREFIX = 132;
const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/** dicom-parser throws strings, `{ exception, dataSet }` objects and Errors; this is the text of any of them. */
function parserMessage(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'object' && thrown !== null && 'exception' in thrown) return String(thrown.exception);
  return String(thrown);
}

function hasPrefix(bytes: Uint8Array): boolean {
  return bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

function structureError(bytes: Uint8Array, file: string, uid: string | undefined, thrown: unknown): DicomError {
  const syntax = { littleEndian: uid !== '1.2.840.10008.1.2.2', implicit: uid === IMPLICIT_VR_LITTLE_ENDIAN };
  const point = findTruncation(bytes, syntax);
  if (point !== undefined) return dicomError({ kind: 'Truncated', file, tag: describeTag(point.tag), reason: point.reason }, thrown);
  const message = parserMessage(thrown);
  if (message.includes('0002,0010')) return dicomError({ kind: 'MissingTag', file, tag: tagName('TransferSyntaxUID') }, thrown);
  return dicomError({ kind: 'MalformedDicom', file, reason: message }, thrown);
}

/** The first top-level element (or pixel data fragment) whose value runs past the end of the bytes. */
function overrunningElement(ds: DataSet): { tag: string; reason: string } | undefined {
  const size = ds.byteArray.length;
  for (const element of Object.values(ds.elements)) {
    if (element.dataOffset + element.length > size) {
      return { tag: element.tag, reason: `value needs ${element.length} bytes at offset ${element.dataOffset}, the file has ${size}` };
    }
    for (const fragment of element.fragments ?? []) {
      if (fragment.position + fragment.length > size) {
        return { tag: element.tag, reason: `fragment needs ${fragment.length} bytes at offset ${fragment.position}, the file has ${size}` };
      }
    }
  }
  return undefined;
}

/**
 * Parses a DICOM Part 10 file held in memory and checks everything decoding needs (transfer syntax, image
 * attributes, pixel data present and complete). Costs one pass over the element headers; pixel values are not read
 * or copied. Throws a DicomError: NotDicom, Truncated, MalformedDicom, UnsupportedTransferSyntax, MissingTag,
 * InvalidTagValue or MissingPixelData, each naming `file` (only used in messages) and the tag at fault.
 */
export function parseDicomFile(bytes: Uint8Array, file: string): DicomFile {
  if (bytes.length < PREAMBLE_AND_PREFIX || !hasPrefix(bytes)) {
    const reason =
      bytes.length < PREAMBLE_AND_PREFIX
        ? `${bytes.length} bytes, shorter than the 128-byte preamble and DICM prefix`
        : 'no DICM prefix at byte 128';
    throw dicomError({ kind: 'NotDicom', file, reason });
  }
  let uid: string | undefined;
  try {
    uid = dicomParser.readPart10Header(bytes).string(TAG.TransferSyntaxUID)?.trim();
  } catch (thrown) {
    throw structureError(bytes, file, undefined, thrown);
  }
  if (uid === undefined || uid === '') throw dicomError({ kind: 'MissingTag', file, tag: tagName('TransferSyntaxUID') });
  const syntax = transferSyntax(uid);
  if (syntax === undefined) {
    throw dicomError({ kind: 'UnsupportedTransferSyntax', file, tag: tagName('TransferSyntaxUID'), transferSyntaxUid: uid });
  }
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes);
  } catch (thrown) {
    throw structureError(bytes, file, uid, thrown);
  }
  const overrun = overrunningElement(dataSet);
  if (overrun !== undefined) throw dicomError({ kind: 'Truncated', file, tag: describeTag(overrun.tag), reason: overrun.reason });
  const pixelData = dataSet.elements[TAG.PixelData];
  if (pixelData === undefined) throw dicomError({ kind: 'MissingPixelData', file, tag: tagName('PixelData') });
  const header = readDicomHeader(dataSet, file, uid);
  return { file, header, syntax, dataSet, pixelData };
}

/** Reads `path` and parses it with parseDicomFile; an unreadable path is an UnreadableFile error. */
export async function readDicomFile(path: string): Promise<DicomFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw dicomError({ kind: 'UnreadableFile', file: path, reason: cause instanceof Error ? cause.message : String(cause) }, cause);
  }
  return parseDicomFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
