import { dicomError } from './dicom-errors.ts';
import type { WindowSetting, Vec3 } from './dicom-header.ts';
import type { DicomFile } from './dicom-file.ts';
import type { DicomSeries, SliceOrder } from './dicom-series.ts';
import { tagName } from './dicom-tags.ts';
import type { TagKeyword } from './dicom-tags.ts';
import { modalityFrame } from './modality-lut.ts';
import { decodeDicomPixels } from './pixel-data.ts';
import { dot, norm, sameOrientation, scale, sliceNormal, subtract } from './slice-geometry.ts';

/**
 * A series stacked into one volume in modality units (HU for CT). Voxel (i, j, k) is column i, row j of slice k and
 * sits at data[i + columns * (j + rows * k)].
 */
export interface DicomVolume {
  readonly seriesInstanceUid: string;
  readonly modality?: string;
  /** [columns, rows, slices]. */
  readonly dims: readonly [number, number, number];
  /**
   * [between columns, between rows, between slices] in mm. The slice spacing is measured along the slice normal
   * (for gantry-tilted CT it is smaller than the step in z: 4.00 mm against 4.22 mm in ct-series-ge-head).
   */
  readonly spacing: readonly [number, number, number];
  /**
   * Voxel (i, j, k, 1) to patient LPS mm, 4x4 row-major. The third column is the mean step between slice
   * positions, so it is exact for tilted (sheared) stacks too and is not orthogonal to the first two there.
   */
  readonly affine: Float64Array;
  /** Angle between the slice step and the slice normal, degrees: 0 for an orthogonal stack, 18.5 for the GE head CT. */
  readonly shearDegrees: number;
  readonly data: Float32Array;
  readonly files: readonly string[];
  readonly order: SliceOrder;
  readonly windows: readonly WindowSetting[];
  readonly warnings: readonly string[];
}

function mixed(file: DicomFile, other: DicomFile, keyword: TagKeyword, reason: string): Error {
  return dicomError({ kind: 'MixedSeriesGeometry', file: file.file, otherFile: other.file, tag: tagName(keyword), reason });
}

function checkUniform(series: DicomSeries): void {
  const [first, ...rest] = series.files;
  if (first === undefined) return;
  const head = first.header;
  for (const file of rest) {
    const { header } = file;
    if (header.rows !== head.rows) throw mixed(file, first, 'Rows', `${header.rows} against ${head.rows}`);
    if (header.columns !== head.columns) throw mixed(file, first, 'Columns', `${header.columns} against ${head.columns}`);
    if (header.samplesPerPixel !== head.samplesPerPixel) {
      throw mixed(file, first, 'SamplesPerPixel', `${header.samplesPerPixel} against ${head.samplesPerPixel}`);
    }
    const spacing = header.pixelSpacing;
    const firstSpacing = head.pixelSpacing;
    if (spacing !== undefined && firstSpacing !== undefined && (Math.abs(spacing[0] - firstSpacing[0]) > 1e-4 || Math.abs(spacing[1] - firstSpacing[1]) > 1e-4)) {
      throw mixed(file, first, 'PixelSpacing', `${spacing.join('\\')} against ${firstSpacing.join('\\')}`);
    }
    const orientation = header.imageOrientationPatient;
    const firstOrientation = head.imageOrientationPatient;
    if (series.order === 'position' && orientation !== undefined && firstOrientation !== undefined && !sameOrientation(orientation, firstOrientation)) {
      throw mixed(file, first, 'ImageOrientationPatient', 'slices of one volume must share an orientation');
    }
  }
}

interface Geometry {
  readonly sliceSpacing: number;
  readonly step: Vec3;
  readonly shearDegrees: number;
  readonly warnings: string[];
}

function stackGeometry(series: DicomSeries, slices: number): Geometry {
  const head = series.files[0]?.header;
  const orientation = head?.imageOrientationPatient ?? { row: [1, 0, 0], column: [0, 1, 0] };
  const normal = sliceNormal(orientation);
  const thickness = head?.sliceThickness ?? 1;
  const fallback = { sliceSpacing: thickness, step: scale(normal, thickness), shearDegrees: 0, warnings: [] as string[] };
  const positions = series.files.map((file) => file.header.imagePositionPatient);
  const firstPosition = positions[0];
  const lastPosition = positions[positions.length - 1];
  if (series.order !== 'position' || series.files.length < 2 || firstPosition === undefined || lastPosition === undefined) {
    if (slices > 1) fallback.warnings.push(`slice spacing taken from SliceThickness (${thickness} mm): no usable positions`);
    return fallback;
  }
  const step = scale(subtract(lastPosition, firstPosition), 1 / (series.files.length - 1));
  const sliceSpacing = dot(step, normal);
  const warnings: string[] = [];
  const distances = positions.map((position) => dot(position ?? firstPosition, normal));
  for (let index = 1; index < distances.length; index += 1) {
    const gap = (distances[index] ?? 0) - (distances[index - 1] ?? 0);
    if (Math.abs(gap - sliceSpacing) > Math.max(1e-3, Math.abs(sliceSpacing) * 0.01)) {
      warnings.push(`uneven slice spacing: ${gap.toFixed(3)} mm before ${series.files[index]?.file ?? '?'}, mean ${sliceSpacing.toFixed(3)} mm`);
      break;
    }
  }
  if (Math.abs(sliceSpacing) < 1e-6) warnings.push('slices share one position along the normal');
  const length = norm(step);
  const shearDegrees = length === 0 ? 0 : (Math.acos(Math.min(1, Math.abs(sliceSpacing) / length)) * 180) / Math.PI;
  return { sliceSpacing, step, shearDegrees, warnings };
}

