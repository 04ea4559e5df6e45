import { affineFromRows, entry, multiplyAffines } from './nifti-affine.ts';
import type { Affine } from './nifti-affine.ts';

/** For each voxel axis i, j, k: the world axis it runs closest to (0 = x, 1 = y, 2 = z) and its direction. */
export type AxisOrientation = readonly [
  { readonly worldAxis: 0 | 1 | 2; readonly flip: boolean },
  { readonly worldAxis: 0 | 1 | 2; readonly flip: boolean },
  { readonly worldAxis: 0 | 1 | 2; readonly flip: boolean },
];

const POSITIVE = ['R', 'A', 'S'] as const;
const NEGATIVE = ['L', 'P', 'I'] as const;

/**
 * The world axis each voxel axis runs closest to. Greedy on the direction cosines (columns divided by their length):
 * the largest |cosine| left over picks its voxel axis and world axis first, so each world axis is used once. nibabel's
 * `io_orientation` orthogonalises with an SVD first; for the near-axis-aligned affines of real scans the result is the
 * same, and for oblique ones (45°) either choice is a valid "closest" orientation.
 */
export function axisOrientation(affine: Affine): AxisOrientation {
  const cos: number[][] = [0, 1, 2].map((row) =>
    [0, 1, 2].map((col) => {
      const norm = Math.hypot(entry(affine, 0, col), entry(affine, 1, col), entry(affine, 2, col));
      return norm > 0 ? entry(affine, row, col) / norm : 0;
    }),
  );
  const result: { worldAxis: 0 | 1 | 2; flip: boolean }[] = [0, 1, 2].map(() => ({ worldAxis: 0, flip: false }));
  const usedRows = new Set<number>();
  const usedCols = new Set<number>();
  for (let step = 0; step < 3; step += 1) {
    let best = { row: -1, col: -1, size: -1 };
    for (let row = 0; row < 3; row += 1) {
      for (let col = 0; col < 3; col += 1) {
        const size = Math.abs(cos[row]?.[col] ?? 0);
        if (!usedRows.has(row) && !usedCols.has(col) && size > best.size) best = { row, col, size };
      }
    }
    usedRows.add(best.row);
    usedCols.add(best.col);
    result[best.col] = { worldAxis: best.row as 0 | 1 | 2, flip: (cos[best.row]?.[best.col] ?? 0) < 0 };
  }
  return [result[0] ?? { worldAxis: 0, flip: false }, result[1] ?? { worldAxis: 1, flip: false }, result[2] ?? { worldAxis: 2, flip: false }];
}

/** Orientation codes as nibabel's `aff2axcodes` writes them: the direction each voxel axis increases to, e.g. 'LAS'. */
export function orientationCodes(affine: Affine): string {
  return axisOrientation(affine)
    .map(({ worldAxis, flip }) => (flip ? NEGATIVE : POSITIVE)[worldAxis])
    .join('');
}

export interface CanonicalPlan {
  /** For new axis n (R, A, S): the old voxel axis it reads and whether it runs backwards. */
  readonly from: readonly [{ readonly axis: number; readonly flip: boolean }, { readonly axis: number; readonly flip: boolean }, { readonly axis: number; readonly flip: boolean }];
  readonly identity: boolean;
  /** Affine of the reoriented grid: old affine x (new voxel -> old voxel). */
  readonly affine: Affine;
  readonly shape: readonly [number, number, number];
}

/** How to permute and flip a grid of `shape` (first three axes) with `affine` so that i, j, k run R, A, S. */
export function planCanonical(affine: Affine, shape: readonly number[]): CanonicalPlan {
  const orientation = axisOrientation(affine);
  const from = [0, 1, 2].map((world) => {
    const axis = orientation.findIndex((o) => o.worldAxis === world);
    return { axis, flip: orientation[axis]?.flip ?? false };
  });
  const rows: number[][] = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  from.forEach(({ axis, flip }, newAxis) => {
    const row = rows[axis] ?? [];
    row[newAxis] = flip ? -1 : 1;
    row[3] = flip ? (shape[axis] ?? 1) - 1 : 0;
  });
  const newToOld = affineFromRows(rows);
  const [f0, f1, f2] = from as [CanonicalPlan['from'][0], CanonicalPlan['from'][1], CanonicalPlan['from'][2]];
  return {
    from: [f0, f1, f2],
    identity: from.every(({ axis, flip }, newAxis) => axis === newAxis && !flip),
    affine: multiplyAffines(affine, newToOld),
    shape: [shape[f0.axis] ?? 1, shape[f1.axis] ?? 1, shape[f2.axis] ?? 1],
  };
}

/**
 * Permutes and flips `data` (x fastest, then y, z, then any further dimensions as frames) by `plan`. One pass over
 * the voxels; frames (time, volumes) keep their order.
 */
export function applyCanonical(data: Float32Array, shape: readonly number[], plan: CanonicalPlan): Float32Array {
  const [n0 = 1, n1 = 1, n2 = 1] = shape;
  const oldStrides = [1, n0, n0 * n1];
  const voxels = n0 * n1 * n2;
  const frames = voxels === 0 ? 0 : data.length / voxels;
  const step = plan.from.map(({ axis, flip }) => (flip ? -1 : 1) * (oldStrides[axis] ?? 0)) as [number, number, number];
  const base = plan.from.reduce((sum, { axis, flip }) => sum + (flip ? ((shape[axis] ?? 1) - 1) * (oldStrides[axis] ?? 0) : 0), 0);
  const [m0, m1, m2] = plan.shape;
  const out = new Float32Array(data.length);
  // When i stays i (LAS, LPS, RAI, ...: most scans) whole rows are contiguous in both: copy them natively and reverse
  // the flipped ones, several times faster than the voxel loop.
  const rowsContiguous = plan.from[0].axis === 0;
  let at = 0;
  for (let frame = 0; frame < frames; frame += 1) {
    const frameBase = base + frame * voxels;
    for (let p2 = 0; p2 < m2; p2 += 1) {
      for (let p1 = 0; p1 < m1; p1 += 1) {
        let source = frameBase + p2 * step[2] + p1 * step[1];
        if (rowsContiguous) {
          const row = out.subarray(at, at + m0);
          if (plan.from[0].flip) {
            row.set(data.subarray(source - m0 + 1, source + 1));
            row.reverse();
          } else {
            row.set(data.subarray(source, source + m0));
          }
          at += m0;
          continue;
        }
        for (let p0 = 0; p0 < m0; p0 += 1, at += 1, source += step[0]) out[at] = data[source] ?? 0;
      }
    }
  }
  return out;
}
