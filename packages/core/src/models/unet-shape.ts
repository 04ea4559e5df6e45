/** Facts both U-Nets (2D and 3D) check the same way before building. */

/** The largest depth (poolings) either U-Net accepts: 2^6 = 64 pixels per side at the bottom, already far past use. */
export const unetMaxDepth = 6;

export interface UNetShapeCheck {
  /** Model name for the message: `U-Net 2D`. */
  readonly model: string;
  /** Spatial sides with their option names, e.g. `[['height', 256], ['width', 256]]`. */
  readonly sides: ReadonlyArray<readonly [string, number]>;
  readonly channels: number;
  readonly depth: number;
  readonly baseFilters: number;
}

/**
 * Throws a RangeError naming the option at fault: every side must be divisible by 2^depth (each of the `depth` 2x2
 * poolings halves it exactly, so the decoder's upsampled maps line up with the skip connections they join).
 */
export function checkUNetShape(check: UNetShapeCheck): void {
  const { model, depth } = check;
  if (!Number.isInteger(depth) || depth < 1 || depth > unetMaxDepth) {
    throw new RangeError(`${model} depth must be an integer from 1 to ${unetMaxDepth}, got ${depth}`);
  }
  if (!Number.isInteger(check.baseFilters) || check.baseFilters < 1) {
    throw new RangeError(`${model} baseFilters must be a positive integer, got ${check.baseFilters}`);
  }
  if (!Number.isInteger(check.channels) || check.channels < 1) {
    throw new RangeError(`${model} inputShape channels must be a positive integer, got ${check.channels}`);
  }
  const step = 2 ** depth;
  for (const [name, side] of check.sides) {
    if (!Number.isInteger(side) || side < step || side % step !== 0) {
      throw new RangeError(`${model} inputShape ${name} must be a positive multiple of 2^depth = ${step} (depth ${depth}), got ${side}`);
    }
  }
}

/** Filters of level `level` (1 = full resolution; depth + 1 = the bottleneck): base, 2 base, 4 base, ... */
export function unetFilters(baseFilters: number, level: number): number {
  return baseFilters * 2 ** (level - 1);
}