/** The voxel grid of a series without its pixels: what buildDicomVolume stacks the frames on. */
export interface DicomSeriesGrid {
  /** [columns, rows, slices]. */
  readonly dims: readonly [number, number, number];
  /** As DicomVolume's `spacing`. */
  readonly spacing: readonly [number, number, number];
  /** As DicomVolume's `affine`: voxel (i, j, k, 1) to patient LPS mm, 4x4 row-major. */
  readonly affine: Float64Array;
  readonly shearDegrees: number;
  readonly warnings: readonly string[];
}

/**
 * The grid of a series from its headers alone (no pixel decoding): dims, spacing along the slice normal, the
 * voxel->LPS affine and warnings, exactly as buildDicomVolume reports them. Use it to map data on a series' grid
 * (a predicted mask, say) back to its files without decoding them. Throws MixedSeriesGeometry like buildDicomVolume.
 */
export function dicomSeriesGrid(series: DicomSeries): DicomSeriesGrid {
  const first = series.files[0];
  if (first === undefined) throw dicomError({ kind: 'EmptySeries', file: series.seriesInstanceUid, reason: 'series has no files' });
  checkUniform(series);
  const { rows, columns } = first.header;
  const slices = series.files.reduce((total, file) => total + file.header.numberOfFrames, 0);
  const geometry = stackGeometry(series, slices);
  const orientation = first.header.imageOrientationPatient ?? { row: [1, 0, 0] as Vec3, column: [0, 1, 0] as Vec3 };
  const [rowSpacing, columnSpacing] = first.header.pixelSpacing ?? [1, 1];
  const origin = first.header.imagePositionPatient ?? [0, 0, 0];
  const x = scale(orientation.row, columnSpacing);
  const y = scale(orientation.column, rowSpacing);
  const z = geometry.step;
  // prettier-ignore
  const affine = Float64Array.from([
    x[0], y[0], z[0], origin[0],
    x[1], y[1], z[1], origin[1],
    x[2], y[2], z[2], origin[2],
    0, 0, 0, 1,
  ]);
  const warnings = [...series.warnings, ...geometry.warnings];
  if (first.header.pixelSpacing === undefined) warnings.push('PixelSpacing missing: 1 mm assumed');
  const slicesOfMultiFrame = series.files.some((file) => file.header.numberOfFrames > 1);
  if (slicesOfMultiFrame) warnings.push('multi-frame file: frames stacked in stored order, per-frame positions not read');
  return { dims: [columns, rows, slices], spacing: [columnSpacing, rowSpacing, Math.abs(geometry.sliceSpacing)], affine, shearDegrees: geometry.shearDegrees, warnings };
}

/**
 * Decodes every file of a series and stacks the frames (all frames of a multi-frame file, in order) into one float32
 * volume in modality units, MONOCHROME1 mirrored (see modalityFrame), on dicomSeriesGrid's grid. Costs one decode per
 * file and columns x rows x slices x 4 bytes for the volume. Throws MixedSeriesGeometry naming both files and the tag
 * when Rows, Columns, SamplesPerPixel, PixelSpacing or ImageOrientationPatient differ within the series, and any
 * decoding error of a file.
 */
export async function buildDicomVolume(series: DicomSeries): Promise<DicomVolume> {
  const grid = dicomSeriesGrid(series);
  const [columns, rows, slices] = grid.dims;
  const sliceSize = rows * columns;
  const data = new Float32Array(sliceSize * slices);
  let slice = 0;
  let windows: readonly WindowSetting[] = series.files[0]?.header.windows ?? [];
  for (const file of series.files) {
    const image = await decodeDicomPixels(file);
    for (let frame = 0; frame < image.frames.length; frame += 1) {
      const values = modalityFrame(image, frame);
      if (slice === 0) windows = values.windows;
      data.set(values.values, slice * sliceSize);
      slice += 1;
    }
  }
  return {
    seriesInstanceUid: series.seriesInstanceUid,
    modality: series.modality,
    dims: grid.dims,
    spacing: grid.spacing,
    affine: grid.affine,
    shearDegrees: grid.shearDegrees,
    data,
    files: series.files.map((file) => file.file),
    order: series.order,
    windows,
    warnings: grid.warnings,
  };
}
