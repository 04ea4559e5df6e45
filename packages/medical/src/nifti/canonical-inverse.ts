import type { CanonicalPlan } from './nifti-orientation.ts';

/** The shape of the grid `plan` was made for (first three axes), from the plan alone. */
export function originalShape(plan: CanonicalPlan): [number, number, number] {
  const shape: [number, number, number] = [1, 1, 1];
  plan.from.forEach(({ axis }, newAxis) => {
    shape[axis] = plan.shape[newAxis] ?? 1;
  });
  return shape;
}

/**
 * The inverse of applyCanonical: takes `data` on the canonical grid (`plan.shape`, x fastest, further dimensions as
 * frames) back to the grid the plan was made for, so revertCanonical(applyCanonical(v, shape, plan), plan) is `v`.
 * Use it to write a prediction made on a stored canonical volume back in the source's own voxel order (a DICOM SEG
 * frame per source slice, say). Works on any typed array (uint8 masks stay uint8); one pass over the voxels.
 */
export function revertCanonical<T extends Uint8Array | Float32Array>(data: T, plan: CanonicalPlan): T {
  const old = originalShape(plan);
  const oldStrides = [1, old[0], old[0] * old[1]];
  const voxels = old[0] * old[1] * old[2];
  const frames = voxels === 0 ? 0 : data.length / voxels;
  if (!Number.isInteger(frames)) throw new RangeError(`revertCanonical: ${data.length} values are not whole frames of ${plan.shape.join('x')}`);
  const step = plan.from.map(({ axis, flip }) => (flip ? -1 : 1) * (oldStrides[axis] ?? 0)) as [number, number, number];
  const base = plan.from.reduce((sum, { axis, flip }) => sum + (flip ? ((old[axis] ?? 1) - 1) * (oldStrides[axis] ?? 0) : 0), 0);
  const [m0, m1, m2] = plan.shape;
  const out = new (data.constructor as new (length: number) => T)(data.length);
  let at = 0;
  for (let frame = 0; frame < frames; frame += 1) {
    const frameBase = base + frame * voxels;
    for (let p2 = 0; p2 < m2; p2 += 1) {
      for (let p1 = 0; p1 < m1; p1 += 1) {
        let target = frameBase + p2 * step[2] + p1 * step[1];
        for (let p0 = 0; p0 < m0; p0 += 1, at += 1, target += step[0]) out[target] = data[at] ?? 0;
      }
    }
  }
  return out;
}
