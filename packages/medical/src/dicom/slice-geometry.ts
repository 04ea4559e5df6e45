import type { Vec3 } from './dicom-header.ts';

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

export function subtract(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

export function scale(a: Vec3, factor: number): Vec3 {
  return [a[0] * factor, a[1] * factor, a[2] * factor];
}

export function norm(a: Vec3): number {
  return Math.sqrt(dot(a, a));
}

export function normalize(a: Vec3): Vec3 {
  const length = norm(a);
  return length === 0 ? a : scale(a, 1 / length);
}

/** The slice normal: row direction x column direction (unit length), the axis slices are stacked along. */
export function sliceNormal(orientation: { readonly row: Vec3; readonly column: Vec3 }): Vec3 {
  return normalize(cross(orientation.row, orientation.column));
}

/** Whether two orientations agree within `tolerance` per direction cosine (scanners round to 6 or 7 decimals). */
export function sameOrientation(
  a: { readonly row: Vec3; readonly column: Vec3 },
  b: { readonly row: Vec3; readonly column: Vec3 },
  tolerance = 1e-4,
): boolean {
  const close = (x: Vec3, y: Vec3): boolean => x.every((value, axis) => Math.abs(value - (y[axis] ?? 0)) <= tolerance);
  return close(a.row, b.row) && close(a.column, b.column);
}
