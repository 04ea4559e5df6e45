import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import dicomParser from 'dicom-parser';
import { deidentifyDataset, withDeidentificationMarkers } from './deidentify-dataset.ts';
import type { AttributeChange, DicomJsonDataset, DicomJsonElement } from './deidentify-dataset.ts';
import { deidentifyError } from './deidentify-errors.ts';
import { formatTag } from './deidentify-profile.ts';
import type { DeidentifyKeyedMaps } from './deidentify-uids.ts';

// The part of dcmjs 0.52.2 this file uses; dcmjs ships no type declarations, and loading it through require keeps a
// module declaration out of the shared type space.
interface DcmjsDicomDict {
  dict: DicomJsonDataset;
  write(): ArrayBuffer;
}
interface Dcmjs {
  readonly data: {
    readonly DicomMessage: { readFile(buffer: ArrayBuffer): { meta: DicomJsonDataset; dict: DicomJsonDataset } };
    readonly DicomDict: new (meta: DicomJsonDataset) => DcmjsDicomDict;
  };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

const pixelDataTag = '7FE00010';
const implicitLittleEndian = '1.2.840.10008.1.2';
// Big-endian explicit (retired) and the deflated syntaxes would need the data set re-encoded, not just re-written.
const unsupportedTransferSyntaxes: ReadonlySet<string> = new Set(['1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.4.95']);
const mediaStorageDirectory = '1.2.840.10008.1.3.10';

/** A de-identified Part 10 file and what was done to it; every UID here is a replacement. */
export interface DeidentifiedPart10 {
  readonly bytes: Uint8Array;
  readonly changes: readonly AttributeChange[];
  readonly transferSyntaxUid: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly modality: string;
  /** The PixelData value as stored (fragments and all when encapsulated), byte-identical in input and output. */
  readonly pixelData: { readonly byteLength: number; readonly sha256: string } | undefined;
}

function firstString(element: DicomJsonElement | undefined): string {
  const value = element?.Value?.[0];
  return typeof value === 'string' ? value : '';
}

interface PixelDataSpan {
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

// Locates the PixelData element's bytes (header included) with dicom-parser, which reports offsets; dcmjs does not,
// and re-writing encapsulated pixel data through dcmjs re-fragments it and takes fragments for frames when the basic
// offset table is empty (seen on US1_J2KR.dcm: 3 fragments of one frame written as 3 frames). Copying the element
// verbatim is what keeps the pixels unchanged.
function findPixelData(file: string, bytes: Uint8Array, transferSyntaxUid: string): PixelDataSpan | undefined {
  let element: dicomParser.Element | undefined;
  try {
    element = dicomParser.parseDicom(bytes).elements[`x${pixelDataTag.toLowerCase()}`];
  } catch (cause) {
    throw deidentifyError({ kind: 'UnreadableDicom', file, reason: String(cause) }, cause);
  }
  if (element === undefined) return undefined;
  const headerLength = transferSyntaxUid === implicitLittleEndian ? 8 : 12;
  const start = element.dataOffset - headerLength;
  const end = element.dataOffset + element.length;
  const tagBytes = bytes.subarray(start, start + 4);
  if (start < 0 || end > bytes.byteLength || tagBytes[0] !== 0xe0 || tagBytes[1] !== 0x7f || tagBytes[2] !== 0x10 || tagBytes[3] !== 0x00) {
    throw deidentifyError({ kind: 'UnreadableDicom', file, reason: `(7FE0,0010) PixelData header not found at byte ${start}` });
  }
  return { start, valueStart: element.dataOffset, end };
}

/**
 * De-identifies one Part 10 file: the Basic Profile on the file meta header and the data set (sequences included),
 * the PS3.15 markers, UIDs through `maps`, and PixelData copied byte for byte. Everything but the pixel data is
 * re-encoded by dcmjs in the file's own transfer syntax. Throws a DeidentifyError naming the file. Costs one dcmjs
 * parse and write and one dicom-parser pass: 4-25 ms per 512x512 slice measured here, mostly dcmjs.
 */
export function deidentifyPart10(file: string, bytes: Uint8Array, maps: DeidentifyKeyedMaps): DeidentifiedPart10 {
  const magic = bytes.byteLength >= 132 ? String.fromCharCode(...bytes.subarray(128, 132)) : '';
  if (magic !== 'DICM') throw deidentifyError({ kind: 'NotDicom', file, reason: 'no "DICM" at byte 128' });

  let parsed: { meta: DicomJsonDataset; dict: DicomJsonDataset };
  try {
    parsed = dcmjs.data.DicomMessage.readFile(new Uint8Array(bytes).buffer);
  } catch (cause) {
    throw deidentifyError({ kind: 'UnreadableDicom', file, reason: cause instanceof Error ? cause.message : String(cause) }, cause);
  }
  const transferSyntaxUid = firstString(parsed.meta['00020010']);
  if (transferSyntaxUid === '' || unsupportedTransferSyntaxes.has(transferSyntaxUid)) {
    throw deidentifyError({ kind: 'UnsupportedTransferSyntax', file, transferSyntaxUid: transferSyntaxUid || '(missing)' });
  }
  if (firstString(parsed.meta['00020002']) === mediaStorageDirectory) throw deidentifyError({ kind: 'DicomDirectory', file });
  const pixel = findPixelData(file, bytes, transferSyntaxUid);

  const meta = deidentifyDataset(parsed.meta, maps);
  const body = deidentifyDataset(parsed.dict, maps);
  const marked = withDeidentificationMarkers(body.dataset);
  const { [pixelDataTag]: _pixel, ...withoutPixels } = marked.dataset;
  if (pixel !== undefined) {
    const after = Object.keys(withoutPixels).find((tag) => tag > pixelDataTag);
    if (after !== undefined) throw deidentifyError({ kind: 'PixelDataNotLast', file, tag: formatTag(after) });
  }

  let written: Uint8Array;
  try {
    const out = new dcmjs.data.DicomDict(meta.dataset);
    out.dict = withoutPixels;
    written = new Uint8Array(out.write());
  } catch (cause) {
    throw deidentifyError({ kind: 'WriteFailed', file, reason: cause instanceof Error ? cause.message : String(cause) }, cause);
  }
  const pixelBytes = pixel === undefined ? new Uint8Array(0) : bytes.subarray(pixel.start, pixel.end);
  const output = new Uint8Array(written.byteLength + pixelBytes.byteLength);
  output.set(written, 0);
  output.set(pixelBytes, written.byteLength);

  return {
    bytes: output,
    changes: [...meta.changes, ...body.changes, ...marked.changes],
    transferSyntaxUid,
    sopClassUid: firstString(marked.dataset['00080016']),
    sopInstanceUid: firstString(marked.dataset['00080018']),
    seriesInstanceUid: firstString(marked.dataset['0020000E']),
    studyInstanceUid: firstString(marked.dataset['0020000D']),
    modality: firstString(marked.dataset['00080060']),
    pixelData:
      pixel === undefined
        ? undefined
        : {
            byteLength: pixel.end - pixel.valueStart,
            sha256: createHash('sha256').update(bytes.subarray(pixel.valueStart, pixel.end)).digest('hex'),
          },
  };
}
