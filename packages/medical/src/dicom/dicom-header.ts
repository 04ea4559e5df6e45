import type { DataSet } from 'dicom-parser';
import { dicomError } from './dicom-errors.ts';
import { TAG, tagName } from './dicom-tags.ts';
import type { TagKeyword } from './dicom-tags.ts';

export type Vec3 = readonly [number, number, number];

/** One window (VOI LUT linear function) as the file states it, in modality units (HU for CT). */
export interface WindowSetting {
  readonly center: number;
  readonly width: number;
}

/**
 * The attributes a training pipeline needs from one image, parsed and checked. Optional fields are absent when the
 * file does not carry them (many single images have no position or orientation); defaults follow PS3.3 where the
 * standard gives one (RescaleSlope 1, RescaleIntercept 0, one frame, interleaved samples).
 */
export interface DicomHeader {
  readonly file: string;
  readonly transferSyntaxUid: string;
  readonly sopInstanceUid?: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly modality?: string;
  readonly instanceNumber?: number;
  readonly rows: number;
  readonly columns: number;
  readonly numberOfFrames: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  /** 0: samples interleaved per pixel (RGBRGB); 1: one plane per sample. Only meaningful when samplesPerPixel > 1. */
  readonly planarConfiguration: 0 | 1;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  /** 0: unsigned, 1: two's complement. */
  readonly pixelRepresentation: 0 | 1;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  /** True when the file carries RescaleSlope or RescaleIntercept (else the defaults 1 and 0 apply). */
  readonly hasRescale: boolean;
  readonly windows: readonly WindowSetting[];
  readonly pixelPaddingValue?: number;
  /** Patient (LPS) position of the centre of the first transmitted pixel, mm. */
  readonly imagePositionPatient?: Vec3;
  /** Direction cosines of a row (towards increasing column index) and of a column (increasing row index). */
  readonly imageOrientationPatient?: { readonly row: Vec3; readonly column: Vec3 };
  /** [between rows (vertical), between columns (horizontal)], mm, as DICOM orders them. */
  readonly pixelSpacing?: readonly [number, number];
  readonly sliceThickness?: number;
}

function text(ds: DataSet, keyword: TagKeyword): string | undefined {
  const value = ds.string(TAG[keyword]);
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function numbers(ds: DataSet, keyword: TagKeyword, file: string): number[] | undefined {
  const value = text(ds, keyword);
  if (value === undefined) return undefined;
  return value.split('\\').map((part) => {
    const parsed = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(parsed)) {
      throw dicomError({ kind: 'InvalidTagValue', file, tag: tagName(keyword), reason: `'${value}' is not a list of numbers` });
    }
    return parsed;
  });
}

function numbersOfLength(ds: DataSet, keyword: TagKeyword, file: string, count: number): number[] | undefined {
  const values = numbers(ds, keyword, file);
  if (values !== undefined && values.length !== count) {
    throw dicomError({ kind: 'InvalidTagValue', file, tag: tagName(keyword), reason: `expected ${count} values, found ${values.length}` });
  }
  return values;
}

function firstNumber(ds: DataSet, keyword: TagKeyword, file: string): number | undefined {
  return numbers(ds, keyword, file)?.[0];
}

function uint16(ds: DataSet, keyword: TagKeyword): number | undefined {
  const element = ds.elements[TAG[keyword]];
  if (element === undefined || element.length < 2) return undefined;
  return ds.uint16(TAG[keyword]);
}

function requiredUint16(ds: DataSet, keyword: TagKeyword, file: string): number {
  const value = uint16(ds, keyword);
  if (value === undefined) throw dicomError({ kind: 'MissingTag', file, tag: tagName(keyword) });
  return value;
}

function vec3(values: readonly number[], from: number): Vec3 {
  return [values[from] ?? 0, values[from + 1] ?? 0, values[from + 2] ?? 0];
}

function windows(ds: DataSet, file: string): WindowSetting[] {
  const centers = numbers(ds, 'WindowCenter', file) ?? [];
  const widths = numbers(ds, 'WindowWidth', file) ?? [];
  const count = Math.min(centers.length, widths.length);
  return Array.from({ length: count }, (_, index) => ({ center: centers[index] ?? 0, width: widths[index] ?? 1 }));
}

function paddingValue(ds: DataSet, pixelRepresentation: number): number | undefined {
  const element = ds.elements[TAG.PixelPaddingValue];
  if (element === undefined || element.length < 2) return undefined;
  return pixelRepresentation === 1 ? ds.int16(TAG.PixelPaddingValue) : ds.uint16(TAG.PixelPaddingValue);
}

