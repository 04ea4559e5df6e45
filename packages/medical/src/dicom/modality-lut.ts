import { dicomError } from './dicom-errors.ts';
import type { WindowSetting } from './dicom-header.ts';
import { tagName } from './dicom-tags.ts';
import type { DicomImage } from './pixel-data.ts';

/** One frame in modality units (Hounsfield units for CT), with the file's windows expressed in the same units. */
export interface ModalityFrame {
  readonly values: Float32Array;
  readonly rows: number;
  readonly columns: number;
  /** True when the image was MONOCHROME1 and its values were mirrored so that higher means brighter. */
  readonly inverted: boolean;
  /** The file's WindowCenter/WindowWidth pairs, mirrored like the values when `inverted`. */
  readonly windows: readonly WindowSetting[];
}

export interface ModalityOptions {
  /**
   * Mirror MONOCHROME1 images (where the lowest value displays white, as in many CR/DX files) so that every image
   * reads higher = brighter, as MONOCHROME2 does. Default true: a network trained on mixed sources should not see
   * two polarities.
   */
  readonly invertMonochrome1?: boolean;
}

/** The smallest and largest stored value BitsStored and PixelRepresentation allow. */
export function storedValueRange(header: DicomImage['header']): { readonly min: number; readonly max: number } {
  return header.pixelRepresentation === 1
    ? { min: -(2 ** (header.bitsStored - 1)), max: 2 ** (header.bitsStored - 1) - 1 }
    : { min: 0, max: 2 ** header.bitsStored - 1 };
}

/**
 * Applies the modality LUT (value = stored x RescaleSlope + RescaleIntercept) to one grayscale frame, giving float32
 * Hounsfield units for CT. For MONOCHROME1 (with the default options) a stored value s becomes
 * slope x (min + max - s) + intercept, min and max being the stored range BitsStored allows: the image is mirrored
 * within that range, so the brightest pixel on a MONOCHROME1 display is the largest value afterwards. Costs one
 * pass and one float32 array per frame. Throws InvalidTagValue on SamplesPerPixel for colour images.
 */
export function modalityFrame(image: DicomImage, frame = 0, options: ModalityOptions = {}): ModalityFrame {
  const { header } = image;
  if (header.samplesPerPixel !== 1) {
    throw dicomError({ kind: 'InvalidTagValue', file: image.file, tag: tagName('SamplesPerPixel'), reason: `${header.samplesPerPixel}: the modality LUT applies to grayscale images` });
  }
  const stored = image.frames[frame];
  if (stored === undefined) {
    throw dicomError({ kind: 'InvalidTagValue', file: image.file, tag: tagName('NumberOfFrames'), reason: `frame ${frame} asked, the image has ${image.frames.length}` });
  }
  const invert = (options.invertMonochrome1 ?? true) && image.photometricInterpretation === 'MONOCHROME1';
  const { rescaleSlope: slope, rescaleIntercept: intercept } = header;
  const values = new Float32Array(stored.length);
  if (invert) {
    const { min, max } = storedValueRange(header);
    const mirror = min + max;
    for (let index = 0; index < stored.length; index += 1) values[index] = slope * (mirror - (stored[index] ?? 0)) + intercept;
    // In modality units the mirror is v -> slope x (min + max) + 2 x intercept - v; windows move with it.
    const axis = slope * mirror + 2 * intercept;
    const windows = header.windows.map((window) => ({ center: axis - window.center, width: window.width }));
    return { values, rows: header.rows, columns: header.columns, inverted: true, windows };
  }
  for (let index = 0; index < stored.length; index += 1) values[index] = slope * (stored[index] ?? 0) + intercept;
  return { values, rows: header.rows, columns: header.columns, inverted: false, windows: header.windows };
}