function check(condition: boolean, file: string, keyword: TagKeyword, reason: string): void {
  if (!condition) throw dicomError({ kind: 'InvalidTagValue', file, tag: tagName(keyword), reason });
}

/**
 * Reads and checks the image attributes of a parsed data set. Throws a DicomError naming the file and the tag when a
 * required attribute (Rows, Columns, BitsAllocated) is missing or a value is out of range.
 */
export function readDicomHeader(ds: DataSet, file: string, transferSyntaxUid: string): DicomHeader {
  const rows = requiredUint16(ds, 'Rows', file);
  const columns = requiredUint16(ds, 'Columns', file);
  const bitsAllocated = requiredUint16(ds, 'BitsAllocated', file);
  const bitsStored = uint16(ds, 'BitsStored') ?? bitsAllocated;
  const highBit = uint16(ds, 'HighBit') ?? bitsStored - 1;
  const pixelRepresentation = uint16(ds, 'PixelRepresentation') ?? 0;
  const samplesPerPixel = uint16(ds, 'SamplesPerPixel') ?? 1;
  const planarConfiguration = uint16(ds, 'PlanarConfiguration') ?? 0;
  const numberOfFrames = firstNumber(ds, 'NumberOfFrames', file) ?? 1;
  check(rows > 0 && columns > 0, file, rows > 0 ? 'Columns' : 'Rows', 'must be at least 1');
  check([8, 16, 32].includes(bitsAllocated), file, 'BitsAllocated', `${bitsAllocated} is not supported (8, 16 or 32)`);
  check(bitsStored >= 1 && bitsStored <= bitsAllocated, file, 'BitsStored', `${bitsStored} with BitsAllocated ${bitsAllocated}`);
  check(highBit < bitsAllocated && highBit >= bitsStored - 1, file, 'HighBit', `${highBit} with BitsStored ${bitsStored}`);
  check(pixelRepresentation === 0 || pixelRepresentation === 1, file, 'PixelRepresentation', `${pixelRepresentation} (0 or 1)`);
  check(samplesPerPixel >= 1 && samplesPerPixel <= 4, file, 'SamplesPerPixel', `${samplesPerPixel}`);
  check(planarConfiguration === 0 || planarConfiguration === 1, file, 'PlanarConfiguration', `${planarConfiguration} (0 or 1)`);
  check(Number.isInteger(numberOfFrames) && numberOfFrames >= 1, file, 'NumberOfFrames', `${numberOfFrames}`);
  const slope = firstNumber(ds, 'RescaleSlope', file);
  const intercept = firstNumber(ds, 'RescaleIntercept', file);
  const position = numbersOfLength(ds, 'ImagePositionPatient', file, 3);
  const orientation = numbersOfLength(ds, 'ImageOrientationPatient', file, 6);
  const spacing = numbersOfLength(ds, 'PixelSpacing', file, 2);
  const instanceNumber = firstNumber(ds, 'InstanceNumber', file);
  const sliceThickness = firstNumber(ds, 'SliceThickness', file);
  const padding = paddingValue(ds, pixelRepresentation);
  return {
    file,
    transferSyntaxUid,
    sopInstanceUid: text(ds, 'SOPInstanceUID'),
    studyInstanceUid: text(ds, 'StudyInstanceUID'),
    seriesInstanceUid: text(ds, 'SeriesInstanceUID'),
    modality: text(ds, 'Modality'),
    instanceNumber,
    sliceThickness,
    pixelPaddingValue: padding,
    imagePositionPatient: position === undefined ? undefined : vec3(position, 0),
    imageOrientationPatient: orientation === undefined ? undefined : { row: vec3(orientation, 0), column: vec3(orientation, 3) },
    pixelSpacing: spacing === undefined ? undefined : ([spacing[0] ?? 1, spacing[1] ?? 1] as const),
    rows,
    columns,
    numberOfFrames,
    samplesPerPixel,
    photometricInterpretation: text(ds, 'PhotometricInterpretation') ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB'),
    planarConfiguration: planarConfiguration === 1 ? 1 : 0,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation: pixelRepresentation === 1 ? 1 : 0,
    rescaleSlope: slope ?? 1,
    rescaleIntercept: intercept ?? 0,
    hasRescale: slope !== undefined || intercept !== undefined,
    windows: windows(ds, file),
  };
}
